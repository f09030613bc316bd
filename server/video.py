"""The seam between booths (talk now) and rooms (video rooms): ad-hoc rooms by service name.

Booths asks for a room through the platform's services, `platform.service(SERVICE,
AdHocRooms)`, so that neither feature imports the other (docs/video.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

SERVICE = "video-rooms"


@runtime_checkable
class AdHocRooms(Protocol):
    """Opens ad-hoc video rooms (a booth's talk-now call) at `/fairs/{fair}/rooms/{token}`."""

    async def open_room(
        self, db: AsyncSession, fair_id: int, participant_ids: Sequence[int], label: str
    ) -> str:
        """Add a room whose members are `participant_ids` (in the caller's unit of work, which
        commits) and return its token. The room closes once it empties after someone joined,
        or when nobody joined within a few minutes."""
        ...
