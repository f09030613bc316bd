"""Every model of the platform, imported so that the metadata is complete (Alembic, tests)."""

from booths.models import (
    Booth,
    BoothDocument,
    BoothLink,
    BoothVisit,
    ChatMessage,
    Conversation,
    ConversationRead,
    Opportunity,
    booth_sectors,
)
from server.fairs.models import Fair, Hall, Participant, Sector
from server.identity.models import Firm, LoginFailure, LoginSession, User

__all__ = [
    "Booth",
    "BoothDocument",
    "BoothLink",
    "BoothVisit",
    "ChatMessage",
    "Conversation",
    "ConversationRead",
    "Fair",
    "Firm",
    "Hall",
    "LoginFailure",
    "LoginSession",
    "Opportunity",
    "Participant",
    "Sector",
    "User",
    "booth_sectors",
]
