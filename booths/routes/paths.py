"""The booth a page's path names, loaded under the access rules for whoever asks."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from booths.access import BoothContext, load_booth, require_editor
from server.identity.access import current_user


async def booth_of(request: Request, db: AsyncSession) -> BoothContext:
    """The booth of `/fairs/{fair}/booths/{booth}/...` as the visitor may see it."""
    return await load_booth(
        db, request.path_params["booth"], current_user(request), fair=request.path_params["fair"]
    )


async def edited_booth_of(request: Request, db: AsyncSession) -> BoothContext:
    """The same booth, for its staff and the fair's organisers only."""
    return await require_editor(
        db, request.path_params["booth"], current_user(request), fair=request.path_params["fair"]
    )
