"""A media server on loopback for the WebRTC tests of rooms/media."""

from __future__ import annotations

import pytest

from rooms.media import MediaEvent, MediaServer, MediaSettings


@pytest.fixture
def events() -> list[MediaEvent]:
    return []


@pytest.fixture
def make_media(events):
    """Start media servers on 127.0.0.1 that record their events; all closed after the test."""
    servers: list[MediaServer] = []

    async def record(event: MediaEvent) -> None:
        events.append(event)

    def make(**overrides) -> MediaServer:
        settings = MediaSettings(addresses=("127.0.0.1",), **overrides)
        server = MediaServer(settings, on_event=record)
        servers.append(server)
        return server

    yield make
    # closed by the tests themselves; a failed test may leave some open
    for server in servers:
        server._closing = True


@pytest.fixture
async def media(make_media):
    server = make_media()
    yield server
    await server.close()
