"""Fifty people accept at the same moment, all for one buyer's slot: one meeting, 49 refusals."""

import asyncio
from datetime import date, time

from sqlalchemy import func, select

from rooms import operations, setup
from rooms.errors import MeetingError
from rooms.models import Meeting, MeetingAttendee, MeetingRequest, RequestStatus
from server.db import Database
from server.fairs.models import Role
from server.identity.models import Firm
from tests.rooms.conftest import NOW, person
from tests.support.factories import make_fair

WRITERS = 50


async def count(db, model, *where) -> int:
    return await db.scalar(select(func.count()).select_from(model).where(*where))


async def test_fifty_concurrent_accepts_for_one_slot_book_exactly_one(fresh_url, app):
    passwords = app.other_asgi_app.state.passwords
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
            async with database.write_session() as db:
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
    passwords = app.other_asgi_app.state.passwords
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
            async with database.write_session() as db:
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
