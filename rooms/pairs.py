"""One open request per pair of parties: its key, and the request open between them now."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rooms.models import MeetingRequest
from server.fairs.models import Participant
from server.identity.models import User

# The name other features look this up by (the booth page shows an open request instead of
# its "Request a meeting" button) without importing rooms.
SERVICE = "open-requests"


def _party(participant_id: int, firm_id: int | None) -> str:
    return f"f{firm_id}" if firm_id is not None else f"p{participant_id}"


def pair_key(sender_id: int, sender_firm_id: int | None, recipient_firm_id: int) -> str:
    """The same key whichever side asks: a firm, or a person without one, and the other firm."""
    return "|".join(sorted([_party(sender_id, sender_firm_id), f"f{recipient_firm_id}"]))


async def open_request(
    db: AsyncSession, fair_id: int, me: Participant, firm_id: int
) -> MeetingRequest | None:
    """The request still open between me (or my firm) and a firm of the fair, if any."""
    my_firm_id = await db.scalar(select(User.firm_id).where(User.id == me.user_id))
    return await db.scalar(
        select(MeetingRequest).where(
            MeetingRequest.fair_id == fair_id,
            MeetingRequest.open_pair == pair_key(me.id, my_firm_id, firm_id),
        )
    )


class OpenRequests:
    """The lookup as a service, for pages of other features."""

    def start(self) -> None:
        """Nothing runs in the background."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def open_request_id(
        self, db: AsyncSession, fair_id: int, me: Participant, firm_id: int
    ) -> int | None:
        """The id of the request open between me and the firm, if any."""
        found = await open_request(db, fair_id, me, firm_id)
        return found.id if found is not None else None
