"""The demo world tests read: who is who in the seeded demo, and a fair beside it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.fairs.models import Role
from server.identity.passwords import Passwords
from tests.support.factories import make_fair, make_participant, make_user

BARI = "fiera-mediterranea-b2b"
STAFF = "exhibitor@fiera.demo"  # Sassi Digital Lab
OTHER_STAFF = "murgia-software@exhibitors.fiera.demo"
BUYER = "buyer@fiera.demo"
ORGANISER = "organiser@fiera.demo"


@dataclass(frozen=True)
class DemoWorld:
    """What a seeded demo database holds besides the demo fairs themselves."""

    other_fair: str  # slug of a fair with its own organiser and no booths
    other_organiser: str  # e-mail of that organiser, who has no role in the demo fairs


@dataclass(frozen=True)
class SeededDemo:
    """A committed database holding the demo world."""

    url: str
    world: DemoWorld


async def seed_beside_the_demo(db: AsyncSession, passwords: Passwords) -> DemoWorld:
    """Add another fair with its own organiser to a seeded demo, committed."""
    elsewhere = await make_fair(db, name="Another Fair")
    stranger = await make_user(db, passwords, email="organiser@another.example")
    await make_participant(db, elsewhere, stranger, Role.ORGANISER)
    return DemoWorld(other_fair=elsewhere.slug, other_organiser=stranger.email)
