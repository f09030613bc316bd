"""The demo fairs as the world booth tests run in (seeded inside the test's transaction)."""

import pytest

from server.app import seed_demo
from server.fairs.models import Role
from tests.support.factories import make_fair, make_participant, make_user

BARI = "fiera-mediterranea-b2b"
STAFF = "exhibitor@fiera.demo"  # Sassi Digital Lab
OTHER_STAFF = "murgia-software@exhibitors.fiera.demo"
BUYER = "buyer@fiera.demo"
ORGANISER = "organiser@fiera.demo"


@pytest.fixture
async def demo(db, app):
    passwords = app.other_asgi_app.state.passwords
    await seed_demo(db, passwords)
    elsewhere = await make_fair(db, name="Another Fair")
    stranger = await make_user(db, passwords, email="organiser@another.example")
    await make_participant(db, elsewhere, stranger, Role.ORGANISER)
    return {"other_fair": elsewhere.slug, "other_organiser": stranger.email}
