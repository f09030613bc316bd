"""Demo booths: one per exhibiting firm, with offers, requests, visits and a chat history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booths import chat, operations
from booths.brochure import brochure
from booths.models import (
    Booth,
    BoothDocument,
    BoothLink,
    Conversation,
    DocumentKind,
    Opportunity,
    OpportunityCategory,
    OpportunityKind,
)
from server.demo import FIRMS
from server.fairs.models import Fair, Hall, Participant, Role, Sector
from server.identity.models import Firm, User

# (firm slug, sector slugs, headline, [(kind, category, title, description)])
PROFILES = {
    "sassi-digital-lab": (
        ["ict"],
        "Open data portals that citizens actually use",
        [
            (
                "offer",
                "service",
                "Open data portal in 8 weeks",
                "CKAN-based portals, hosted in the EU.",
            ),
            (
                "request",
                "partnership",
                "Partners for Interreg tenders",
                "Design or media firms in Provence-Alpes-Côte d'Azur and Attica.",
            ),
        ],
    ),
    "murgia-software": (
        ["ict"],
        "Ticketing for theatres, museums and festivals",
        [
            (
                "offer",
                "product",
                "Ticketing platform for small venues",
                "Seats, QR tickets, reports.",
            ),
        ],
    ),
    "metapontum-robotics": (
        ["ict", "design"],
        "Greenhouse robots that pay back in a season",
        [
            ("request", "investment", "Seed round of €400k", "To build 20 pilot robots in 2027."),
        ],
    ),
    "matera-heritage-xr": (
        ["culture-media", "ict"],
        "Walk through the Sassi in virtual reality",
        [
            (
                "offer",
                "service",
                "XR tours for heritage sites",
                "From scanning to headset, turnkey.",
            ),
            (
                "request",
                "partnership",
                "Museums in Greece and Malta",
                "To co-produce XR exhibitions.",
            ),
        ],
    ),
    "calanques-numerique": (
        ["ict"],
        "Apps for ports and the people who use them",
        [
            ("offer", "product", "Marina booking app", "Berths, payments and weather in one app."),
        ],
    ),
    "psifiaki-athina": (
        ["culture-media"],
        "Ψηφιακή αφήγηση για μουσεία — digital storytelling",
        [
            (
                "offer",
                "service",
                "Museum storytelling",
                "Exhibitions in Greek, English and Italian.",
            ),
        ],
    ),
    "valletta-blue-code": (
        ["ict"],
        "Compliance software for fintech and iGaming",
        [
            ("offer", "product", "KYC and AML toolkit", "Certified for MFSA audits."),
            (
                "request",
                "partnership",
                "Resellers in Italy and France",
                "Software houses with banking clients.",
            ),
        ],
    ),
}


async def seed(db: AsyncSession) -> None:
    """Create the demo booths of both demo fairs; running it again adds nothing twice."""
    for fair in await db.scalars(
        select(Fair).where(Fair.slug.in_(["fiera-mediterranea-b2b", "malta-mission-2027"]))
    ):
        halls = {
            hall.region: hall
            for hall in await db.scalars(select(Hall).where(Hall.fair_id == fair.id))
        }
        sectors = {
            s.slug: s for s in await db.scalars(select(Sector).where(Sector.fair_id == fair.id))
        }
        exhibiting = await db.scalars(
            select(Firm)
            .join(User, User.firm_id == Firm.id)
            .join(Participant, Participant.user_id == User.id)
            .where(Participant.fair_id == fair.id, Participant.role == Role.EXHIBITOR)
            .distinct()
        )
        for firm in exhibiting:
            spec = next((f for f in FIRMS if f.name == firm.name), None)
            if spec is None or await db.scalar(
                select(Booth.id).where(Booth.fair_id == fair.id, Booth.firm_id == firm.id)
            ):
                continue
            sector_slugs, headline, offers = PROFILES.get(
                spec.slug, ([spec.sector], firm.description, [])
            )
            booth = Booth(
                fair_id=fair.id,
                hall_id=halls[firm.region].id,
                firm_id=firm.id,
                slug=spec.slug,
                headline=headline,
                description=firm.description,
                website=firm.website,
            )
            booth.firm, booth.hall = firm, halls[firm.region]
            booth.sectors = [sectors[slug] for slug in sector_slugs]
            booth.opportunities = [
                Opportunity(
                    fair_id=fair.id,
                    kind=OpportunityKind(kind),
                    category=OpportunityCategory(category),
                    title=title,
                    description=description,
                )
                for kind, category, title, description in offers
            ]
            booth.links = (
                [
                    BoothLink(
                        fair_id=fair.id,
                        title="Company video",
                        url=f"https://video.example/{spec.slug}",
                    )
                ]
                if spec.slug in PROFILES
                else []
            )
            db.add(booth)
        await db.flush()
        # booths seeded by an older release lack what the search folds in now (their place)
        await operations.reindex(db, fair.id)
    await _seed_activity(db)
    await db.commit()


async def _seed_activity(db: AsyncSession) -> None:
    """Visits and a chat for the demo exhibitor's booth, so its leads are not empty."""
    fair = await db.scalar(select(Fair).where(Fair.slug == "fiera-mediterranea-b2b"))
    booth = await db.scalar(
        select(Booth)
        .where(Booth.fair_id == fair.id, Booth.slug == "sassi-digital-lab")
        .options(selectinload(Booth.firm))
    )
    if booth is None or await chat.inbox_is_started(db, booth):
        return
    buyers = list(
        await db.scalars(
            select(Participant)
            .where(Participant.fair_id == fair.id, Participant.role == Role.BUYER)
            .options(selectinload(Participant.user))
            .order_by(Participant.id)
        )
    )
    staff_user = await db.scalar(select(User).where(User.email == "exhibitor@fiera.demo"))
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # fixed: the same demo every time
    for index, buyer in enumerate(buyers):
        for visit in range(index % 3 + 1):
            await operations.record_visit(
                db, booth, buyer, start + timedelta(hours=visit * 5 + index)
            )
    greeting = buyers[1]  # a buyer who is not the demo buyer, so the demo buyer starts fresh
    first = await chat.post(
        db,
        booth,
        greeting.user,
        "Bonjour! Do you also build portals in French?",
        from_staff=False,
        visitor=greeting,
        now=start + timedelta(hours=2),
    )
    conversation = await db.get(Conversation, first.conversation_id)
    await chat.post(
        db,
        booth,
        staff_user,
        "Yes — our portals speak Italian, French and English.",
        from_staff=True,
        conversation=conversation,
        now=start + timedelta(hours=3),
    )
    await chat.post(
        db,
        booth,
        greeting.user,
        "Great, let's meet at the fair.",
        from_staff=False,
        conversation=conversation,
        now=start + timedelta(hours=4),
    )


async def seed_documents(db: AsyncSession, upload_dir: Path) -> None:
    """A generated brochure (PDF) on every demo booth; a file gone missing is written again."""
    booths = await db.scalars(
        select(Booth)
        .join(Fair, Fair.id == Booth.fair_id)
        .where(Fair.slug.in_(["fiera-mediterranea-b2b", "malta-mission-2027"]))
        .options(selectinload(Booth.firm), selectinload(Booth.hall), selectinload(Booth.documents))
    )
    directory = anyio.Path(upload_dir)
    await directory.mkdir(parents=True, exist_ok=True)
    for booth in booths:
        key = f"demo-brochure-{booth.fair_id}-{booth.slug}"
        firm = booth.firm
        data = brochure(
            firm.name,
            [booth.headline, firm.description, f"{firm.city}, {booth.hall.name}", firm.website],
        )
        await (directory / key).write_bytes(data)
        if any(document.storage_key == key for document in booth.documents):
            continue
        booth.documents.append(
            BoothDocument(
                fair_id=booth.fair_id,
                kind=DocumentKind.PDF,
                title=f"{firm.name} — brochure",
                filename=f"{booth.slug}-brochure.pdf",
                content_type="application/pdf",
                size=len(data),
                storage_key=key,
            )
        )
    await db.commit()
