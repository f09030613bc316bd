"""A fair with a video meeting between the buyer and Alpha, a clock the tests move, and the
people who may or may not enter its room."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest

from rooms import booking
from rooms.models import Meeting
from server.app import create_app
from server.fairs.models import Role
from server.identity.models import User
from tests.rooms.conftest import World, build_world
from tests.support.factories import make_fair, make_participant, make_user
from tests.support.settings import make_settings


class Clock:
    """A clock that stands still where the test puts it."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@dataclass
class RoomWorld:
    world: World
    meeting: Meeting
    stranger: User  # takes part in another fair only
    other_fair: str

    @property
    def starts_at(self) -> datetime:
        return self.meeting.slot.starts_at


async def build_room_world(db, passwords) -> RoomWorld:
    """The meeting world, a video meeting of the buyer and Alpha in slot 2, and a stranger."""
    world = await build_world(db, passwords)
    slot = world.slots[2]
    meeting = await booking.book(db, world.fair, None, [world.buyer, world.alpha], slot, None, 1)
    await db.commit()
    elsewhere = await make_fair(db, name="Elsewhere Fair")
    stranger = await make_user(db, passwords, email="stranger@elsewhere.example")
    await make_participant(db, elsewhere, stranger, Role.BUYER)
    await db.commit()
    meeting.slot = slot
    return RoomWorld(world, meeting, stranger, elsewhere.slug)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2027, 3, 1, 9, 0).astimezone())


@pytest.fixture
def settings(migrated_url, var_dir, clock):
    return replace(make_settings(migrated_url, var_dir), clock=clock)


@pytest.fixture
def app(settings, database):
    app = create_app(settings, database)
    return app


@pytest.fixture
async def rooms_world(db, passwords, clock) -> RoomWorld:
    found = await build_room_world(db, passwords)
    clock.at = found.starts_at
    return found


def moments(found: RoomWorld) -> dict[str, datetime]:
    """The clock for each state of the room (slot 2 of 20 minutes, room opens 5 before)."""
    start = found.starts_at
    return {
        "open": start + timedelta(minutes=1),
        "not-open": start - timedelta(minutes=10),
        "closed": start + timedelta(minutes=40),
    }
