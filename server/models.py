"""Every model of the platform, imported so that the metadata is complete (Alembic, tests)."""

from rooms.models import (
    AgendaSession,
    AgendaSettings,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    Slot,
    UnavailableSlot,
)
from server.fairs.models import Fair, Hall, Participant, Sector
from server.identity.models import Firm, LoginFailure, LoginSession, User

__all__ = [
    "AgendaSession",
    "AgendaSettings",
    "Fair",
    "Firm",
    "Hall",
    "LoginFailure",
    "LoginSession",
    "Meeting",
    "MeetingAttendee",
    "MeetingRequest",
    "Participant",
    "Sector",
    "Slot",
    "UnavailableSlot",
    "User",
]
