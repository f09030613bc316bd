"""Fair-scoped access: unknown or hidden fairs answer 404, missing rights 403."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection

from server.fairs import queries
from server.fairs.models import Fair, Participant, Role
from server.identity.access import current_user, require_user
from server.identity.models import User


@dataclass
class FairContext:
    fair: Fair
    user: User | None
    me: Participant | None

    @property
    def is_organiser(self) -> bool:
        return self.me is not None and self.me.role == Role.ORGANISER


async def load_fair(db: AsyncSession, request: HTTPConnection) -> FairContext:
    """The fair named in the URL as the viewer may see it; 404 when unknown or hidden."""
    user = current_user(request)
    found = await queries.fair_for(db, request.path_params["fair"], user)
    if found is None:
        raise HTTPException(404)
    fair, me = found
    return FairContext(fair, user, me)


async def require_role(db: AsyncSession, request: HTTPConnection, *roles: Role) -> FairContext:
    """The fair, for a signed-in participant with one of `roles`; others get 403."""
    require_user(request)
    context = await load_fair(db, request)
    if context.me is None or context.me.role not in roles:
        raise HTTPException(403)
    return context
