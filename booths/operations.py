"""Changes to booths: profile, marketplace, documents, links, visibility, visits."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booths.models import (
    Booth,
    BoothDocument,
    BoothLink,
    BoothVisit,
    Opportunity,
    OpportunityCategory,
    OpportunityKind,
)
from booths.search import country_names, fold
from booths.uploads import StoredFile
from server.db import utcnow
from server.fairs.models import Participant, Sector


def refresh_search_text(booth: Booth) -> None:
    """Recompute the folded text that the directory search looks in, its place included."""
    firm, hall = booth.firm, booth.hall
    parts = [firm.name, firm.city, booth.headline, booth.description]
    # where the firm is: a buyer looking for partners in a region types its name
    parts += [hall.name, hall.region, firm.region, *country_names(firm.country)]
    parts += [sector.name for sector in booth.sectors]
    for opportunity in booth.opportunities:
        parts += [opportunity.title, opportunity.description]
    booth.search_text = fold(" ".join(part for part in parts if part))


async def reindex(db: AsyncSession, fair_id: int) -> None:
    """Recompute the search text of every booth of a fair (after what it folds in changed)."""
    booths = await db.scalars(
        select(Booth)
        .where(Booth.fair_id == fair_id)
        .options(
            selectinload(Booth.firm),
            selectinload(Booth.hall),
            selectinload(Booth.sectors),
            selectinload(Booth.opportunities),
        )
    )
    for booth in booths:
        refresh_search_text(booth)
    await db.flush()


async def update_profile(
    db: AsyncSession,
    booth: Booth,
    *,
    headline: str,
    description: str,
    website: str,
    sector_ids: list[int],
) -> None:
    """Save the booth's headline, description, website and sectors."""
    booth.headline = headline
    booth.description = description
    booth.website = website
    sectors = await db.scalars(
        select(Sector).where(Sector.fair_id == booth.fair_id, Sector.id.in_(sector_ids))
    )
    booth.sectors = sorted(sectors, key=lambda sector: sector.position)
    booth.updated_at = utcnow()
    refresh_search_text(booth)
    await db.flush()


async def add_opportunity(
    db: AsyncSession,
    booth: Booth,
    *,
    kind: OpportunityKind,
    category: OpportunityCategory,
    title: str,
    description: str,
) -> Opportunity:
    """Publish an offer or a request on the booth."""
    opportunity = Opportunity(
        fair_id=booth.fair_id, kind=kind, category=category, title=title, description=description
    )
    booth.opportunities.append(opportunity)
    refresh_search_text(booth)
    await db.flush()
    return opportunity


async def remove_opportunity(db: AsyncSession, booth: Booth, opportunity: Opportunity) -> None:
    """Withdraw an offer or a request."""
    booth.opportunities.remove(opportunity)
    refresh_search_text(booth)
    await db.flush()


async def add_document(
    db: AsyncSession, booth: Booth, stored: StoredFile, *, title: str, is_logo: bool = False
) -> BoothDocument:
    """Attach an uploaded document (or the logo) to the booth."""
    document = BoothDocument(
        fair_id=booth.fair_id,
        kind=stored.kind,
        title=title or stored.filename,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        storage_key=stored.storage_key,
        is_logo=is_logo,
    )
    booth.documents.append(document)
    await db.flush()
    return document


async def remove_document(db: AsyncSession, booth: Booth, document: BoothDocument) -> None:
    """Take a document off the booth (the caller deletes the stored file)."""
    booth.documents.remove(document)
    await db.flush()


async def add_link(db: AsyncSession, booth: Booth, *, title: str, url: str) -> BoothLink:
    """Show a video or web link on the booth."""
    link = BoothLink(fair_id=booth.fair_id, title=title, url=url)
    booth.links.append(link)
    await db.flush()
    return link


async def remove_link(db: AsyncSession, booth: Booth, link: BoothLink) -> None:
    booth.links.remove(link)
    await db.flush()


async def set_hidden(db: AsyncSession, booth: Booth, hidden: bool) -> None:
    """Hide the booth from visitors, or show it again (organisers only)."""
    booth.hidden = hidden
    await db.flush()


async def record_visit(
    db: AsyncSession, booth: Booth, visitor: Participant, now: datetime | None = None
) -> None:
    """Count a logged-in participant's visit to a booth (one row per visitor and booth)."""
    now = now or utcnow()
    counted = await db.execute(
        update(BoothVisit)
        .where(BoothVisit.booth_id == booth.id, BoothVisit.visitor_id == visitor.id)
        .values(count=BoothVisit.count + 1, last_at=now)
    )
    if cast(CursorResult, counted).rowcount:
        return
    try:
        async with db.begin_nested():
            db.add(
                BoothVisit(
                    fair_id=booth.fair_id,
                    booth_id=booth.id,
                    visitor_id=visitor.id,
                    first_at=now,
                    last_at=now,
                )
            )
    except IntegrityError:  # a parallel first visit got there first: count this one
        await db.execute(
            update(BoothVisit)
            .where(BoothVisit.booth_id == booth.id, BoothVisit.visitor_id == visitor.id)
            .values(count=BoothVisit.count + 1, last_at=now)
        )
