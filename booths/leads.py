"""Leads: who visited a booth, chatted with it or called it, for its staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booths.models import Booth, BoothCall, BoothVisit, ChatMessage, Conversation
from server.fairs.models import Participant
from server.identity.models import User


@dataclass
class Lead:
    participant: Participant
    visits: int
    first_visit: datetime | None
    last_visit: datetime | None
    messages: int
    calls: int = 0


async def leads(db: AsyncSession, booth: Booth) -> list[Lead]:
    """Visitors, chat partners and callers of the booth, most recent first."""
    visits = {
        visit.visitor_id: visit
        for visit in await db.scalars(select(BoothVisit).where(BoothVisit.booth_id == booth.id))
    }
    message_counts = dict(
        (
            await db.execute(
                select(Conversation.visitor_id, func.count(ChatMessage.id))
                .join(ChatMessage, ChatMessage.conversation_id == Conversation.id)
                .where(Conversation.booth_id == booth.id, ChatMessage.from_staff.is_(False))
                .group_by(Conversation.visitor_id)
            )
        ).all()
    )
    call_counts = dict(
        (
            await db.execute(
                select(BoothCall.visitor_id, func.count(BoothCall.id))
                .where(BoothCall.booth_id == booth.id)
                .group_by(BoothCall.visitor_id)
            )
        ).all()
    )
    ids = set(visits) | set(message_counts) | set(call_counts)
    if not ids:
        return []
    people = {
        participant.id: participant
        for participant in await db.scalars(
            select(Participant)
            .where(Participant.id.in_(ids))
            .options(selectinload(Participant.user).selectinload(User.firm))
        )
    }
    result = []
    for participant_id in ids:
        visit = visits.get(participant_id)
        result.append(
            Lead(
                participant=people[participant_id],
                visits=visit.count if visit else 0,
                first_visit=visit.first_at if visit else None,
                last_visit=visit.last_at if visit else None,
                messages=message_counts.get(participant_id, 0),
                calls=call_counts.get(participant_id, 0),
            )
        )
    result.sort(
        key=lambda lead: (
            lead.last_visit is None,
            -(lead.last_visit.timestamp() if lead.last_visit else 0),
        )
    )
    return result
