"""Room times (closing never runs into the next meeting), attendance with a moved clock, and
the demo's video meeting open at the time of seeding."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from rooms import booking, demo
from rooms.models import Meeting, MeetingAttendee, MeetingStatus, RoomVisit
from rooms.video import attendance
from rooms.video.access import room_access
from rooms.video.windows import meeting_window, window
from server.db import Database
from server.identity.models import User
from tests.support.demo import BARI, BUYER, STAFF


def test_a_room_opens_before_the_slot_and_warns_two_minutes_before_its_end(rooms_world):
    start = rooms_world.starts_at
    end = start + timedelta(minutes=20)
    times = window(start, end, 5, 5)
    assert (times.opens_at, times.warn_at, times.closes_at) == (
        start - timedelta(minutes=5),
        end - timedelta(minutes=2),
        end + timedelta(minutes=5),
    )
    # back to back with the next meeting: the grace is gone, never into the next one
    assert window(start, end, 5, 5, next_start=end).closes_at == end
    assert window(start, end, 5, 5, next_start=end + timedelta(minutes=3)).closes_at == end + (
        timedelta(minutes=3)
    )


async def test_closing_never_runs_into_either_sides_next_meeting(db, rooms_world):
    w = rooms_world
    fair = w.world.fair
    meeting = await db.get(Meeting, w.meeting.id)
    await db.refresh(meeting, ["slot"])
    assert (await meeting_window(db, fair, meeting)).closes_at == meeting.slot.ends_at + (
        timedelta(minutes=5)
    )
    # Alpha has another meeting in the very next slot
    await booking.book(db, fair, None, [w.world.outsider, w.world.alpha], w.world.slots[3], 1)
    await db.commit()
    assert (await meeting_window(db, fair, meeting)).closes_at == meeting.slot.ends_at


async def visit(db, w, person, joined, left):
    access = await room_access(db, w.world.fair.id, person.user, w.meeting.video_room, joined)
    row = await attendance.record_join(db, access, f"peer-{person.id}-{joined.minute}", joined)
    row.left_at = left
    await db.commit()


async def outcome(db, w):
    status = await db.scalar(select(Meeting.status).where(Meeting.id == w.meeting.id))
    absent = await db.scalars(
        select(MeetingAttendee.participant_id).where(
            MeetingAttendee.meeting_id == w.meeting.id, MeetingAttendee.no_show.is_(True)
        )
    )
    return status, set(absent)


async def test_together_long_enough_is_held_and_settled_once(db, rooms_world):
    w = rooms_world
    start = w.starts_at
    await db.refresh(w.world.buyer, ["user"])
    await db.refresh(w.world.alpha, ["user"])
    await visit(db, w, w.world.buyer, start, start + timedelta(minutes=10))
    await visit(db, w, w.world.alpha, start + timedelta(minutes=8), start + timedelta(minutes=15))
    # two minutes together: not yet held, and nothing is settled before the room closes
    assert await attendance.settle_meetings(db, start + timedelta(minutes=20)) == 0
    await visit(db, w, w.world.alpha, start + timedelta(minutes=9), start + timedelta(minutes=12))
    settle_at = start + timedelta(minutes=26)
    assert await attendance.settle_meetings(db, settle_at) == 1
    await db.commit()
    assert await outcome(db, w) == (MeetingStatus.NO_SHOW, set())
    assert await attendance.settle_meetings(db, settle_at) == 0  # once


async def test_held_after_three_minutes_together_and_no_show_for_who_never_came(db, rooms_world):
    w = rooms_world
    start = w.starts_at
    for person in (w.world.buyer, w.world.alpha):
        await db.refresh(person, ["user"])
    await visit(db, w, w.world.buyer, start, start + timedelta(minutes=10))
    await visit(db, w, w.world.alpha, start + timedelta(minutes=6), None)  # still in at close
    assert await attendance.settle_meetings(db, start + timedelta(minutes=26)) == 1
    await db.commit()
    assert await outcome(db, w) == (MeetingStatus.HELD, set())
    visits = list(await db.scalars(select(RoomVisit)))
    assert all(v.left_at is not None for v in visits)


async def test_nobody_came_is_a_no_show_for_everyone(db, rooms_world):
    w = rooms_world
    assert await attendance.settle_meetings(db, w.starts_at + timedelta(minutes=26)) == 1
    await db.commit()
    assert await outcome(db, w) == (
        MeetingStatus.NO_SHOW,
        {w.world.buyer.id, w.world.alpha.id},
    )


def test_the_demo_room_session_is_running_at_seeding_at_any_hour(rooms_world):
    zone = ZoneInfo("Europe/Rome")
    for hour, minute in ((0, 0), (9, 7), (13, 59), (23, 36), (23, 59)):
        now = rooms_world.starts_at.astimezone(zone).replace(hour=hour, minute=minute)
        day, starts, ends = demo.demo_room_session(now, zone)
        start = now.replace(hour=starts.hour, minute=starts.minute)
        times = window(start, start + timedelta(minutes=20), 5, 5)
        assert day == now.date() and starts < ends and times.is_open(now)


async def test_the_demo_buyer_and_exhibitor_have_a_room_open_at_seeding(
    demo_connection, demo_template
):
    database = Database.for_connection(demo_connection)
    async with database.read_session() as db:
        meeting = await db.scalar(
            select(Meeting).where(Meeting.video_room.is_not(None)).order_by(Meeting.id.desc())
        )
        for email in (BUYER, STAFF):
            user = await db.scalar(select(User).where(User.email == email))
            # open when it was seeded (`created_at`), whenever this test runs
            access = await room_access(db, BARI, user, meeting.video_room, meeting.created_at)
            assert access.role == "attendee" and access.kind == "meeting"
            assert access.window is not None and access.window.is_open(meeting.created_at)
