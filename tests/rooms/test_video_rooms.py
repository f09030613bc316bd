"""Video rooms are numbered per slot like tables, so the organiser's limit holds."""

import pytest
from sqlalchemy.exc import IntegrityError

from rooms import booking, operations, queries, setup
from rooms.errors import MeetingError
from rooms.models import MeetingMode
from rooms.optimising import instance
from server.fairs.models import Attendance
from server.forms import FormError
from tests.rooms.conftest import NOW


async def limit_video_rooms(db, world, rooms: int | None) -> None:
    settings = await queries.settings_for(db, world.fair)
    await setup.save_settings(
        db,
        world.fair,
        slot_minutes=settings.slot_minutes,
        break_minutes=settings.break_minutes,
        tables=settings.tables,
        request_expiry_hours=settings.request_expiry_hours,
        max_meetings=settings.max_meetings,
        booking_mode=world.fair.booking_mode,
        video_rooms=rooms,
    )
    await db.commit()


async def online_request(db, world, sender, firm):
    sender.attendance = Attendance.ONLINE
    await db.commit()
    outcome = await operations.send_request(
        db, world.fair, sender, world.firms[firm].id, "", now=NOW
    )
    await db.commit()
    return outcome.request


async def test_video_meetings_get_numbered_rooms(db, world):
    first = await online_request(db, world, world.buyer, "Alpha Srl")
    second = await online_request(db, world, world.outsider, "Beta Ltd")
    slot = world.slots[0].id
    a = (await operations.accept_request(db, world.fair, world.alpha, first.id, slot, NOW)).meeting
    b = (await operations.accept_request(db, world.fair, world.beta, second.id, slot, NOW)).meeting
    assert (a.mode, a.video_number) == (MeetingMode.VIDEO, 1)
    assert (b.mode, b.video_number) == (MeetingMode.VIDEO, 2)


async def test_a_full_slot_of_video_rooms_is_refused_with_the_next_free_slots(db, world):
    await limit_video_rooms(db, world, 1)
    first = await online_request(db, world, world.buyer, "Alpha Srl")
    second = await online_request(db, world, world.outsider, "Beta Ltd")
    slot = world.slots[0].id
    await operations.accept_request(db, world.fair, world.alpha, first.id, slot, NOW)
    await db.commit()
    free = await queries.free_common_slots(db, world.fair, [world.outsider, world.beta], NOW)
    assert slot not in [s.id for s in free]  # the one video room of the slot is in use
    with pytest.raises(MeetingError) as refused:
        await operations.accept_request(db, world.fair, world.beta, second.id, slot, NOW)
    assert refused.value.message == "That slot was just taken. Choose one of the next free ones."
    assert refused.value.free_slots[0].id == world.slots[1].id


async def test_the_database_refuses_a_second_meeting_in_one_video_room(db, world):
    slot = world.slots[0]
    people = [world.buyer, world.alpha]
    await booking.book(db, world.fair, None, people, slot, None, 1)
    with pytest.raises(IntegrityError):
        await booking.book(db, world.fair, None, [world.outsider, world.beta], slot, None, 1)


async def test_lowering_the_limit_below_a_booked_room_is_refused(db, world):
    first = await online_request(db, world, world.buyer, "Alpha Srl")
    second = await online_request(db, world, world.outsider, "Beta Ltd")
    slot = world.slots[0].id
    await operations.accept_request(db, world.fair, world.alpha, first.id, slot, NOW)
    await operations.accept_request(db, world.fair, world.beta, second.id, slot, NOW)
    await db.commit()
    with pytest.raises(FormError) as refused:
        await limit_video_rooms(db, world, 1)
    assert refused.value.errors["video_rooms"] == "Video room 2 has meetings booked."


async def test_the_optimiser_is_given_the_limit(db, world):
    await limit_video_rooms(db, world, 3)
    built = await instance.build(db, world.fair, NOW)
    assert built.data["video_rooms"] == 3
    await limit_video_rooms(db, world, None)
    assert (await instance.build(db, world.fair, NOW)).data["video_rooms"] is None


async def test_cancelling_frees_the_room(db, world):
    await limit_video_rooms(db, world, 1)
    first = await online_request(db, world, world.buyer, "Alpha Srl")
    world.outsider.attendance = Attendance.ONLINE
    await db.commit()
    slot = world.slots[0].id
    meeting = (
        await operations.accept_request(db, world.fair, world.alpha, first.id, slot, NOW)
    ).meeting
    await db.commit()
    others = [world.outsider, world.beta]
    assert slot not in [s.id for s in await queries.free_common_slots(db, world.fair, others, NOW)]
    await operations.cancel_meeting(db, world.fair, world.buyer, meeting.id, "", now=NOW)
    await db.commit()
    assert slot in [s.id for s in await queries.free_common_slots(db, world.fair, others, NOW)]


async def test_cancelled_meetings_never_hide_every_slot(db, world):
    """Cancelled meetings have no active slot; counted as a NULL slot, they once made every
    slot look full (NOT IN with a NULL) as soon as there were as many as tables."""
    for sender, firm, slot in ((world.buyer, "Alpha Srl", 0), (world.outsider, "Beta Ltd", 1)):
        outcome = await operations.send_request(
            db, world.fair, sender, world.firms[firm].id, "", now=NOW
        )
        staff = world.alpha if firm == "Alpha Srl" else world.beta
        accepted = await operations.accept_request(
            db, world.fair, staff, outcome.request.id, world.slots[slot].id, NOW
        )
        await operations.cancel_meeting(db, world.fair, sender, accepted.meeting.id, "", now=NOW)
        await db.commit()
    free = await queries.free_common_slots(db, world.fair, [world.buyer, world.beta], NOW)
    assert len(free) == len(world.slots)  # the world's fair has two tables, both cancelled
