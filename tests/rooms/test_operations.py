"""Requests, booking on acceptance, declining, cancelling, expiry, caps and reminders."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rooms import booking, notices, operations, queries, setup
from rooms.errors import MeetingError, NotFound
from rooms.models import (
    Meeting,
    MeetingAttendee,
    MeetingMode,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
)
from server.fairs.models import Attendance, BookingMode
from tests.rooms.conftest import NOW, build_world


async def ask(db, world, sender=None, firm="Alpha Srl", message="Let us talk"):
    outcome = await operations.send_request(
        db, world.fair, sender or world.buyer, world.firms[firm].id, message, now=NOW
    )
    await db.commit()
    return outcome


async def test_a_request_reaches_every_staff_member_of_the_firm(db, world):
    outcome = await ask(db, world)
    assert outcome.request.status == RequestStatus.PENDING
    assert outcome.request.expires_at == NOW + timedelta(hours=48)
    told = {(n.user_id, n.kind) for n in outcome.notices}
    assert told == {
        (world.users["alpha"].id, notices.NEW_REQUEST),
        (world.users["alpha2"].id, notices.NEW_REQUEST),
    }
    assert outcome.notices[0].payload["text"] == "Levante Retail asks you for a meeting."
    lists = await queries.requests_of(db, world.fair, world.alpha2)
    assert [r.id for r in lists.incoming] == [outcome.request.id]
    lists = await queries.requests_of(db, world.fair, world.buyer)
    assert [r.id for r in lists.outgoing] == [outcome.request.id]


async def test_accepting_books_the_first_common_slot_at_a_table(db, world):
    request = (await ask(db, world)).request
    outcome = await operations.accept_request(db, world.fair, world.alpha2, request.id, now=NOW)
    await db.commit()
    meeting = outcome.meeting
    assert meeting.slot_id == world.slots[0].id
    assert (meeting.mode, meeting.table_number, meeting.video_room) == (
        MeetingMode.ONSITE,
        1,
        None,
    )
    assert outcome.request.status == RequestStatus.ACCEPTED
    assert outcome.request.recipient_id == world.alpha2.id  # whoever accepts attends
    assert sorted(a.participant_id for a in meeting.attendees) == sorted(
        [world.buyer.id, world.alpha2.id]
    )
    [told] = outcome.notices
    assert told.user_id == world.users["buyer"].id and told.kind == notices.ACCEPTED
    assert told.payload["text"] == "Alpha Srl accepted your meeting request."
    agenda = await queries.agenda(db, world.fair, world.buyer)
    assert [m.id for m in agenda] == [meeting.id]


async def test_anyone_online_meets_in_a_video_room(db, world):
    world.buyer.attendance = Attendance.ONLINE
    await db.commit()
    request = (await ask(db, world)).request
    meeting = (
        await operations.accept_request(db, world.fair, world.alpha, request.id, now=NOW)
    ).meeting
    assert meeting.mode == MeetingMode.VIDEO and meeting.table_number is None
    assert meeting.video_room.startswith("vr-")


async def test_accept_offers_only_slots_both_sides_have_free(db, world):
    first, second, third = world.slots[:3]
    await setup.set_availability(db, world.fair, world.buyer, Attendance.ONSITE, {first.id})
    other = (await ask(db, world, sender=world.outsider)).request
    await operations.accept_request(db, world.fair, world.alpha, other.id, second.id, now=NOW)
    await db.commit()
    request = (await ask(db, world)).request
    free = await queries.free_common_slots(db, world.fair, [world.buyer, world.alpha], NOW)
    assert free[0].id == third.id and first not in free and second not in free
    with pytest.raises(MeetingError) as refused:
        await operations.accept_request(db, world.fair, world.alpha, request.id, second.id, now=NOW)
    assert refused.value.message == "That slot was just taken. Choose one of the next free ones."
    assert [s.id for s in refused.value.free_slots] == [s.id for s in free[:5]]
    # a colleague is free in the second slot
    meeting = (
        await operations.accept_request(
            db, world.fair, world.alpha2, request.id, second.id, now=NOW
        )
    ).meeting
    assert meeting.slot_id == second.id and meeting.table_number == 2


async def test_full_tables_push_the_meeting_to_the_next_slot(db, passwords):
    world = await build_world(db, passwords, tables=1)
    first = (await ask(db, world)).request
    m1 = (await operations.accept_request(db, world.fair, world.alpha, first.id, now=NOW)).meeting
    second = (await ask(db, world, sender=world.outsider, firm="Beta Ltd")).request
    m2 = (await operations.accept_request(db, world.fair, world.beta, second.id, now=NOW)).meeting
    assert (m1.slot_id, m1.table_number) == (world.slots[0].id, 1)
    assert (m2.slot_id, m2.table_number) == (world.slots[1].id, 1)


async def test_a_second_open_request_between_the_same_firms_is_refused(db, world):
    request = (await ask(db, world)).request
    with pytest.raises(MeetingError) as refused:
        await ask(db, world)
    assert refused.value.message == (
        "You already have an open request with Alpha Srl: answer or cancel it first."
    )
    # the other direction is the same pair
    with pytest.raises(MeetingError):
        await ask(db, world, sender=world.alpha2, firm="Levante Retail")
    await operations.decline_request(db, world.fair, world.alpha, request.id, "Not our field", NOW)
    await db.commit()
    assert (await ask(db, world)).request.status == RequestStatus.PENDING


async def test_own_firm_and_unknown_firms_are_refused(db, world):
    with pytest.raises(MeetingError, match="your own firm"):
        await ask(db, world, sender=world.alpha2, firm="Alpha Srl")
    with pytest.raises(MeetingError, match="takes part"):
        await operations.send_request(db, world.fair, world.buyer, 999999, "", now=NOW)


async def test_decline_tells_the_sender_the_reason(db, world):
    request = (await ask(db, world)).request
    outcome = await operations.decline_request(
        db, world.fair, world.alpha, request.id, "  No budget this year ", NOW
    )
    assert (outcome.request.status, outcome.request.reason) == (
        RequestStatus.DECLINED,
        "No budget this year",
    )
    assert outcome.notices[0].payload["reason"] == "No budget this year"
    lists = await queries.requests_of(db, world.fair, world.buyer)
    assert [r.id for r in lists.past] == [request.id]
    with pytest.raises(MeetingError, match="already answered"):
        await operations.accept_request(db, world.fair, world.alpha, request.id, now=NOW)


async def test_only_the_addressed_firm_answers_and_strangers_see_nothing(db, world):
    request = (await ask(db, world)).request
    with pytest.raises(MeetingError, match="Only the firm"):
        await operations.accept_request(db, world.fair, world.buyer, request.id, now=NOW)
    for stranger in (world.beta, world.outsider, world.organiser):
        assert await queries.request_for(db, world.fair, stranger, request.id) is None
        with pytest.raises(NotFound):
            await operations.accept_request(db, world.fair, stranger, request.id, now=NOW)
        with pytest.raises(NotFound):
            await operations.cancel_request(db, world.fair, stranger, request.id, now=NOW)
        with pytest.raises(NotFound):
            await operations.decline_request(db, world.fair, stranger, request.id, "", NOW)


async def test_another_fairs_request_is_not_found(db, passwords, world):
    other = await build_world(db, passwords)
    request = (await ask(db, other)).request
    with pytest.raises(NotFound):
        await operations.accept_request(db, world.fair, world.alpha, request.id, now=NOW)


async def test_cancelling_a_meeting_frees_the_slot_and_the_table(db, world):
    request = (await ask(db, world)).request
    meeting = (
        await operations.accept_request(db, world.fair, world.alpha, request.id, now=NOW)
    ).meeting
    await db.commit()
    with pytest.raises(NotFound):
        await operations.cancel_meeting(db, world.fair, world.beta, meeting.id, now=NOW)
    outcome = await operations.cancel_meeting(db, world.fair, world.buyer, meeting.id, now=NOW)
    await db.commit()
    assert outcome.request.status == RequestStatus.CANCELLED
    assert outcome.meeting.status == MeetingStatus.CANCELLED
    assert [n.user_id for n in outcome.notices] == [world.users["alpha"].id]
    assert outcome.notices[0].payload["text"] == "Levante Retail cancelled the meeting request."
    assert await queries.agenda(db, world.fair, world.buyer) == []
    # the same slot and table can be booked again, by the same people
    again = (await ask(db, world)).request
    rebooked = (
        await operations.accept_request(db, world.fair, world.alpha, again.id, meeting.slot_id, NOW)
    ).meeting
    assert (rebooked.slot_id, rebooked.table_number) == (meeting.slot_id, 1)


async def test_only_the_sender_withdraws_a_pending_request(db, world):
    request = (await ask(db, world)).request
    with pytest.raises(MeetingError, match="Decline the request instead"):
        await operations.cancel_request(db, world.fair, world.alpha, request.id, now=NOW)
    outcome = await operations.cancel_request(db, world.fair, world.buyer, request.id, now=NOW)
    assert outcome.request.status == RequestStatus.CANCELLED
    assert {n.user_id for n in outcome.notices} == {
        world.users["alpha"].id,
        world.users["alpha2"].id,
    }


async def test_unanswered_requests_expire_once(db, world):
    request = (await ask(db, world)).request
    assert await operations.expire_requests(db, NOW + timedelta(hours=47)) == []
    later = NOW + timedelta(hours=48)
    told = await operations.expire_requests(db, later)
    await db.commit()
    assert [(n.user_id, n.kind) for n in told] == [(world.users["buyer"].id, notices.EXPIRED)]
    assert await operations.expire_requests(db, later) == []
    await db.refresh(request)
    assert request.status == RequestStatus.EXPIRED and request.open_pair is None


async def test_a_request_past_its_expiry_cannot_be_accepted(db, world):
    request = (await ask(db, world)).request
    with pytest.raises(MeetingError, match="expired"):
        await operations.accept_request(
            db, world.fair, world.alpha, request.id, now=NOW + timedelta(days=3)
        )


async def test_the_meeting_cap_is_respected(db, world):
    world.buyer.max_meetings = 1
    await db.commit()
    first = (await ask(db, world)).request
    await operations.accept_request(db, world.fair, world.alpha, first.id, now=NOW)
    second = (await ask(db, world, firm="Beta Ltd")).request
    with pytest.raises(MeetingError, match="limit of meetings"):
        await operations.accept_request(db, world.fair, world.beta, second.id, now=NOW)


async def test_reminders_go_out_once_five_minutes_before(db, world):
    request = (await ask(db, world)).request
    meeting = (
        await operations.accept_request(db, world.fair, world.alpha, request.id, now=NOW)
    ).meeting
    await db.commit()
    starts = world.slots[0].starts_at
    assert await operations.remind_meetings(db, starts - timedelta(minutes=6)) == []
    told = await operations.remind_meetings(db, starts - timedelta(minutes=5))
    assert {(n.user_id, n.kind, n.payload["meeting"]) for n in told} == {
        (world.users["buyer"].id, notices.STARTING, meeting.id),
        (world.users["alpha"].id, notices.STARTING, meeting.id),
    }
    buyer_text = next(n for n in told if n.user_id == world.users["buyer"].id).payload["text"]
    assert buyer_text == "Your meeting with Alpha Srl starts in 5 minutes (table 1)."
    assert await operations.remind_meetings(db, starts - timedelta(minutes=2)) == []


async def test_organiser_mode_waits_for_the_optimiser_then_places(db, passwords):
    world = await build_world(db, passwords, booking_mode=BookingMode.ORGANISER)
    first = (await ask(db, world)).request
    second = (await ask(db, world, firm="Beta Ltd")).request
    outcome = await operations.accept_request(db, world.fair, world.alpha, first.id, now=NOW)
    await operations.accept_request(db, world.fair, world.beta, second.id, now=NOW)
    await db.commit()
    assert outcome.meeting is None and outcome.request.status == RequestStatus.ACCEPTED
    waiting = await queries.accepted_unscheduled(db, world.fair)
    assert [r.id for r in waiting] == [first.id, second.id]
    slot = world.slots[0].id
    # the buyer cannot be in two meetings in one slot: nothing is written
    with pytest.raises(MeetingError, match="clashes"):
        await booking.place_meetings(db, world.fair, [(first.id, slot, 1), (second.id, slot, 2)])
    assert await db.scalar(select(func.count()).select_from(Meeting)) == 0
    placed = await booking.place_meetings(
        db, world.fair, [(first.id, slot, 1), (second.id, world.slots[1].id, None)]
    )
    await db.commit()
    assert [(m.slot_id, m.table_number, m.mode) for m in placed] == [
        (slot, 1, MeetingMode.ONSITE),
        (world.slots[1].id, None, MeetingMode.VIDEO),
    ]
    assert await queries.accepted_unscheduled(db, world.fair) == []


async def _insert(db, world, slot, table, people):
    meeting = Meeting(
        fair_id=world.fair.id,
        slot_id=slot.id,
        active_slot_id=slot.id,
        mode=MeetingMode.ONSITE,
        table_number=table,
    )
    meeting.attendees = [
        MeetingAttendee(
            fair_id=world.fair.id, participant_id=p.id, slot_id=slot.id, active_slot_id=slot.id
        )
        for p in people
    ]
    db.add(meeting)
    await db.flush()
    return meeting


async def test_the_database_refuses_a_participant_twice_in_one_slot(db, world):
    slot = world.slots[0]
    await _insert(db, world, slot, 1, [world.buyer, world.alpha])
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            await _insert(db, world, slot, 2, [world.buyer, world.beta])


async def test_the_database_refuses_two_meetings_at_one_table(db, world):
    slot = world.slots[0]
    await _insert(db, world, slot, 1, [world.buyer, world.alpha])
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            await _insert(db, world, slot, 1, [world.outsider, world.beta])
    # a cancelled meeting holds nothing
    first = await db.scalar(select(Meeting))
    await operations._free_meeting(db, first, NOW)
    await _insert(db, world, slot, 1, [world.outsider, world.beta])
    assert await db.scalar(select(func.count()).select_from(MeetingRequest)) == 0
