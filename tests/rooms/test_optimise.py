"""Organiser mode: the instance built from the database, the run record (one at a time per
fair), publishing all or nothing, and refusing a preview that the requests have outgrown."""

import asyncio
import os
import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rooms import booking, operations, setup
from rooms.models import Meeting, MeetingStatus, RunStatus, ScheduleRun
from rooms.optimising import instance, preview, publish, runs, tables
from rooms.scheduling import parse_instance, validate_schedule
from server.fairs.models import Attendance, BookingMode
from tests.rooms.conftest import NOW, build_world


async def test_the_instance_holds_slots_people_requests_and_booked_meetings(db, organised):
    w = organised
    w.beta.attendance = Attendance.ONLINE
    w.alpha.max_meetings = 3
    await setup.save_settings(
        db,
        w.fair,
        slot_minutes=20,
        break_minutes=0,
        tables=2,
        request_expiry_hours=48,
        max_meetings=2,
        booking_mode=BookingMode.ORGANISER,
    )
    await setup.set_availability(db, w.fair, w.buyer, Attendance.ONSITE, {w.slots[0].id})
    # the outsider marks the slot of their own booked meeting too: it stays theirs
    await setup.set_availability(
        db, w.fair, w.outsider, Attendance.ONSITE, {w.slots[1].id, w.slots[3].id}
    )
    await db.commit()
    built = await instance.build(db, w.fair, NOW)
    data = built.data
    assert [s["id"] for s in data["slots"]] == [f"s{s.id}" for s in w.slots]
    assert {s["session"] for s in data["slots"]} == {"day1-morning"}
    assert data["tables"] == 2
    assert set(built.requests) == {f"r{r.id}" for r in w.requests[:3]}
    fixed = built.fixed
    assert list(fixed.values()) == [w.booked.id]
    people = {p["id"]: p for p in data["participants"]}
    assert people[f"p{w.beta.id}"]["mode"] == "online"
    assert people[f"p{w.alpha.id}"]["max_meetings"] == 3  # own cap beats the fair's
    assert people[f"p{w.buyer.id}"]["max_meetings"] == 2
    assert people[f"p{w.buyer.id}"]["unavailable"] == [f"s{w.slots[0].id}"]
    assert people[f"p{w.outsider.id}"]["unavailable"] == [f"s{w.slots[1].id}"]
    meetings = {m["id"]: m for m in data["meetings"]}
    (fixed_key,) = fixed
    assert meetings[fixed_key]["fixed_slot"] == f"s{w.slots[3].id}"
    assert meetings[f"r{w.requests[0].id}"]["participants"] == [
        f"p{w.buyer.id}",
        f"p{w.alpha.id}",
    ]
    assert built.tables_in_use == {w.slots[3].id: {1}}
    parse_instance(data)  # a valid instance of the format


async def test_past_slots_are_left_out_and_their_meetings_count_against_caps(db, organised):
    w = organised
    w.outsider.max_meetings = 4
    await db.commit()
    later = w.slots[5].starts_at  # slots 0-5 have started
    data = (await instance.build(db, w.fair, later)).data
    assert len(data["slots"]) == len(w.slots) - 6
    assert not [m for m in data["meetings"] if m["id"].startswith("m")]
    people = {p["id"]: p for p in data["participants"]}
    assert people[f"p{w.outsider.id}"]["max_meetings"] == 3


async def test_the_booked_tables_read_alone_agree_with_the_whole_instance(db, organised):
    w = organised
    # one more at a table (slot 5, table 2) and one by video (slot 6), besides slot 3, table 1
    await booking.place_meetings(
        db, w.fair, [(w.requests[0].id, w.slots[5].id, 2), (w.requests[1].id, w.slots[6].id, None)]
    )
    await db.commit()
    assert await instance.tables_in_use(db, w.fair, NOW) == {
        w.slots[3].id: {1},
        w.slots[5].id: {2},
    }
    for now in (NOW, w.slots[3].starts_at, w.slots[4].starts_at, w.slots[6].starts_at):
        whole = await instance.build(db, w.fair, now)
        assert await instance.tables_in_use(db, w.fair, now) == whole.tables_in_use, now


def test_new_meetings_take_the_lowest_tables_no_booked_meeting_holds():
    rows = [
        ("m9", 10, True),  # booked at table 1
        ("r1", 10, True),
        ("r2", 10, True),
        ("r3", 10, False),  # someone online: a video room
        ("m8", 11, True),  # booked by video, everyone on site now
        ("r4", 11, True),
        ("m7", 11, False),  # booked at table 5, someone online now
    ]
    in_use = {10: {1, 3}, 11: {5}}
    booked = {"m9": 1, "m8": None, "m7": 5}
    assert tables.number(rows, in_use, booked) == [
        ("m9", 10, 1),
        ("r1", 10, 2),
        ("r2", 10, 4),
        ("r3", 10, None),
        ("m8", 11, 1),
        ("r4", 11, 2),
        ("m7", 11, None),
    ]


async def test_the_preview_is_read_from_the_run_once_and_names_both_sides(
    db, organised, finished_run
):
    w = organised
    run, _built, schedule = finished_run
    solved, proposed = runs.proposal(run)
    assert runs.proposal(run) == (solved, proposed)
    assert runs.proposal(run)[0] is solved  # a reload parses nothing again
    assert {a.meeting for a in proposed.assignments} == {
        row["meeting"] for row in schedule["assignments"]
    }
    shown = await preview.build_preview(db, w.fair, run, NOW)
    cells = [cell for _slot, row in shown.rows() for cell in row if cell is not None]
    assert sorted(cell.names for cell in cells if cell.proposed) == [
        ("Gamma Spa", "Alpha Srl"),
        ("Levante Retail", "Alpha Srl"),
        ("Levante Retail", "Beta Ltd"),
    ]
    assert [sorted(cell.names) for cell in cells if not cell.proposed] == [
        ["Delta Oy", "Gamma Spa"]
    ]


async def meetings_of(db, fair_id: int) -> int:
    return await db.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(Meeting.fair_id == fair_id, Meeting.status != MeetingStatus.CANCELLED)
    )


async def test_a_run_publishes_every_proposed_meeting_and_tells_both_sides(
    db, organised, finished_run
):
    w = organised
    run, built, schedule = finished_run
    assert validate_schedule(parse_instance(built.data), schedule) == []
    figures = runs.figures(built.data, schedule)
    assert (figures["requested"], figures["placed"], figures["fixed"]) == (3, 3, 1)
    shown = await preview.build_preview(db, w.fair, run, NOW)
    assert len(shown.at_table) + len(shown.video) == 3
    # the booked meeting keeps table 1 in its slot; proposals there take other tables
    assert (w.slots[3].id, 1) not in shown.at_table
    published = await publish.publish_run(db, w.fair, run.id, NOW)
    await db.commit()
    assert len(published.meetings) == 3
    assert await meetings_of(db, w.fair.id) == 4
    assert len(published.notices) == 6  # both sides of three meetings
    assert {n.kind for n in published.notices} == {publish.SCHEDULED}
    told = {n.user_id for n in published.notices}
    assert told == {w.users[k].id for k in ("buyer", "alpha", "beta", "outsider", "alpha2")}
    assert "is scheduled (table" in published.notices[0].payload["text"]
    assert (await db.get(ScheduleRun, run.id, populate_existing=True)).status == "published"
    with pytest.raises(runs.RunError, match="already published"):
        await publish.publish_run(db, w.fair, run.id, NOW)


async def test_a_publish_leaves_out_a_request_cancelled_since_the_run(db, organised, finished_run):
    w = organised
    run, _built, _schedule = finished_run
    first = w.requests[0]
    await operations.cancel_request(db, w.fair, w.buyer, first.id, "", now=NOW)
    await db.commit()
    published = await publish.publish_run(db, w.fair, run.id, NOW)
    await db.commit()
    assert [r.id for r in published.skipped] == [first.id]
    assert sorted(m.request_id for m in published.meetings) == [r.id for r in w.requests[1:3]]
    assert await meetings_of(db, w.fair.id) == 3  # two new and the one booked before
    assert {n.user_id for n in published.notices} == {
        w.users[k].id for k in ("buyer", "beta", "outsider", "alpha2")
    }
    assert (await db.get(ScheduleRun, run.id, populate_existing=True)).status == "published"


@pytest.mark.parametrize("change", ["placed", "unavailable"])
async def test_a_stale_preview_is_refused_and_nothing_is_written(
    db, organised, change, finished_run
):
    w = organised
    run, _built, schedule = finished_run
    first = w.requests[0]
    if change == "placed":
        await booking.place_meetings(db, w.fair, [(first.id, w.slots[9].id, 2)])
    else:
        slot = next(a["slot"] for a in schedule["assignments"] if a["meeting"] == f"r{first.id}")
        await setup.set_availability(
            db, w.fair, w.alpha, Attendance.ONSITE, {instance.key_id(slot)}
        )
    await db.commit()
    fair_id, run_id = w.fair.id, run.id
    before = await meetings_of(db, fair_id)
    with pytest.raises(runs.RunError, match="changed since this run"):
        await publish.publish_run(db, w.fair, run_id, NOW)
    await db.rollback()
    assert await meetings_of(db, fair_id) == before
    status = await db.scalar(select(ScheduleRun.status).where(ScheduleRun.id == run_id))
    assert status == RunStatus.DONE


async def test_a_second_run_is_refused_while_one_is_under_way(db, organised):
    w = organised
    first = await runs.start_run(db, w.fair, w.users["organiser"], 3, 3, now=NOW)
    await db.commit()
    with pytest.raises(runs.RunError, match="already running"):
        await runs.start_run(db, w.fair, w.users["organiser"], 3, 3, now=NOW)
    # the database itself refuses it, whatever the code above checks
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            db.add(
                ScheduleRun(
                    fair_id=w.fair.id,
                    active_fair_id=w.fair.id,
                    status=RunStatus.QUEUED,
                    time_limit=3,
                    error="",
                )
            )
    # a run of another host's process is given up after its time limit and a grace
    first.owner = "another-host:4242:0123456789ab"
    await db.commit()
    with pytest.raises(runs.RunError, match="already running"):
        await runs.start_run(db, w.fair, w.users["organiser"], 3, 3, now=NOW)
    later = NOW + timedelta(seconds=3) + runs.LOST_AFTER + timedelta(seconds=1)
    second = await runs.start_run(db, w.fair, w.users["organiser"], 3, 3, now=later)
    await db.commit()
    await db.refresh(first)
    assert first.status == RunStatus.FAILED and second.status == RunStatus.QUEUED
    assert first.error == runs.STOPPED


@pytest.mark.parametrize("owner", ["ended process", "earlier process with this pid"])
async def test_a_run_whose_process_is_gone_is_failed_at_once(db, organised, owner):
    w = organised
    first = await runs.start_run(db, w.fair, w.users["organiser"], 60, 3, now=NOW)
    assert first.owner == runs.this_process()
    assert not runs.is_lost(first, NOW)  # this very process runs it
    host = socket.gethostname()
    if owner == "ended process":
        child = await asyncio.create_subprocess_exec("true")
        await child.wait()  # ended and reaped
        first.owner = f"{host}:{child.pid}:0123456789ab"
    else:  # a server restarted in a container gets the pid of the one that was killed
        first.owner = f"{host}:{os.getpid()}:0123456789ab"
    await db.commit()
    second = await runs.start_run(db, w.fair, w.users["organiser"], 3, 3, now=NOW)
    await db.commit()
    await db.refresh(first)
    assert (first.status, first.error) == (RunStatus.FAILED, runs.STOPPED)
    assert second.status == RunStatus.QUEUED
    assert preview.failure_in_words(first) == (
        "The optimiser stopped unexpectedly; start it again."
    )


async def test_starting_needs_waiting_requests_and_an_offered_limit(db, passwords):
    w = await build_world(db, passwords, booking_mode=BookingMode.ORGANISER)
    with pytest.raises(runs.RunError, match="No accepted request"):
        await runs.start_run(db, w.fair, w.users["organiser"], 3, 0, now=NOW)
    with pytest.raises(runs.RunError, match="time limits"):
        await runs.start_run(db, w.fair, w.users["organiser"], 7, 3, now=NOW)


def test_reasons_are_said_with_names():
    names = {"p4": "Karen Zammit (Mdina Logistics)"}
    assert (
        preview.reason_in_words("participant p4 reached max_meetings 5", names)
        == "Karen Zammit (Mdina Logistics) has reached their limit of 5 meetings."
    )
    assert (
        preview.reason_in_words("no free table in any slot all participants can do", names)
        == "Every table is taken in the slots both sides can do."
    )
