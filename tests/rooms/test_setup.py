"""The organiser's agenda set-up: slots derived in the fair's zone, across DST too."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from rooms import operations, queries, setup, slots
from server.fairs.models import Attendance, BookingMode
from server.forms import FormError
from tests.rooms.conftest import NOW
from tests.support.factories import make_fair

ROME = ZoneInfo("Europe/Rome")


def local(slot_times, zone=ROME):
    return [start.astimezone(zone).strftime("%H:%M %Z") for start, _ in slot_times]


def test_a_session_across_the_spring_change_holds_the_slots_of_the_hours_that_pass():
    # 28 March 2027: clocks in Rome go from 02:00 CET to 03:00 CEST
    cut = slots.cut(date(2027, 3, 28), time(1, 0), time(4, 0), ROME, 30, 0)
    assert local(cut) == ["01:00 CET", "01:30 CET", "03:00 CEST", "03:30 CEST"]
    assert cut[0][0] == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)
    assert cut[-1][1] == datetime(2027, 3, 28, 2, 0, tzinfo=UTC)


def test_a_session_across_the_autumn_change_holds_the_repeated_hour():
    # 31 October 2027: 03:00 CEST becomes 02:00 CET, so 01:00-04:00 lasts four hours
    cut = slots.cut(date(2027, 10, 31), time(1, 0), time(4, 0), ROME, 60, 0)
    assert local(cut) == ["01:00 CEST", "02:00 CEST", "02:00 CET", "03:00 CET"]


def test_the_same_wall_clock_session_moves_in_utc_across_the_change():
    before = slots.cut(date(2027, 3, 27), time(9, 30), time(13, 0), ROME, 20, 0)
    after = slots.cut(date(2027, 3, 29), time(9, 30), time(13, 0), ROME, 20, 0)
    assert (before[0][0].hour, after[0][0].hour) == (8, 7)
    assert len(before) == len(after) == 10


def test_breaks_sit_between_slots():
    cut = slots.cut(date(2027, 3, 17), time(9, 30), time(10, 30), ROME, 15, 5)
    assert local(cut) == ["09:30 CET", "09:50 CET", "10:10 CET"]


async def test_sessions_are_cut_in_the_fair_zone_and_overlaps_refused(db):
    fair = await make_fair(db, time_zone="Europe/Athens")
    session = await setup.add_session(
        db, fair, day=date(2027, 3, 17), starts=time(14, 30), ends=time(18, 0)
    )
    assert len(session.slots) == 10
    assert session.slots[0].starts_at == datetime(2027, 3, 17, 12, 30, tzinfo=UTC)
    with pytest.raises(FormError) as refused:
        await setup.add_session(db, fair, day=date(2027, 3, 17), starts=time(17), ends=time(19))
    assert refused.value.errors == {"starts": "This overlaps another session of that day."}
    with pytest.raises(FormError) as refused:
        await setup.add_session(db, fair, day=date(2027, 4, 1), starts=time(9), ends=time(8))
    assert set(refused.value.errors) == {"day", "ends"}


async def test_a_new_slot_length_recuts_the_sessions_until_meetings_are_booked(db, world):
    assert len(world.slots) == 10
    values = dict(
        break_minutes=0,
        tables=2,
        request_expiry_hours=48,
        max_meetings=None,
        booking_mode=BookingMode.ON_ACCEPTANCE,
    )
    await setup.save_settings(db, world.fair, slot_minutes=30, **values)
    await db.commit()
    assert len(await queries.slots(db, world.fair)) == 7
    request = (
        await operations.send_request(
            db, world.fair, world.buyer, world.firms["Alpha Srl"].id, "", now=NOW
        )
    ).request
    await operations.accept_request(db, world.fair, world.alpha, request.id, now=NOW)
    await db.commit()
    with pytest.raises(FormError) as refused:
        await setup.save_settings(db, world.fair, slot_minutes=20, **values)
    assert "Meetings are booked" in refused.value.errors["slot_minutes"]
    with pytest.raises(FormError):
        await setup.remove_session(db, world.fair, world.slots[0].session_id)
    values["tables"] = 0
    with pytest.raises(FormError) as refused:
        await setup.save_settings(db, world.fair, slot_minutes=30, **values)
    assert refused.value.errors == {"tables": "Table 1 has meetings booked."}


async def test_availability_ignores_another_fairs_slots(db, world, passwords):
    from tests.rooms.conftest import build_world

    other = await build_world(db, passwords)
    mine, theirs = world.slots[0].id, other.slots[0].id
    await setup.set_availability(db, world.fair, world.buyer, Attendance.ONLINE, {mine, theirs})
    assert await queries.unavailable_slot_ids(db, world.buyer) == {mine}
    assert world.buyer.attendance == Attendance.ONLINE
