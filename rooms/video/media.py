"""The media server behind the rooms (rooms/media), built from the settings."""

from __future__ import annotations

from rooms.media import MediaEvent, MediaServer, MediaSettings
from rooms.video.live import VideoRooms
from server.settings import Settings


def attach(rooms: VideoRooms, settings: Settings) -> None:
    """Give `rooms` an in-process media server whose connection events reach them."""

    async def on_event(event: MediaEvent) -> None:
        await rooms.media_event(event.kind, event.room, event.peer)

    media_settings = MediaSettings(
        addresses=settings.media_addresses,
        ports=settings.media_ports,
        connect_seconds=settings.media_connect_seconds,
    )
    rooms.media = MediaServer(media_settings, on_event)
