"""Writers at the same moment: fifty accepts for one buyer's slot (one meeting, 49 refusals),
accepts against a cap, and a publish racing its requests' cancels."""

import asyncio
import contextlib
from datetime import date, time

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.util import await_only

from rooms import demo as rooms_demo
from rooms import operations, queries, setup
from rooms.errors import MeetingError
from rooms.models import Meeting, MeetingAttendee, MeetingRequest, MeetingStatus, RequestStatus
from rooms.optimising import instance, runs
from rooms.optimising.publish import publish_run
from rooms.optimising.worker import solve_data
from server.app import seed_demo
from server.db import Database
from server.demo import DEMO_LOGINS
from server.fairs.models import Fair, Participant, Role
from server.identity.models import Firm, User
from tests.rooms.conftest import NOW, person
from tests.support.factories import make_fair

pytestmark = pytest.mark.slow  # many writers at once: left out of make test-fast

WRITERS = 50


async def count(db, model, *where) -> int:
    return await db.scalar(select(func.count()).select_from(model).where(*where))


async def test_fifty_concurrent_accepts_for_one_slot_book_exactly_one(fresh_url, app):
    passwords = app.other_asgi_app.state.platform.passwords
    pool = {} if fresh_url.startswith("sqlite") else {"pool_size": WRITERS + 5}
    database = Database.from_url(fresh_url, **pool)
    try:
        async with database.session() as db:
            fair = await make_fair(db)
            session = await setup.add_session(
                db, fair, day=date(2027, 3, 17), starts=time(9, 30), ends=time(13, 0)
            )
            await db.commit()
            slot_id = session.slots[2].id
            _, buyer = await person(db, passwords, fair, Role.BUYER)
            requests, exhibitors = [], []
            for number in range(WRITERS):
                firm = Firm(name=f"Firm {number}", country="IT")
                db.add(firm)
                await db.flush()
                _, exhibitor = await person(db, passwords, fair, Role.EXHIBITOR, firm)
                outcome = await operations.send_request(db, fair, buyer, firm.id, "", now=NOW)
                await db.commit()
                requests.append(outcome.request.id)
                exhibitors.append(exhibitor)

        start = asyncio.Event()

        async def accept(exhibitor, request_id):
            await start.wait()
            async with database.session() as db:
                try:
                    outcome = await operations.accept_request(
                        db, fair, exhibitor, request_id, slot_id, now=NOW
                    )
                    await db.commit()
                    return outcome.meeting.id
                except MeetingError as refused:
                    await db.rollback()
                    return refused

        tasks = [
            asyncio.create_task(accept(e, r)) for e, r in zip(exhibitors, requests, strict=True)
        ]
        await asyncio.sleep(0)
        start.set()
        results = await asyncio.gather(*tasks)

        booked = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if not isinstance(r, int)]
        assert len(booked) == 1
        assert len(refused) == WRITERS - 1
        assert {r.message for r in refused} == {
            "That slot was just taken. Choose one of the next free ones."
        }
        # each refusal offers the next free slots, the taken one not among them
        assert all(r.free_slots and slot_id not in {s.id for s in r.free_slots} for r in refused)
        async with database.session() as db:
            assert await count(db, Meeting) == 1
            assert await count(db, MeetingAttendee) == 2
            assert await count(db, MeetingAttendee, MeetingAttendee.meeting_id == booked[0]) == 2
            statuses = (
                await db.execute(
                    select(MeetingRequest.status, func.count()).group_by(MeetingRequest.status)
                )
            ).all()
            assert dict(statuses) == {
                RequestStatus.ACCEPTED: 1,
                RequestStatus.PENDING: WRITERS - 1,
            }
    finally:
        await database.dispose()


async def test_concurrent_accepts_in_different_slots_respect_a_cap(fresh_url, app):
    """A buyer one meeting short of their cap: of eight accepts in eight different slots,
    exactly one books; the cap is not exceeded even where the slots do not clash."""
    passwords = app.other_asgi_app.state.platform.passwords
    pool = {} if fresh_url.startswith("sqlite") else {"pool_size": 15}
    database = Database.from_url(fresh_url, **pool)
    try:
        async with database.session() as db:
            fair = await make_fair(db)
            session = await setup.add_session(
                db, fair, day=date(2027, 3, 17), starts=time(9, 30), ends=time(13, 0)
            )
            _, buyer = await person(db, passwords, fair, Role.BUYER)
            buyer.max_meetings = 1
            await db.commit()
            slots = [slot.id for slot in session.slots[:8]]
            pairs = []
            for number in range(8):
                firm = Firm(name=f"Capped {number}", country="IT")
                db.add(firm)
                await db.flush()
                _, exhibitor = await person(db, passwords, fair, Role.EXHIBITOR, firm)
                outcome = await operations.send_request(db, fair, buyer, firm.id, "", now=NOW)
                await db.commit()
                pairs.append((exhibitor, outcome.request.id))

        start = asyncio.Event()

        async def accept(exhibitor, request_id, slot_id):
            await start.wait()
            async with database.session() as db:
                try:
                    await operations.accept_request(
                        db, fair, exhibitor, request_id, slot_id, now=NOW
                    )
                    await db.commit()
                    return "booked"
                except MeetingError as refused:
                    await db.rollback()
                    return refused.message

        tasks = [
            asyncio.create_task(accept(e, r, s)) for (e, r), s in zip(pairs, slots, strict=True)
        ]
        await asyncio.sleep(0)
        start.set()
        results = await asyncio.gather(*tasks)
        assert results.count("booked") == 1
        assert set(results) - {"booked"} == {"The other side has reached their limit of meetings."}
        async with database.session() as db:
            assert await count(db, MeetingAttendee, MeetingAttendee.participant_id == buyer.id) == 1
    finally:
        await database.dispose()


async def test_publishing_while_the_senders_cancel_leaves_no_meeting_on_a_cancelled_request(
    fresh_url, app
):
    """The Malta demo's preview published while senders cancel some of its requests: each
    request ends either placed and accepted, or cancelled with no active meeting."""
    passwords = app.other_asgi_app.state.platform.passwords
    cancelling = 6
    pool = {} if fresh_url.startswith("sqlite") else {"pool_size": cancelling + 5}
    database = Database.from_url(fresh_url, **pool)
    try:
        async with database.session() as db:
            await seed_demo(db, passwords)
            await db.commit()
            fair = await db.scalar(select(Fair).where(Fair.slug == rooms_demo.MALTA))
            organiser = await db.scalar(select(User).where(User.email == DEMO_LOGINS["organiser"]))
            waiting = await queries.accepted_unscheduled(db, fair)
            run = await runs.start_run(db, fair, organiser, 3, len(waiting), now=NOW)
            built = await instance.build(db, fair, NOW)
            assert await runs.claim_run(db, run.id, built, NOW)
            schedule = solve_data(built.data, 3.0, 2)
            assert await runs.finish_run(db, run.id, schedule, NOW)
            await db.commit()
            proposed = sorted(
                instance.key_id(a["meeting"])
                for a in schedule["assignments"]
                if a["meeting"].startswith("r")
            )
            # spread over the publish order, so some are placed before their cancel commits
            picked = proposed[:: len(proposed) // cancelling][:cancelling]
            doomed = [(r, (await db.get(MeetingRequest, r)).sender_id) for r in picked]

        start = asyncio.Barrier(len(doomed) + 1)
        published = asyncio.Event()

        def hold_the_cancel(state):
            # Widen the race window on PostgreSQL: a cancel that has read its request waits
            # before writing until the publish has committed (or a few seconds passed, when the
            # publish waits for it), which is where a cancel reading "no meeting yet" lost the
            # meeting. SQLite serialises the writers: there is no window to widen.
            if (
                state.is_update
                and state.bind_mapper is not None
                and state.bind_mapper.class_ is MeetingRequest
                and state.session.get_bind().dialect.name == "postgresql"
            ):
                with contextlib.suppress(TimeoutError):
                    await_only(asyncio.wait_for(published.wait(), 5.0))

        async def publish():
            await start.wait()
            async with database.session() as db:
                outcome = await publish_run(db, fair, run.id, NOW)
                await db.commit()
            published.set()
            return outcome

        async def cancel(request_id, sender_id):
            await start.wait()
            async with database.session() as db:
                event.listen(db.sync_session, "do_orm_execute", hold_the_cancel)
                me = await db.get(Participant, sender_id)
                try:
                    await operations.cancel_request(db, fair, me, request_id, "Plans changed")
                    await db.commit()
                    return "cancelled"
                except MeetingError as refused:
                    await db.rollback()
                    return refused.message

        outcome, *cancels = await asyncio.gather(publish(), *(cancel(r, s) for r, s in doomed))
        assert cancels == ["cancelled"] * len(doomed)
        assert {r.id for r in outcome.skipped} <= {r for r, _s in doomed}
        async with database.session() as db:
            rows = (
                await db.execute(
                    select(MeetingRequest.id, MeetingRequest.status, Meeting.status)
                    .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
                    .where(MeetingRequest.id.in_(proposed))
                )
            ).all()
            by_request = {request_id: (asked, met) for request_id, asked, met in rows}
            for request_id in proposed:
                asked, met = by_request[request_id]
                if any(request_id == r for r, _s in doomed):
                    assert (asked, met) in {
                        (RequestStatus.CANCELLED, None),  # the publish left it out
                        (RequestStatus.CANCELLED, MeetingStatus.CANCELLED),  # freed by cancel
                    }, request_id
                else:
                    assert (asked, met) == (RequestStatus.ACCEPTED, MeetingStatus.SCHEDULED)
            # every scheduled meeting of the fair has an accepted request, and no cancelled
            # request of the fair holds an active meeting
            scheduled_on = await db.scalars(
                select(MeetingRequest.status)
                .join(Meeting, Meeting.request_id == MeetingRequest.id)
                .where(Meeting.fair_id == fair.id, Meeting.status == MeetingStatus.SCHEDULED)
            )
            assert set(scheduled_on) == {RequestStatus.ACCEPTED}
            active_on_cancelled = await count(
                db,
                Meeting,
                Meeting.fair_id == fair.id,
                Meeting.active_slot_id.is_not(None),
                Meeting.request_id.in_(
                    select(MeetingRequest.id).where(
                        MeetingRequest.status == RequestStatus.CANCELLED
                    )
                ),
            )
            assert active_on_cancelled == 0
    finally:
        await database.dispose()
