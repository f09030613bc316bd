"""Reads about fairs: listings, one fair with its halls and sectors, a user's participation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.fairs.models import Fair, Hall, Participant, Role
from server.identity.models import Firm, User


async def visible_fairs(db: AsyncSession, user: User | None) -> list[Fair]:
    """Published fairs, plus unpublished ones the user organises, soonest first."""
    condition: ColumnElement[bool] = Fair.published.is_(True)
    if user is not None:
        organised = select(Participant.fair_id).where(
            Participant.user_id == user.id, Participant.role == Role.ORGANISER
        )
        condition = or_(condition, Fair.id.in_(organised))
    result = await db.scalars(
        select(Fair).where(condition).order_by(Fair.starts_at).options(selectinload(Fair.halls))
    )
    return list(result)


SLUG_MAX = 80  # the length of the slug columns


def could_be_slug(value: str) -> bool:
    """Whether a path segment may name a fair, hall or booth at all; others match nothing."""
    # PostgreSQL refuses a NUL in text with an error (a 500), and no slug holds a control
    # character or outgrows its column: such a segment is answered "not found" before any query
    return 0 < len(value) <= SLUG_MAX and value.isprintable()


async def participation(db: AsyncSession, fair: Fair, user: User | None) -> Participant | None:
    if user is None:
        return None
    return await db.scalar(
        select(Participant).where(Participant.fair_id == fair.id, Participant.user_id == user.id)
    )


async def fair_for(
    db: AsyncSession, slug: str, user: User | None
) -> tuple[Fair, Participant | None] | None:
    """The fair behind a slug as this user may see it, or None (unknown, or hidden from them)."""
    if not could_be_slug(slug):
        return None
    fair = await db.scalar(
        select(Fair)
        .where(Fair.slug == slug)
        .options(selectinload(Fair.halls), selectinload(Fair.sectors))
    )
    if fair is None:
        return None
    me = await participation(db, fair, user)
    return (fair, me) if may_see(fair, me) else None


def may_see(fair: Fair, me: Participant | None) -> bool:
    """A published fair is for everyone; an unpublished one only for its organisers."""
    return fair.published or (me is not None and me.role == Role.ORGANISER)


@dataclass
class HallSummary:
    hall: Hall
    firms: int


async def hall_summaries(db: AsyncSession, fair: Fair) -> list[HallSummary]:
    """Each hall with the number of exhibiting firms from its region."""
    rows = await db.execute(
        select(Firm.region, func.count(func.distinct(Firm.id)))
        .join(User, User.firm_id == Firm.id)
        .join(Participant, Participant.user_id == User.id)
        .where(Participant.fair_id == fair.id, Participant.role == Role.EXHIBITOR)
        .group_by(Firm.region)
    )
    counts = dict(rows.all())
    return [HallSummary(hall, counts.get(hall.region, 0)) for hall in fair.halls]


async def role_counts(db: AsyncSession, fair: Fair) -> dict[str, int]:
    rows = await db.execute(
        select(Participant.role, func.count())
        .where(Participant.fair_id == fair.id)
        .group_by(Participant.role)
    )
    return {str(role): count for role, count in rows.all()}


async def participants(db: AsyncSession, fair: Fair) -> list[Participant]:
    result = await db.scalars(
        select(Participant)
        .where(Participant.fair_id == fair.id)
        .join(User)
        .order_by(Participant.role, User.name)
        .options(selectinload(Participant.user).selectinload(User.firm))
    )
    return list(result)


async def participant_in(db: AsyncSession, fair: Fair, participant_id: int) -> Participant | None:
    """One participant, only if they belong to this fair (another fair's id answers None)."""
    return await db.scalar(
        select(Participant)
        .where(Participant.id == participant_id, Participant.fair_id == fair.id)
        .options(selectinload(Participant.user).selectinload(User.firm))
    )
