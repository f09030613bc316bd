"""Talk now: a visitor rings a booth's online staff; the first to accept gets an ad-hoc room."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booths.access import BoothContext
from booths.models import Booth, BoothCall, BoothCallRing, CallStatus
from server.fairs.models import Participant, Role
from server.i18n import gettext as _
from server.identity.models import Firm, User
from server.refusals import Denied, Forbidden, NotFound
from server.video import AdHocRooms

# How many calls the leads page lists, newest first.
LEADS_CALLS = 200


def _loaded():
    return (
        selectinload(BoothCall.visitor).selectinload(Participant.user).selectinload(User.firm),
        selectinload(BoothCall.answered_by).selectinload(Participant.user),
        selectinload(BoothCall.booth).selectinload(Booth.firm),
        selectinload(BoothCall.rings),
    )


async def call_in(db: AsyncSession, call_id: int) -> BoothCall | None:
    """A call with its visitor, booth, answerer and rings loaded (fresh from the database)."""
    return await db.scalar(
        select(BoothCall)
        .where(BoothCall.id == call_id)
        .options(*_loaded())
        .execution_options(populate_existing=True)
    )


async def fresh(db: AsyncSession, call_id: int) -> BoothCall:
    """A call read again after a change (gone only if its booth was deleted meanwhile)."""
    call = await call_in(db, call_id)
    if call is None:
        raise NotFound(_("There is no such call."))
    return call


async def ringing_call_of(db: AsyncSession, visitor: Participant) -> BoothCall | None:
    return await db.scalar(
        select(BoothCall)
        .where(BoothCall.visitor_id == visitor.id, BoothCall.status == CallStatus.RINGING)
        .options(*_loaded())
    )


async def _finish(db: AsyncSession, call_id: int, status: CallStatus, now: datetime) -> bool:
    """Move a ringing call to `status`; False when it had stopped ringing already."""
    result = await db.execute(
        update(BoothCall)
        .where(BoothCall.id == call_id, BoothCall.status == CallStatus.RINGING)
        .values(status=status, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def ring(
    db: AsyncSession,
    context: BoothContext,
    present: Sequence[Participant],
    now: datetime,
    ring_seconds: float,
) -> tuple[BoothCall, bool]:
    """Start ringing the booth's present staff; a call already ringing here is returned again.

    Answers (call, started): `started` is False when the visitor's call was ringing already.
    """
    me = context.me
    if me is None:
        raise Forbidden(_("Only the fair's participants can call a booth."))
    if context.is_staff:
        raise Forbidden(_("You are on this booth's staff."))
    current = await ringing_call_of(db, me)
    if current is not None and current.ring_until <= now:
        await _finish(db, current.id, CallStatus.MISSED, now)  # the job has not come by yet
        current = None
    if current is not None:
        if current.booth_id == context.booth.id:
            return current, False
        raise Denied("busy", _("You are already calling another booth. Hang up there first."))
    if not present:
        firm = await db.get(Firm, context.booth.firm_id)
        name = firm.name if firm else ""
        raise Denied("nobody", _("Nobody from %(firm)s is online right now.", firm=name))
    call = BoothCall(
        fair_id=context.booth.fair_id,
        booth_id=context.booth.id,
        visitor_id=me.id,
        status=CallStatus.RINGING,
        created_at=now,
        ring_until=now + timedelta(seconds=ring_seconds),
        rings=[BoothCallRing(user_id=staff.user_id) for staff in present],
    )
    try:
        async with db.begin_nested():
            db.add(call)
    except IntegrityError:  # another tab of the visitor started a call a moment ago
        raise Denied("busy", _("You are already calling. Hang up there first.")) from None
    return await fresh(db, call.id), True


def _not_yet_rung(fair_id: int, user_id: int, now: datetime):
    """The calls of the user's booths ringing in the fair that have not rung for them yet."""
    return (
        select(BoothCall)
        .join(Booth, Booth.id == BoothCall.booth_id)
        .join(User, User.firm_id == Booth.firm_id)
        .join(Participant, Participant.user_id == User.id)
        .where(
            BoothCall.fair_id == fair_id,
            BoothCall.status == CallStatus.RINGING,
            BoothCall.ring_until > now,
            User.id == user_id,
            Participant.fair_id == fair_id,
            Participant.role == Role.EXHIBITOR,
            ~BoothCall.rings.any(BoothCallRing.user_id == user_id),
        )
    )


async def latecomer_has_calls(db: AsyncSession, fair_id: int, user_id: int, now: datetime) -> bool:
    """Whether a staff member who came online has a call of their booths to be rung for."""
    found = await db.scalar(_not_yet_rung(fair_id, user_id, now).with_only_columns(BoothCall.id))
    return found is not None


async def ring_latecomer(
    db: AsyncSession, fair_id: int, user_id: int, now: datetime
) -> list[BoothCall]:
    """Ring a staff member who came online for their booths' calls still ringing in the fair."""
    rung = list(await db.scalars(_not_yet_rung(fair_id, user_id, now).options(*_loaded())))
    for call in rung:
        db.add(BoothCallRing(call_id=call.id, user_id=user_id))
    if rung:
        await db.flush()
    return [await fresh(db, call.id) for call in rung]


async def ringing_for(db: AsyncSession, user_id: int, now: datetime) -> list[BoothCall]:
    """The calls ringing for this staff member (rung, not declined), in any fair."""
    calls = await db.scalars(
        select(BoothCall)
        .join(BoothCallRing, BoothCallRing.call_id == BoothCall.id)
        .where(
            BoothCallRing.user_id == user_id,
            BoothCallRing.declined_at.is_(None),
            BoothCall.status == CallStatus.RINGING,
            BoothCall.ring_until > now,
        )
        .order_by(BoothCall.created_at)
        .options(*_loaded())
    )
    return list(calls)


def require_staff(context: BoothContext) -> Participant:
    """The staff member answering for the booth; Forbidden for anyone else."""
    if not context.is_staff or context.me is None:
        raise Forbidden(_("Only the booth's staff can answer its calls."))
    return context.me


def _over(call: BoothCall) -> Denied:
    if call.status == CallStatus.ACCEPTED:
        return Denied("taken", _("A colleague has taken this call."))
    return Denied("over", _("This call has ended."))


async def accept(
    db: AsyncSession,
    call: BoothCall,
    context: BoothContext,
    rooms: AdHocRooms,
    now: datetime,
) -> BoothCall:
    """Claim a ringing call for this staff member and open the room both of them join."""
    staff = require_staff(context)
    claimed = await db.execute(
        update(BoothCall)
        .where(
            BoothCall.id == call.id,
            BoothCall.status == CallStatus.RINGING,
            BoothCall.ring_until > now,
        )
        .values(status=CallStatus.ACCEPTED, answered_by_id=staff.id, ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise _over(await fresh(db, call.id))
    visitor = call.visitor.user
    label = _("Talk now: %(visitor)s and %(firm)s", visitor=visitor.name, firm=call.booth.firm.name)
    token = await rooms.open_room(db, call.fair_id, [call.visitor_id, staff.id], label)
    await db.execute(
        update(BoothCall)
        .where(BoothCall.id == call.id)
        .values(room=token)
        .execution_options(synchronize_session=False)
    )
    return await fresh(db, call.id)


async def decline(db: AsyncSession, call: BoothCall, context: BoothContext, now: datetime) -> bool:
    """This staff member declines; True when that was the last one it rang (the call ends)."""
    staff = require_staff(context)
    if call.status != CallStatus.RINGING:
        raise _over(call)
    ring = await db.get(BoothCallRing, (call.id, staff.user_id))
    if ring is None:  # came online after the call started: declining still counts
        db.add(BoothCallRing(call_id=call.id, user_id=staff.user_id, declined_at=now))
    elif ring.declined_at is None:
        ring.declined_at = now
    await db.flush()
    waiting = await db.scalar(
        select(func.count())
        .select_from(BoothCallRing)
        .where(BoothCallRing.call_id == call.id, BoothCallRing.declined_at.is_(None))
    )
    if waiting:
        return False
    return await _finish(db, call.id, CallStatus.DECLINED, now)


async def cancel(db: AsyncSession, call: BoothCall, visitor: Participant, now: datetime) -> bool:
    """The visitor hangs up before anyone answered; False when it had ended already."""
    if call.visitor_id != visitor.id:
        raise NotFound(_("There is no such call."))
    return await _finish(db, call.id, CallStatus.CANCELLED, now)


async def expire(db: AsyncSession, call_id: int, now: datetime) -> bool:
    """A call nobody answered in time is missed; False when it had ended already."""
    return await _finish(db, call_id, CallStatus.MISSED, now)


async def due(db: AsyncSession, now: datetime) -> list[int]:
    """Ringing calls whose time is up (the job's backstop for a timer lost with its process)."""
    return list(
        await db.scalars(
            select(BoothCall.id).where(
                BoothCall.status == CallStatus.RINGING, BoothCall.ring_until <= now
            )
        )
    )


async def calls_of(db: AsyncSession, booth: Booth, limit: int = LEADS_CALLS) -> list[BoothCall]:
    """The booth's calls, newest first, for its leads."""
    return list(
        await db.scalars(
            select(BoothCall)
            .where(BoothCall.booth_id == booth.id)
            .order_by(BoothCall.created_at.desc(), BoothCall.id.desc())
            .limit(limit)
            .options(*_loaded())
        )
    )
