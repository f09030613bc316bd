"""Every model of the platform, imported so that the metadata is complete (Alembic, tests)."""

from server.fairs.models import Fair, Hall, Participant, Sector
from server.identity.models import Firm, LoginFailure, LoginSession, User

__all__ = ["Fair", "Firm", "Hall", "LoginFailure", "LoginSession", "Participant", "Sector", "User"]
