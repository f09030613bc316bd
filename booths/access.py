"""Who may see and change a booth: its staff, the fair's organisers, visitors.

The same rules answer pages and live events: callers pass the user, not the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from booths import queries
from booths.models import Booth
from server.errors import LoginRequired
from server.fairs.access import FairContext, load_fair
from server.fairs.models import Participant, Role
from server.i18n import gettext as _
from server.identity.models import User
from server.refusals import Forbidden, NotFound


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


def _no_such_booth() -> NotFound:
    return NotFound(_("There is no such booth."))


async def load_booth(
    db: AsyncSession, booth: str | int, user: User | None, *, fair: str | None = None
) -> BoothContext:
    """A booth by id, or by slug in the fair named `fair`, as `user` may see it.

    A hidden booth exists only for its staff and the organisers; a booth of a fair hidden from
    the user does not exist either.
    """
    if isinstance(booth, int):
        found = await db.get(Booth, booth)
        if found is None:
            raise _no_such_booth()
        try:
            fair_context = await load_fair(db, found.fair_id, user)
        except NotFound:
            raise _no_such_booth() from None
    else:
        if fair is None:
            raise TypeError("a booth slug needs its fair")
        fair_context = await load_fair(db, fair, user)
        found = await queries.booth_in(db, fair_context.fair, booth)
        if found is None:
            raise _no_such_booth()
    context = BoothContext(fair_context, found, is_staff(user, fair_context.me, found))
    if found.hidden and not context.can_edit:
        raise _no_such_booth()
    return context


async def require_editor(
    db: AsyncSession, booth: str | int, user: User | None, *, fair: str | None = None
) -> BoothContext:
    """The booth, for its staff or the fair's organisers; Forbidden for everyone else."""
    if user is None:
        raise LoginRequired()
    context = await load_booth(db, booth, user, fair=fair)
    if not context.can_edit:
        raise Forbidden(_("Only the booth's staff can do that."))
    return context
