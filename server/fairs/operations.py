"""Changes to who takes part in a fair."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.fairs.models import Attendance, Fair, Participant, Role
from server.identity.models import User


async def join_as_buyer(
    db: AsyncSession, fair: Fair, user: User, attendance: Attendance
) -> Participant:
    """Register the user as a buyer of a published fair (a second join changes nothing)."""
    participant = Participant(
        fair_id=fair.id, user_id=user.id, role=Role.BUYER, attendance=attendance
    )
    db.add(participant)
    try:
        await db.flush()
    except IntegrityError:  # already taking part: keep what they had
        await db.rollback()
    return participant
