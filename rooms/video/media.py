"""The media server behind the rooms, built from the settings (rooms/media, docs/video.md)."""

from __future__ import annotations

from rooms.video.live import VideoRooms
from server.settings import Settings


def attach(rooms: VideoRooms, settings: Settings) -> None:
    """Give `rooms` its media servers (the rooms' and the device check's).

    Until the media server (rooms/media) lands, rooms run without media: joining, presence,
    chat and the clock work, and an offer is refused "unavailable".
    """
