"""When a scheduled video meeting's room opens, warns and closes (docs/video.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rooms import queries
from rooms.models import AgendaSettings, Meeting, MeetingAttendee, MeetingStatus, Slot
from server.fairs.models import Fair

WARN_BEFORE_END = timedelta(minutes=2)


@dataclass(frozen=True)
class Window:
    """A room's times, all aware UTC datetimes."""

    opens_at: datetime
    starts_at: datetime
    ends_at: datetime
    warn_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    def payload(self) -> dict:
        return {
            "opens_at": self.opens_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "warn_at": self.warn_at.isoformat(),
            "closes_at": self.closes_at.isoformat(),
        }


def window(
    starts_at: datetime,
    ends_at: datetime,
    opens_minutes: int,
    grace_minutes: int,
    next_start: datetime | None = None,
    ended_at: datetime | None = None,
) -> Window:
    """The room's times for a slot; closing never runs into `next_start` (the next meeting),
    and an organiser's end (`ended_at`) closes it at once."""
    closes_at = ends_at + timedelta(minutes=grace_minutes)
    if next_start is not None:
        closes_at = max(min(closes_at, next_start), ends_at)
    if ended_at is not None:
        closes_at = min(closes_at, ended_at)
    return Window(
        opens_at=starts_at - timedelta(minutes=opens_minutes),
        starts_at=starts_at,
        ends_at=ends_at,
        warn_at=ends_at - WARN_BEFORE_END,
        closes_at=closes_at,
    )


async def next_meeting_start(db: AsyncSession, meeting: Meeting) -> datetime | None:
    """When the next active meeting of any of `meeting`'s attendees starts, if any."""
    people = select(MeetingAttendee.participant_id).where(MeetingAttendee.meeting_id == meeting.id)
    return await db.scalar(
        select(func.min(Slot.starts_at))
        .join(MeetingAttendee, MeetingAttendee.active_slot_id == Slot.id)
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(
            MeetingAttendee.participant_id.in_(people),
            Meeting.id != meeting.id,
            Meeting.status != MeetingStatus.CANCELLED,
            Slot.starts_at >= meeting.slot.ends_at,
        )
    )


async def meeting_window(
    db: AsyncSession, fair: Fair, meeting: Meeting, settings: AgendaSettings | None = None
) -> Window:
    """The room's times for a meeting (its slot loaded), from the fair's agenda settings (read
    here unless the caller, looking at several meetings, has them already)."""
    if settings is None:
        settings = await queries.settings_for(db, fair)
    slot = meeting.slot
    return window(
        slot.starts_at,
        slot.ends_at,
        settings.room_opens_minutes,
        settings.room_grace_minutes,
        await next_meeting_start(db, meeting),
        meeting.room_ended_at,
    )


async def open_rooms(
    db: AsyncSession, fair: Fair, meetings: list[Meeting], now: datetime
) -> set[int]:
    """The ids of those video meetings (slots loaded) whose room is open at `now`."""
    found: set[int] = set()
    settings = await queries.settings_for(db, fair)
    for meeting in meetings:
        if meeting.video_room is None or meeting.status == MeetingStatus.CANCELLED:
            continue
        slot = meeting.slot
        if not slot.starts_at - timedelta(hours=2) <= now <= slot.ends_at + timedelta(hours=2):
            continue  # far from its slot: closed whatever the settings
        if (await meeting_window(db, fair, meeting, settings)).is_open(now):
            found.add(meeting.id)
    return found
