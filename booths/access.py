"""Who may see and change a booth: its staff, the fair's organisers, visitors."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection

from booths import queries
from booths.models import Booth
from server.fairs.access import FairContext, load_fair
from server.fairs.models import Participant, Role
from server.identity.access import require_user
from server.identity.models import User


def is_staff(user: User | None, me: Participant | None, booth: Booth) -> bool:
    """Staff are the firm's people taking part as exhibitors."""
    return (
        user is not None
        and me is not None
        and me.role == Role.EXHIBITOR
        and user.firm_id == booth.firm_id
    )


@dataclass
class BoothContext:
    fair_context: FairContext
    booth: Booth
    is_staff: bool

    @property
    def fair(self):
        return self.fair_context.fair

    @property
    def me(self) -> Participant | None:
        return self.fair_context.me

    @property
    def user(self) -> User | None:
        return self.fair_context.user

    @property
    def is_organiser(self) -> bool:
        return self.fair_context.is_organiser

    @property
    def can_edit(self) -> bool:
        return self.is_staff or self.is_organiser


async def load_booth(db: AsyncSession, request: HTTPConnection) -> BoothContext:
    """The booth in the URL; a hidden booth exists only for its staff and the organisers."""
    fair_context = await load_fair(db, request)
    booth = await queries.booth_in(db, fair_context.fair, request.path_params["booth"])
    if booth is None:
        raise HTTPException(404)
    context = BoothContext(fair_context, booth, is_staff(fair_context.user, fair_context.me, booth))
    if booth.hidden and not context.can_edit:
        raise HTTPException(404)
    return context


async def require_editor(db: AsyncSession, request: HTTPConnection) -> BoothContext:
    """The booth, for its staff or the fair's organisers; 403 for everyone else."""
    require_user(request)
    context = await load_booth(db, request)
    if not context.can_edit:
        raise HTTPException(403)
    return context
