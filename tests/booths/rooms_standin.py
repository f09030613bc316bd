"""A stand-in for the rooms' ad-hoc video rooms (server/video.py's `AdHocRooms`) and room page.

Used until the rooms branch's real implementation lands on main; it keeps who may enter each
room it opened, so the talk-now tests can check that both sides reach the room and nobody else.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from server.fairs.models import Participant
from server.features import Feature, Platform, Service, platform
from server.identity.access import require_user
from server.video import SERVICE


class StandInRooms:
    """Opens rooms in memory: token → the participant ids that may enter."""

    def __init__(self) -> None:
        self.opened: dict[str, tuple[int, list[int], str]] = {}

    def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def open_room(
        self, db: AsyncSession, fair_id: int, participant_ids: Sequence[int], label: str
    ) -> str:
        token = secrets.token_urlsafe(16)
        self.opened[token] = (fair_id, list(participant_ids), label)
        return token


async def room_page(request: Request) -> Response:
    user = require_user(request)
    rooms = platform(request).services[SERVICE]
    assert isinstance(rooms, StandInRooms)
    found = rooms.opened.get(request.path_params["room"])
    if found is None:
        return HTMLResponse("<h1>No such room</h1>", status_code=404)
    async with platform(request).database.read_session() as db:
        members = set(
            await db.scalars(select(Participant.user_id).where(Participant.id.in_(found[1])))
        )
    if user.id not in members:
        return HTMLResponse("<h1>Not your room</h1>", status_code=403)
    return HTMLResponse(f"<h1>Video room</h1><p>{found[2]}</p>")


def stand_in_feature(rooms: StandInRooms) -> Feature:
    def services(platform: Platform) -> dict[str, Service]:
        return {SERVICE: rooms}

    return Feature(
        name="video-rooms-stand-in",
        routes=[Route("/fairs/{fair:str}/rooms/{room:str}", room_page, name="video_room")],
        services=services,
    )
