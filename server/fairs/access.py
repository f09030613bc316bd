"""Fair-scoped access, the same for pages and live events: unknown or hidden fairs are not
found, missing rights forbidden."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import LoginRequired
from server.fairs import queries
from server.fairs.models import Fair, Participant, Role
from server.i18n import gettext as _
from server.identity.models import User
from server.refusals import Forbidden, NotFound


@dataclass
class FairContext:
    fair: Fair
    user: User | None
    me: Participant | None

    @property
    def is_organiser(self) -> bool:
        return self.me is not None and self.me.role == Role.ORGANISER


async def load_fair(db: AsyncSession, fair: str | int, user: User | None) -> FairContext:
    """The fair (by slug or id) as `user` may see it; NotFound when unknown or hidden."""
    if isinstance(fair, int):
        found_fair = await db.get(Fair, fair)
        me = await queries.participation(db, found_fair, user) if found_fair else None
        found = (found_fair, me) if found_fair and queries.may_see(found_fair, me) else None
    else:
        found = await queries.fair_for(db, fair, user)
    if found is None:
        raise NotFound(_("There is no such fair."))
    return FairContext(found[0], user, found[1])


async def require_role(
    db: AsyncSession, fair: str | int, user: User | None, *roles: Role
) -> FairContext:
    """The fair, for a signed-in participant with one of `roles`; others are Forbidden."""
    if user is None:
        raise LoginRequired()
    context = await load_fair(db, fair, user)
    if context.me is None:
        raise Forbidden(_("You do not take part in this fair."))
    if context.me.role not in roles:
        raise Forbidden(_("Your role in this fair does not allow that."))
    return context
