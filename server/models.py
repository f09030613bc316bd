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
from rooms.models import (
    AgendaSession,
    AgendaSettings,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    RoomVisit,
    ScheduleRun,
    Slot,
    UnavailableSlot,
    VideoRoom,
    VideoRoomMember,
)
from server.fairs.models import Fair, Hall, Participant, Sector
from server.identity.models import Firm, LoginFailure, LoginSession, PasswordReset, User
from server.mail.models import OutboxMessage

__all__ = [
    "AgendaSession",
    "AgendaSettings",
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
    "Meeting",
    "MeetingAttendee",
    "MeetingRequest",
    "Opportunity",
    "OutboxMessage",
    "Participant",
    "PasswordReset",
    "RoomVisit",
    "ScheduleRun",
    "Sector",
    "Slot",
    "UnavailableSlot",
    "User",
    "VideoRoom",
    "VideoRoomMember",
    "booth_sectors",
]
