"""A fair with a video meeting between the buyer and Alpha, a clock the tests move, and the
people who may or may not enter its room."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from jinja2 import ChoiceLoader, DictLoader

from rooms import booking
from rooms.models import Meeting
from server.app import create_app
from server.fairs.models import Role
from server.identity.models import User
from tests.rooms.conftest import World, build_world
from tests.support.factories import make_fair, make_participant, make_user
from tests.support.settings import make_settings

# Until the browser client's templates land (web/templates/rooms/room.html and
# device_check.html, another engineer's), these stand in for them in the tests only: the real
# ones come first in the loader, so the tests read them once they exist.
PLACEHOLDERS = {
    "rooms/room.html": (
        "<main><h1>{{ kind }} {{ room }}</h1><p>role {{ role }}</p>"
        "<p>opens {{ opens_at }} closes {{ closes_at }}</p>"
        "{% for o in others %}<p class=other>{{ o.name }} · {{ o.firm }}</p>{% endfor %}"
        "<p>{{ strings.leave }}</p></main>"
    ),
    "rooms/device_check.html": "<main><h1>Device check {{ fair.name }}</h1></main>",
}


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


def with_placeholders(app) -> None:
    """Let the app render the room templates even before the client's land."""
    env = app.other_asgi_app.state.platform.templates.env
    env.loader = ChoiceLoader([env.loader, DictLoader(PLACEHOLDERS)])


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
    with_placeholders(app)
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
