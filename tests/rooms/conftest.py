"""A small fair with an agenda, a buyer and two exhibiting firms, for the meeting tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from rooms import booking, operations, setup
from rooms.models import Slot
from rooms.optimising import instance, runs
from rooms.optimising.worker import solve_data
from server.fairs.models import Attendance, BookingMode, Fair, Participant, Role
from server.identity.models import Firm, User
from tests.support.factories import make_fair, make_participant, make_user

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # two weeks before the fair


@dataclass
class World:
    fair: Fair
    slots: list[Slot]
    buyer: Participant
    alpha: Participant  # exhibitor of Alpha Srl
    alpha2: Participant  # a colleague at Alpha Srl
    beta: Participant  # exhibitor of Beta Ltd
    outsider: Participant  # a buyer of another firm
    organiser: Participant
    firms: dict[str, Firm]
    users: dict[str, User]


async def person(db, passwords, fair, role, firm=None, attendance=Attendance.ONSITE, **kw):
    user = await make_user(db, passwords, **kw)
    if firm is not None:
        user.firm_id = firm.id
        await db.commit()
    return user, await make_participant(db, fair, user, role, attendance)


async def firm(db: AsyncSession, name: str) -> Firm:
    row = Firm(name=name, country="IT", region="Basilicata", city="Matera")
    db.add(row)
    await db.commit()
    return row


async def build_world(db, passwords, booking_mode=BookingMode.ON_ACCEPTANCE, tables=2) -> World:
    fair = await make_fair(db, booking_mode=booking_mode)
    await setup.save_settings(
        db,
        fair,
        slot_minutes=20,
        break_minutes=0,
        tables=tables,
        request_expiry_hours=48,
        max_meetings=None,
        booking_mode=booking_mode,
    )
    session = await setup.add_session(
        db, fair, day=date(2027, 3, 17), starts=time(9, 30), ends=time(13, 0), label="Morning"
    )
    await db.commit()
    firms = {
        name: await firm(db, name)
        for name in ("Levante Retail", "Alpha Srl", "Beta Ltd", "Gamma Spa")
    }
    users = {}
    users["buyer"], buyer = await person(db, passwords, fair, Role.BUYER, firms["Levante Retail"])
    users["alpha"], alpha = await person(db, passwords, fair, Role.EXHIBITOR, firms["Alpha Srl"])
    users["alpha2"], alpha2 = await person(db, passwords, fair, Role.EXHIBITOR, firms["Alpha Srl"])
    users["beta"], beta = await person(db, passwords, fair, Role.EXHIBITOR, firms["Beta Ltd"])
    users["outsider"], outsider = await person(db, passwords, fair, Role.BUYER, firms["Gamma Spa"])
    users["organiser"], organiser = await person(db, passwords, fair, Role.ORGANISER)
    return World(
        fair, list(session.slots), buyer, alpha, alpha2, beta, outsider, organiser, firms, users
    )


@pytest.fixture
def passwords(app):
    return app.other_asgi_app.state.platform.passwords


@pytest.fixture
async def world(db, passwords) -> World:
    return await build_world(db, passwords)


@pytest.fixture
async def organised(db, passwords) -> World:
    """An organiser-mode fair with three accepted requests waiting and one meeting placed."""
    world = await build_world(db, passwords, booking_mode=BookingMode.ORGANISER)
    world.firms["Delta Oy"] = await firm(db, "Delta Oy")
    world.users["delta"], world.delta = await person(
        db, passwords, world.fair, Role.EXHIBITOR, world.firms["Delta Oy"]
    )
    asks = [
        (world.buyer, "Alpha Srl", world.alpha),
        (world.buyer, "Beta Ltd", world.beta),
        (world.outsider, "Alpha Srl", world.alpha2),
        (world.outsider, "Delta Oy", world.delta),
    ]
    world.requests = []
    for sender, firm_name, answerer in asks:
        sent = await operations.send_request(
            db, world.fair, sender, world.firms[firm_name].id, "", now=NOW
        )
        await operations.accept_request(db, world.fair, answerer, sent.request.id, now=NOW)
        world.requests.append(sent.request)
    # the last one is already placed (slot 3, table 1): it becomes a fixed meeting
    (world.booked,) = await booking.place_meetings(
        db, world.fair, [(world.requests[3].id, world.slots[3].id, 1)]
    )
    await db.commit()
    return world


@pytest.fixture
async def finished_run(db, organised):
    """An optimiser run over the organised fair, finished and not yet published."""
    w = organised
    run = await runs.start_run(db, w.fair, w.users["organiser"], 3, 3, now=NOW)
    built = await instance.build(db, w.fair, NOW)
    assert await runs.claim_run(db, run.id, built, NOW)
    schedule = solve_data(built.data, 3.0, 2)
    assert await runs.finish_run(db, run.id, schedule, NOW)
    await db.commit()
    await db.refresh(run)
    return run, built, schedule
