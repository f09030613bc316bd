"""The organiser's agenda set-up (settings, sessions and their slots) and each participant's
availability."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rooms import queries, slots
from rooms.models import (
    AgendaSession,
    AgendaSettings,
    Meeting,
    MeetingStatus,
    Slot,
    UnavailableSlot,
)
from server.fairs.models import Attendance, BookingMode, Fair, Participant
from server.forms import FormError
from server.i18n import gettext as _

SLOT_LENGTHS = (15, 20, 30, 45, 60)


async def _active_meetings(db: AsyncSession, fair: Fair, session_id: int | None = None) -> int:
    query = (
        select(func.count())
        .select_from(Meeting)
        .where(Meeting.fair_id == fair.id, Meeting.status != MeetingStatus.CANCELLED)
    )
    if session_id is not None:
        query = query.join(Slot, Slot.id == Meeting.slot_id).where(Slot.session_id == session_id)
    return await db.scalar(query)


def _add_slots(fair: Fair, session: AgendaSession, settings: AgendaSettings) -> int:
    cut = slots.cut(
        session.day,
        session.starts,
        session.ends,
        ZoneInfo(fair.time_zone),
        settings.slot_minutes,
        settings.break_minutes,
    )
    session.slots = [Slot(fair_id=fair.id, starts_at=start, ends_at=end) for start, end in cut]
    return len(cut)


async def save_settings(
    db: AsyncSession,
    fair: Fair,
    *,
    slot_minutes: int,
    break_minutes: int,
    tables: int,
    request_expiry_hours: int,
    max_meetings: int | None,
    booking_mode: BookingMode,
    video_rooms: int | None = None,
) -> AgendaSettings:
    """Save the fair's slot length, breaks, tables, expiry, cap and booking mode; a new slot
    length or break re-cuts every session, which is refused once meetings are booked."""
    errors = {}
    if slot_minutes not in SLOT_LENGTHS:
        errors["slot_minutes"] = _("Choose one of the offered slot lengths.")
    if not 0 <= break_minutes <= 60:
        errors["break_minutes"] = _("Enter a break between 0 and 60 minutes.")
    if not 0 <= tables <= 500:
        errors["tables"] = _("Enter a number of tables between 0 and 500.")
    if not 1 <= request_expiry_hours <= 24 * 60:
        errors["request_expiry_hours"] = _("Enter between 1 and 1440 hours.")
    if max_meetings is not None and not 1 <= max_meetings <= 200:
        errors["max_meetings"] = _("Enter a limit between 1 and 200, or leave it empty.")
    if video_rooms is not None and not 0 <= video_rooms <= 1000:
        errors["video_rooms"] = _("Enter between 0 and 1000 video rooms, or leave it empty.")
    settings = await queries.settings_for(db, fair)
    recut = (slot_minutes, break_minutes) != (settings.slot_minutes, settings.break_minutes)
    if not errors and recut and await _active_meetings(db, fair):
        errors["slot_minutes"] = _(
            "Meetings are booked: the slots can no longer change. Cancel them first."
        )
    if not errors and tables < settings.tables:
        used = await db.scalar(
            select(func.max(Meeting.table_number)).where(
                Meeting.fair_id == fair.id, Meeting.active_slot_id.is_not(None)
            )
        )
        if used is not None and used > tables:
            errors["tables"] = _("Table %(num)d has meetings booked.", num=used)
    if not errors and video_rooms is not None and video_rooms < (settings.video_rooms or 10**6):
        used = await db.scalar(
            select(func.max(Meeting.video_number)).where(
                Meeting.fair_id == fair.id, Meeting.active_slot_id.is_not(None)
            )
        )
        if used is not None and used > video_rooms:
            errors["video_rooms"] = _("Video room %(num)d has meetings booked.", num=used)
    if errors:
        raise FormError(**errors)
    settings.video_rooms = video_rooms
    settings.slot_minutes = slot_minutes
    settings.break_minutes = break_minutes
    settings.tables = tables
    settings.request_expiry_hours = request_expiry_hours
    settings.max_meetings = max_meetings
    fair.booking_mode = booking_mode
    db.add(settings)
    db.add(fair)
    if recut:
        for session in await queries.sessions(db, fair):
            session.slots = []
            await db.flush()
            _add_slots(fair, session, settings)
    await db.flush()
    return settings


async def add_session(
    db: AsyncSession, fair: Fair, *, day: date, starts: time, ends: time, label: str = ""
) -> AgendaSession:
    """Add a block of meetings to a fair day and cut it into slots."""
    label = " ".join(label.split())[:80]
    zone = ZoneInfo(fair.time_zone)
    first = fair.starts_at.astimezone(zone).date()
    last = fair.ends_at.astimezone(zone).date()
    errors = {}
    if not first <= day <= last:
        errors["day"] = _(
            "Choose a day of the fair (%(first)s to %(last)s).",
            first=first.isoformat(),
            last=last.isoformat(),
        )
    if ends <= starts:
        errors["ends"] = _("The session must end after it starts.")
    if not errors:
        for other in await queries.sessions(db, fair):
            if other.day == day and other.starts < ends and starts < other.ends:
                errors["starts"] = _("This overlaps another session of that day.")
                break
    settings = await queries.settings_for(db, fair)
    session = AgendaSession(fair_id=fair.id, day=day, starts=starts, ends=ends, label=label)
    if not errors and _add_slots(fair, session, settings) == 0:
        errors["ends"] = _("The session is shorter than one slot.")
    if errors:
        raise FormError(**errors)
    db.add(settings)  # the defaults become explicit once the organiser starts the set-up
    db.add(session)
    await db.flush()
    return session


async def remove_session(db: AsyncSession, fair: Fair, session_id: int) -> bool:
    """Remove a session and its slots, unless meetings are booked in it; False if unknown."""
    session = await db.scalar(
        select(AgendaSession).where(
            AgendaSession.id == session_id, AgendaSession.fair_id == fair.id
        )
    )
    if session is None:
        return False
    if await _active_meetings(db, fair, session.id):
        raise FormError(form=_("Meetings are booked in this session. Cancel them first."))
    await db.delete(session)
    await db.flush()
    return True


async def set_availability(
    db: AsyncSession,
    fair: Fair,
    me: Participant,
    attendance: Attendance,
    unavailable: set[int],
) -> None:
    """Record how the participant attends and which slots they cannot do."""
    fair_slots = {slot.id for slot in await queries.slots(db, fair)}
    me.attendance = attendance
    db.add(me)
    await db.execute(delete(UnavailableSlot).where(UnavailableSlot.participant_id == me.id))
    for slot_id in sorted(unavailable & fair_slots):  # another fair's slot ids are ignored
        db.add(UnavailableSlot(fair_id=fair.id, participant_id=me.id, slot_id=slot_id))
    await db.flush()
