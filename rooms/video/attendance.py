"""Who was in which video room and when (room visits), and what a meeting became: live while
both sides are in, then held or no-show once its room has closed (docs/video.md)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from rooms import queries
from rooms.models import (
    AgendaSettings,
    Meeting,
    MeetingAttendee,
    MeetingMode,
    MeetingStatus,
    RoomVisit,
    Slot,
    VideoRoom,
    VisitRole,
)
from rooms.video.access import ADHOC_JOIN_MINUTES, RoomAccess
from rooms.video.windows import meeting_window
from server.fairs.models import Fair

UNSETTLED = (MeetingStatus.SCHEDULED, MeetingStatus.LIVE)


def _count(result: object) -> int:
    """The rows an UPDATE changed."""
    return cast(CursorResult, result).rowcount


async def record_join(db: AsyncSession, access: RoomAccess, peer: str, now: datetime) -> RoomVisit:
    """A visit begins: who, which room, in which role."""
    visit = RoomVisit(
        fair_id=access.fair.id,
        room=access.token,
        meeting_id=access.meeting.id if access.meeting else None,
        video_room_id=access.video_room.id if access.video_room else None,
        participant_id=access.me.id,
        user_id=access.user.id,
        role=access.role,
        peer=peer,
        joined_at=now,
    )
    db.add(visit)
    await db.flush()
    return visit


async def record_leave(db: AsyncSession, peer: str, now: datetime) -> None:
    """The visit of connection `peer` ends (once: a second leave changes nothing)."""
    await db.execute(
        update(RoomVisit)
        .where(RoomVisit.peer == peer, RoomVisit.left_at.is_(None))
        .values(left_at=now)
    )


async def close_visits(db: AsyncSession, token: str, now: datetime) -> None:
    """Every visit still open in room `token` ends now (the room closed)."""
    await db.execute(
        update(RoomVisit)
        .where(RoomVisit.room == token, RoomVisit.left_at.is_(None))
        .values(left_at=now)
    )


async def _sides(db: AsyncSession, meeting_id: int) -> dict[int, str]:
    """Each attendee's side: their firm, or themselves when they have none."""
    rows = await db.execute(
        select(MeetingAttendee.participant_id, MeetingAttendee.firm_id).where(
            MeetingAttendee.meeting_id == meeting_id
        )
    )
    return {p: (f"f{firm}" if firm is not None else f"p{p}") for p, firm in rows}


async def mark_live(db: AsyncSession, meeting_id: int) -> bool:
    """The meeting becomes live when attendees of two sides are in its room at once."""
    sides = await _sides(db, meeting_id)
    inside = await db.scalars(
        select(RoomVisit.participant_id).where(
            RoomVisit.meeting_id == meeting_id,
            RoomVisit.role == VisitRole.ATTENDEE,
            RoomVisit.left_at.is_(None),
        )
    )
    if len({sides[p] for p in inside if p in sides}) < 2:
        return False
    claimed = await db.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.status == MeetingStatus.SCHEDULED)
        .values(status=MeetingStatus.LIVE)
    )
    return _count(claimed) == 1


def together(visits: list[tuple[str, datetime, datetime]]) -> timedelta:
    """How long at least two sides were in the room at once, from (side, from, to) stays."""
    moments = sorted({t for _side, start, end in visits for t in (start, end)})
    total = timedelta()
    for start, end in itertools.pairwise(moments):
        sides = {side for side, a, b in visits if a <= start and b >= end}
        if len(sides) >= 2:
            total += end - start
    return total


async def settle_meeting(
    db: AsyncSession,
    fair: Fair,
    meeting: Meeting,
    now: datetime,
    settings: AgendaSettings | None = None,
) -> bool:
    """Once its room has closed: held or no-show, and no-show for the attendees who never
    came. Claimed with a conditional UPDATE, so it happens once; False when not due or done."""
    if settings is None:
        settings = await queries.settings_for(db, fair)
    window = await meeting_window(db, fair, meeting, settings)
    if now < window.closes_at:
        return False
    sides = await _sides(db, meeting.id)
    visits = list(
        await db.scalars(
            select(RoomVisit).where(
                RoomVisit.meeting_id == meeting.id, RoomVisit.role == VisitRole.ATTENDEE
            )
        )
    )
    stays = [
        (
            sides[v.participant_id],
            max(v.joined_at, window.opens_at),
            min(v.left_at or window.closes_at, window.closes_at),
        )
        for v in visits
        if v.participant_id in sides
    ]
    met = together([s for s in stays if s[1] < s[2]]) >= timedelta(minutes=settings.held_minutes)
    claimed = await db.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.status.in_(UNSETTLED))
        .values(status=MeetingStatus.HELD if met else MeetingStatus.NO_SHOW)
    )
    if _count(claimed) != 1:
        return False
    came = {v.participant_id for v in visits}
    await db.execute(
        update(MeetingAttendee)
        .where(
            MeetingAttendee.meeting_id == meeting.id,
            MeetingAttendee.participant_id.not_in(came),
        )
        .values(no_show=True)
    )
    await close_visits(db, meeting.video_room or "", window.closes_at)
    return True


async def settle_meetings(db: AsyncSession, now: datetime) -> int:
    """Settle every video meeting whose room has closed by `now`; returns how many."""
    due = await db.scalars(
        select(Meeting)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(
            Meeting.mode == MeetingMode.VIDEO,
            Meeting.status.in_(UNSETTLED),
            Slot.ends_at <= now,
        )
        .options(selectinload(Meeting.slot))
    )
    settled = 0
    fairs: dict[int, tuple[Fair, AgendaSettings]] = {}
    for meeting in list(due):
        if meeting.fair_id not in fairs:
            fair = await db.get_one(Fair, meeting.fair_id)
            fairs[meeting.fair_id] = fair, await queries.settings_for(db, fair)
        fair, settings = fairs[meeting.fair_id]
        settled += await settle_meeting(db, fair, meeting, now, settings)
    return settled


async def end_room(db: AsyncSession, access: RoomAccess, now: datetime) -> None:
    """An organiser ends the room: a meeting's room closes now, a call ends."""
    if access.meeting is not None:
        await db.execute(
            update(Meeting)
            .where(Meeting.id == access.meeting.id, Meeting.room_ended_at.is_(None))
            .values(room_ended_at=now)
        )
    elif access.video_room is not None:
        await end_call(db, access.video_room.id, now)


async def end_call(db: AsyncSession, room_id: int, now: datetime) -> bool:
    """An ad-hoc room ends (it emptied, or an organiser ended it); once."""
    ended = await db.execute(
        update(VideoRoom)
        .where(VideoRoom.id == room_id, VideoRoom.ended_at.is_(None))
        .values(ended_at=now)
    )
    return _count(ended) == 1


async def expire_calls(db: AsyncSession, now: datetime) -> int:
    """Ad-hoc rooms nobody entered within a few minutes end."""
    visited = exists().where(RoomVisit.video_room_id == VideoRoom.id)
    ended = await db.execute(
        update(VideoRoom)
        .where(
            VideoRoom.ended_at.is_(None),
            VideoRoom.created_at <= now - timedelta(minutes=ADHOC_JOIN_MINUTES),
            ~visited,
        )
        .values(ended_at=now)
    )
    return _count(ended)
