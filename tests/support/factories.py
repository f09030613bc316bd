"""Factories for rows the tests need; each returns the row, committed to the test's session."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server.fairs.models import Attendance, Fair, Hall, Participant, Role, Sector
from server.identity.models import Firm, User
from server.identity.passwords import Passwords

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


async def make_fair(db: AsyncSession, **overrides) -> Fair:
    number = next(_numbers)
    values = dict(
        slug=f"fair-{number}",
        name=f"Test Fair {number}",
        venue="Fiera del Levante",
        city="Bari",
        time_zone="Europe/Rome",
        starts_at=datetime(2027, 3, 17, 8, 30, tzinfo=UTC),
        ends_at=datetime(2027, 3, 18, 17, 0, tzinfo=UTC),
        published=True,
    )
    values.update(overrides)
    fair = Fair(**values)
    fair.halls = [
        Hall(slug="basilicata", name="Basilicata", region="Basilicata", country="IT"),
        Hall(slug="attica", name="Attica", region="Attica", country="GR", position=1),
    ]
    fair.sectors = [Sector(slug="ict", name="ICT")]
    db.add(fair)
    await db.commit()
    return fair


async def make_user(db: AsyncSession, passwords: Passwords, **overrides) -> User:
    number = next(_numbers)
    values = dict(
        email=f"user{number}@example.com",
        name=f"User {number}",
        language="en",
        time_zone="Europe/Rome",
    )
    values.update(overrides)
    password = values.pop("password", PASSWORD)
    firm_name = values.pop("firm", None)
    if firm_name:
        firm = Firm(name=firm_name, country="IT", region="Basilicata", city="Matera")
        db.add(firm)
        await db.flush()
        values["firm_id"] = firm.id
    user = User(password_hash=passwords.hash_sync(password), **values)
    db.add(user)
    await db.commit()
    return user


async def make_participant(
    db: AsyncSession, fair: Fair, user: User, role: Role, attendance=Attendance.ONSITE
) -> Participant:
    participant = Participant(fair_id=fair.id, user_id=user.id, role=role, attendance=attendance)
    db.add(participant)
    await db.commit()
    return participant
