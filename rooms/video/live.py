"""The video rooms open in this process: who is in each, its chat, its clock, and the media
server behind them. A service of the rooms feature; it also opens ad-hoc rooms for booths
(`server.video.AdHocRooms`).

A room never spans processes (docs/video.md): its people, chat and media live here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rooms.models import Meeting, MeetingStatus, VideoRoom, VideoRoomMember
from rooms.video import attendance
from rooms.video.windows import Window
from server.db import Database
from server.i18n import gettext as _
from server.i18n import speaking

logger = logging.getLogger("fiera.rooms")

CHAT_KEPT = 50
CANCEL_CHECK_SECONDS = 5.0  # how often open rooms look for their meeting being cancelled


class Media(Protocol):
    """What the rooms need of the media server (rooms/media, docs/video.md)."""

    async def join(
        self, room: str, peer: str, offer_sdp: str, slots: int, *, self_view: bool | None = None
    ) -> str: ...

    async def add_candidate(
        self, room: str, peer: str, candidate: str, sdp_mid: str | None, sdp_mline_index: int | None
    ) -> None: ...

    async def leave(self, room: str, peer: str) -> None: ...

    async def close_room(self, room: str) -> None: ...

    async def close(self) -> None: ...

    def slot_of(self, room: str, viewer: str, publisher: str) -> int | None: ...


@dataclass
class Peer:
    """One connection in a room."""

    peer: str
    sid: str
    user_id: int
    participant_id: int
    name: str
    firm: str
    role: str
    language: str
    audio: bool = False
    video: bool = False
    screen: bool = False
    connected: bool = False


@dataclass
class Room:
    token: str
    fair_id: int
    meeting_id: int | None
    video_room_id: int | None
    window: Window | None
    slots: int
    peers: dict[str, Peer] = field(default_factory=dict)
    chat: deque = field(default_factory=lambda: deque(maxlen=CHAT_KEPT))
    warned: bool = False


# Sends one event to one connection: (event, payload, sid).
Emit = Callable[[str, dict, str], Awaitable[None]]


def closing_message(reason: str) -> str:
    return {
        "ended": _("An organiser ended this room."),
        "time": _("The time for this meeting is up."),
        "cancelled": _("This meeting was cancelled."),
    }.get(reason, _("This room has closed."))


class VideoRooms:
    """Open rooms of this process, their media, their clock; ad-hoc rooms for talk now."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime],
        media: Media | None = None,
        tick_seconds: float = 1.0,
    ):
        self.database = database
        self.clock = clock
        self.media = media
        self.tick_seconds = tick_seconds
        self.rooms: dict[str, Room] = {}
        self.emit: Emit | None = None  # set by the /rooms namespace
        self._task: asyncio.Task | None = None
        self._last_cancel_check = 0.0

    # --- the service ---------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="fiera-video-rooms")

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                await self.tick(self.clock())
                if loop.time() - self._last_cancel_check >= CANCEL_CHECK_SECONDS:
                    self._last_cancel_check = loop.time()
                    await self.close_cancelled()
            except Exception:  # the clock of every room must keep running
                logger.exception("video rooms tick failed")
            await asyncio.sleep(self.tick_seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for token in list(self.rooms):
            await self.close_room(token, "shutdown")
        if self.media is not None:
            await self.media.close()

    # --- ad-hoc rooms (server.video.AdHocRooms) -------------------------------------------
    async def open_room(
        self, db: AsyncSession, fair_id: int, participant_ids: Sequence[int], label: str
    ) -> str:
        """Add an ad-hoc room for `participant_ids` in the caller's unit of work; its token."""
        token = "call-" + secrets.token_urlsafe(12)
        room = VideoRoom(fair_id=fair_id, token=token, label=label[:200], created_at=self.clock())
        room.members = [VideoRoomMember(participant_id=p) for p in dict.fromkeys(participant_ids)]
        db.add(room)
        await db.flush()
        return token

    # --- people in rooms -------------------------------------------------------------------
    def present(self, token: str) -> int:
        room = self.rooms.get(token)
        return len(room.peers) if room else 0

    def room_of(self, token: str, peer: str) -> Room | None:
        room = self.rooms.get(token)
        return room if room is not None and peer in room.peers else None

    def enter(self, room: Room, peer: Peer) -> Room:
        """Put `peer` in the room (opened here on the first arrival)."""
        kept = self.rooms.setdefault(room.token, room)
        kept.peers[peer.peer] = peer
        return kept

    async def leave(self, token: str, peer: str) -> Room | None:
        """Take `peer` out of the room and its media; the room as it is left (None if unknown).
        An ad-hoc room that empties ends."""
        room = self.rooms.get(token)
        if room is None or room.peers.pop(peer, None) is None:
            return None
        media = self.media
        if media is not None:
            await media.leave(token, peer)
        # Two who leave at once both find the room empty after awaiting the media: one closes it.
        if not room.peers and self.rooms.get(token) is room:
            del self.rooms[token]
            if room.video_room_id is not None:
                async with self.database.session() as db:
                    await attendance.end_call(db, room.video_room_id, self.clock())
                    await db.commit()
            elif room.window is None and media is not None:
                await media.close_room(token)
        return room

    def peers_payload(self, room: Room, viewer: Peer) -> dict:
        """The `peers` event as `viewer` sees the room (its own recv slots, itself marked)."""
        people = []
        for p in room.peers.values():
            slot = None
            if self.media is not None and p.peer != viewer.peer:
                slot = self.media.slot_of(room.token, viewer.peer, p.peer)
            people.append(
                {
                    "peer": p.peer,
                    "user": p.user_id,
                    "name": p.name,
                    "firm": p.firm,
                    "firm_url": None,
                    "role": p.role,
                    "slot": slot,
                    "audio": p.audio,
                    "video": p.video,
                    "screen": p.screen,
                    "connected": p.connected,
                    "me": p.peer == viewer.peer,
                }
            )
        return {"room": room.token, "peers": people}

    async def send_peers(self, token: str) -> None:
        """Tell everyone in the room who is there."""
        room = self.rooms.get(token)
        if room is None or self.emit is None:
            return
        for viewer in list(room.peers.values()):
            await self.emit("peers", self.peers_payload(room, viewer), viewer.sid)

    async def media_event(self, kind: str, token: str, peer: str) -> None:
        """The media server says a peer's connection is up, or closed or failed."""
        room = self.rooms.get(token)
        if room is None or peer not in room.peers:
            return
        room.peers[peer].connected = kind == "connected"
        await self.send_peers(token)

    # --- closing ---------------------------------------------------------------------------
    async def close_room(self, token: str, reason: str) -> None:
        """Close a room now: everyone told `room-closed`, media closed, visits ended."""
        room = self.rooms.pop(token, None)
        media = self.media
        if media is not None:
            await media.close_room(token)
        now = self.clock()
        async with self.database.session() as db:
            await attendance.close_visits(db, token, now)
            if room is not None and room.video_room_id is not None:
                await attendance.end_call(db, room.video_room_id, now)
            await db.commit()
        if room is None or self.emit is None:
            return
        for p in room.peers.values():
            with speaking(p.language):
                message = closing_message(reason)
            await self.emit(
                "room-closed", {"room": token, "reason": reason, "message": message}, p.sid
            )

    async def tick(self, now: datetime) -> None:
        """Warn the rooms whose meeting ends in two minutes, close those whose time is up."""
        for room in list(self.rooms.values()):
            window = room.window
            if window is None:
                continue
            if now >= window.closes_at:
                await self.close_room(room.token, "time")
            elif now >= window.warn_at and not room.warned:
                room.warned = True
                if self.emit is not None:
                    payload = {
                        "room": room.token,
                        "closes_at": window.closes_at.isoformat(),
                        "ends_at": window.ends_at.isoformat(),
                    }
                    for p in list(room.peers.values()):
                        await self.emit("room-warning", payload, p.sid)

    async def close_cancelled(self) -> None:
        """Close the open rooms whose meeting was cancelled (by any process)."""
        meetings = [r.meeting_id for r in self.rooms.values() if r.meeting_id is not None]
        if not meetings:
            return
        async with self.database.read_session() as db:
            cancelled = list(
                await db.scalars(
                    select(Meeting.video_room).where(
                        Meeting.id.in_(meetings), Meeting.status == MeetingStatus.CANCELLED
                    )
                )
            )
        for token in cancelled:
            if token:
                await self.close_room(token, "cancelled")
