"""The media server: a selective forwarding unit on aiortc that never decodes (docs/video.md)."""

from rooms.media.errors import MediaError
from rooms.media.server import MediaEvent, MediaServer
from rooms.media.settings import IceServer, MediaSettings

__all__ = ["IceServer", "MediaError", "MediaEvent", "MediaServer", "MediaSettings"]
