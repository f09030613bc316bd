"""Reads about booths: the directory and its search, halls, one booth, its staff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booths.models import Booth, Opportunity, booth_sectors
from booths.search import terms
from server.fairs.models import Fair, Hall, Participant, Role, Sector
from server.fairs.queries import could_be_slug
from server.identity.models import Firm, User

PAGE_SIZE = 24


@dataclass(frozen=True)
class DirectoryFilter:
    hall: str = ""
    country: str = ""
    sector: str = ""
    q: str = ""
    page: int = 1

    def is_empty(self) -> bool:
        return not (self.hall or self.country or self.sector or self.q)


@dataclass
class DirectoryPage:
    booths: list[Booth]
    total: int
    page: int
    pages: int


def _booth_options():
    return (
        selectinload(Booth.firm),
        selectinload(Booth.hall),
        selectinload(Booth.sectors),
        selectinload(Booth.documents),
    )


def _filtered(fair: Fair, filters: DirectoryFilter, include_hidden: bool) -> Select:
    statement = (
        select(Booth.id).join(Firm, Booth.firm_id == Firm.id).where(Booth.fair_id == fair.id)
    )
    if not include_hidden:
        statement = statement.where(Booth.hidden.is_(False))
    if filters.hall:
        statement = statement.join(Hall, Booth.hall_id == Hall.id).where(Hall.slug == filters.hall)
    if filters.country:
        statement = statement.where(Firm.country == filters.country.upper())
    if filters.sector:
        in_sector = (
            select(booth_sectors.c.booth_id)
            .join(Sector, Sector.id == booth_sectors.c.sector_id)
            .where(Sector.fair_id == fair.id, Sector.slug == filters.sector)
        )
        statement = statement.where(Booth.id.in_(in_sector))
    for term in terms(filters.q):
        statement = statement.where(Booth.search_text.contains(term, autoescape=True))
    return statement


async def directory(
    db: AsyncSession, fair: Fair, filters: DirectoryFilter, *, include_hidden: bool = False
) -> DirectoryPage:
    """One page of the fair's booths matching the filters, by firm name."""
    ids = _filtered(fair, filters, include_hidden).subquery()
    total = await db.scalar(select(func.count()).select_from(ids)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    result = await db.scalars(
        select(Booth)
        .join(Firm, Booth.firm_id == Firm.id)
        .where(Booth.id.in_(select(ids.c.id)))
        .order_by(func.lower(Firm.name), Booth.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .options(*_booth_options())
    )
    return DirectoryPage(list(result), total, page, pages)


async def countries(db: AsyncSession, fair: Fair) -> list[str]:
    """The countries of the fair's visible booths, for the directory filter."""
    result = await db.scalars(
        select(Firm.country)
        .join(Booth, Booth.firm_id == Firm.id)
        .where(Booth.fair_id == fair.id, Booth.hidden.is_(False))
        .distinct()
        .order_by(Firm.country)
    )
    return list(result)


async def hall_in(db: AsyncSession, fair: Fair, slug: str) -> Hall | None:
    if not could_be_slug(slug):
        return None
    return await db.scalar(select(Hall).where(Hall.fair_id == fair.id, Hall.slug == slug))


async def booth_in(db: AsyncSession, fair: Fair, slug: str) -> Booth | None:
    """One booth of this fair with everything its page shows (another fair's: None)."""
    if not could_be_slug(slug):
        return None
    return await db.scalar(
        select(Booth)
        .where(Booth.fair_id == fair.id, Booth.slug == slug)
        .options(*_booth_options(), selectinload(Booth.opportunities), selectinload(Booth.links))
    )


async def booth_of_firm(db: AsyncSession, fair: Fair, firm_id: int | None) -> Booth | None:
    if firm_id is None:
        return None
    return await db.scalar(select(Booth).where(Booth.fair_id == fair.id, Booth.firm_id == firm_id))


async def staff(db: AsyncSession, booth: Booth) -> list[Participant]:
    """The booth's staff: the firm's people taking part in the fair as exhibitors."""
    result = await db.scalars(
        select(Participant)
        .join(User, Participant.user_id == User.id)
        .where(
            Participant.fair_id == booth.fair_id,
            Participant.role == Role.EXHIBITOR,
            User.firm_id == booth.firm_id,
        )
        .order_by(User.name)
        .options(selectinload(Participant.user))
    )
    return list(result)


async def staff_by_booth(db: AsyncSession, booths: list[Booth]) -> dict[int, list[int]]:
    """User ids of each booth's staff, for presence on listing pages."""
    if not booths:
        return {}
    by_firm = {booth.firm_id: booth.id for booth in booths}
    rows = await db.execute(
        select(User.firm_id, User.id)
        .join(Participant, Participant.user_id == User.id)
        .where(
            Participant.fair_id == booths[0].fair_id,
            Participant.role == Role.EXHIBITOR,
            User.firm_id.in_(by_firm),
        )
    )
    staff_ids: dict[int, list[int]] = {booth.id: [] for booth in booths}
    for firm_id, user_id in rows.all():
        staff_ids[by_firm[firm_id]].append(user_id)
    return staff_ids


async def opportunity_in(db: AsyncSession, booth: Booth, opportunity_id: int) -> Opportunity | None:
    return await db.scalar(
        select(Opportunity).where(
            and_(Opportunity.id == opportunity_id, Opportunity.booth_id == booth.id)
        )
    )
