"""The seam between features and the video rooms: booths ask rooms for an ad-hoc room.

Temporary copy written in the talk-now branch against the interface in docs/video.md; the rooms
branch owns this file, and its version wins at merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

SERVICE = "video-rooms"


@runtime_checkable
class AdHocRooms(Protocol):
    """Opens a room that is not a scheduled meeting's (a booth's talk-now call)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def open_room(
        self, db: AsyncSession, fair_id: int, participant_ids: Sequence[int], label: str
    ) -> str: ...
