"""The /rooms namespace: joining video rooms and the signalling of their media (docs/video.md).

Every event re-checks the person's access in the database; the media server is reached only
through its interface (`rooms.video.live.Media`), held by the `VideoRooms` service.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints

from rooms.media import MediaError
from rooms.models import VisitRole
from rooms.video import attendance
from rooms.video.access import (
    MAX_PEOPLE,
    MAX_TOKEN,
    TOKEN_CHARACTERS,
    RoomAccess,
    RoomDenied,
    check_open,
    fair_of_room,
    not_found,
    room_access,
)
from rooms.video.live import Media, Peer, Room, VideoRooms
from server.db import utcnow
from server.fairs.access import require_role
from server.fairs.models import Role
from server.forms import without_controls
from server.i18n import gettext as _
from server.identity.models import Firm, User
from server.realtime.hub import AuthenticatedNamespace, Strict, handler
from server.realtime.ratelimit import Limit
from server.refusals import Denied, Forbidden

NAMESPACE = "/rooms"
CHECK = "check"  # the device check's room name in `join`: a room of one, per connection
MAX_SDP = 64_000  # as the media server's max_offer_chars: a room of six is about 22,000
MAX_CANDIDATE = 1_000
MAX_CHAT = 1_000

Token = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_TOKEN, pattern=TOKEN_CHARACTERS.pattern)
]


class JoinRoom(Strict):
    room: Token
    fair: str | None = Field(default=None, min_length=1, max_length=80)  # the device check's


class RoomRef(Strict):
    room: Token


class Offer(Strict):
    room: Token
    sdp: str = Field(min_length=1, max_length=MAX_SDP)


class Candidate(Strict):
    room: Token
    candidate: str = Field(max_length=MAX_CANDIDATE)
    sdpMid: str | None = Field(default=None, max_length=32)  # the browser's name
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=255)


class State(Strict):
    room: Token
    audio: StrictBool
    video: StrictBool
    screen: StrictBool


class Chat(Strict):
    room: Token
    text: str = Field(min_length=1, max_length=MAX_CHAT)


def media_refusal(refused: MediaError) -> Denied:
    """The media server's refusal, in the language of the person it answers."""
    message = _(refused.message)
    return Denied(refused.reason, f"{message} ({refused.detail})" if refused.detail else message)


def media_room(token: str) -> str:
    return f"video:{token}"


class RoomsNamespace(AuthenticatedNamespace):
    """Signalling of the video rooms; per-connection state (room, peer) in the session."""

    def __init__(self, rooms: VideoRooms, rate_limit: Limit | None, chat_limit: Limit | None):
        super().__init__(NAMESPACE, rate_limit)
        self.rooms = rooms
        self.chat_limit = chat_limit
        rooms.emit = self._emit_to

    async def _emit_to(self, event: str, payload: dict, sid: str) -> None:
        await self.emit(event, payload, to=sid)

    async def _user(self, db, sid: str) -> User:
        session = await self.get_session(sid)
        user = await db.get(User, session["user_id"])
        if user is None:
            raise not_found()
        return user

    async def _access(self, sid: str, token: str, joining: bool = False) -> RoomAccess:
        """The connection's access to `token`, read from the database now."""
        now = self.rooms.clock()
        async with self.hub.database.read_session() as db:
            user = await self._user(db, sid)
            fair_id = await fair_of_room(db, token)
            if fair_id is None:
                raise not_found()
            present = self.rooms.present(token) if joining else 0
            access = await room_access(db, fair_id, user, token, now, present)
        if joining:
            check_open(access, now)
        return access

    async def _mine(self, sid: str, token: str) -> tuple[Room, Peer]:
        """The room this connection joined as `token`, else refused."""
        session = await self.get_session(sid)
        peer = session.get("peer")
        room = self.rooms.room_of(token, peer) if session.get("room") == token else None
        if room is None or peer is None:
            raise Denied("not-joined", _("Join the room first."))
        return room, room.peers[peer]

    def _media(self) -> Media:
        media = self.rooms.media
        if media is None:
            raise Denied("unavailable", _("Video is not available on this server right now."))
        return media

    @handler(JoinRoom, database=False)
    async def on_join(self, db, sid: str, request: JoinRoom) -> dict:
        """Enter a room: checked, recorded, announced; answers what the client needs."""
        session = await self.get_session(sid)
        await self.throttle(session["user_id"])
        if session.get("room"):
            await self._leave(sid, session["room"])
        if request.room == CHECK:
            return await self._join_check(sid, request.fair or "")
        access = await self._access(sid, request.room, joining=True)
        peer = secrets.token_urlsafe(9)
        now = self.rooms.clock()
        async with self.hub.database.session() as db:
            await attendance.record_join(db, access, peer, now)
            firm = await db.get(Firm, access.user.firm_id) if access.user.firm_id else None
            live = access.meeting is not None and await attendance.mark_live(db, access.meeting.id)
            await db.commit()
        size = min(MAX_PEOPLE, len(access.people) + 1)
        room = self.rooms.enter(
            Room(
                access.token,
                access.fair.id,
                access.meeting.id if access.meeting else None,
                access.video_room.id if access.video_room else None,
                access.window,
                slots=size - 1,
            ),
            Peer(
                peer,
                sid,
                access.user.id,
                access.me.id,
                access.user.name,
                firm.name if firm else "",
                access.role.value,
                session.get("language", "en"),
            ),
        )
        async with self.session(sid) as stored:
            stored["room"], stored["peer"] = access.token, peer
        await self.enter_room(sid, media_room(access.token))
        await self.rooms.send_peers(access.token)
        me = room.peers[peer]
        return {
            "ok": True,
            "peer": peer,
            "role": access.role.value,
            "kind": access.kind,
            "live": live,
            "slots": room.slots,
            "ice_servers": list(self.hub.settings.ice_servers),
            **(access.window.payload() if access.window else {}),
            "peers": self.rooms.peers_payload(room, me)["peers"],
            "chat": list(room.chat),
        }

    async def _join_check(self, sid: str, fair: str) -> dict:
        """The device check: a room of one whose only subscriber is the sender itself."""
        async with self.hub.database.read_session() as db:
            user = await self._user(db, sid)
            await require_role(db, fair, user, *Role)
        peer = secrets.token_urlsafe(9)
        token = f"check-{peer}"
        language = (await self.get_session(sid)).get("language", "en")
        self.rooms.enter(
            Room(token, 0, None, None, None, slots=1),
            Peer(peer, sid, user.id, 0, user.name, "", VisitRole.MEMBER.value, language),
        )
        async with self.session(sid) as stored:
            stored["room"], stored["peer"] = token, peer
        return {
            "ok": True,
            "room": token,
            "peer": peer,
            "role": VisitRole.MEMBER.value,
            "kind": "check",
            "slots": 1,
            "ice_servers": list(self.hub.settings.ice_servers),
            "peers": [],
            "chat": [],
        }

    async def _recheck(self, sid: str, token: str) -> tuple[Room, Peer]:
        """The connection is in the room and may still be: else refused (and taken out)."""
        room, peer = await self._mine(sid, token)
        if token.startswith("check-"):
            return room, peer
        try:
            await self._access(sid, token)
        except RoomDenied:
            await self._leave(sid, token)
            raise
        return room, peer

    @handler(Offer, database=False)
    async def on_offer(self, db, sid: str, request: Offer) -> dict:
        """The client's one offer (fixed layout); answered by the media server."""
        await self.throttle((await self.get_session(sid))["user_id"])
        room, peer = await self._recheck(sid, request.room)
        media = self._media()
        check = request.room.startswith("check-")  # the device check: the sender sees itself
        try:
            answer = await media.join(
                request.room, peer.peer, request.sdp, room.slots, self_view=check
            )
        except MediaError as refused:
            raise media_refusal(refused) from None
        await self.rooms.send_peers(request.room)
        return {"ok": True, "sdp": answer}

    @handler(Candidate, database=False)
    async def on_ice(self, db, sid: str, request: Candidate) -> dict:
        """One ICE candidate of the client."""
        await self.throttle((await self.get_session(sid))["user_id"])
        _room, peer = await self._recheck(sid, request.room)
        try:
            await self._media().add_candidate(
                request.room, peer.peer, request.candidate, request.sdpMid, request.sdpMLineIndex
            )
        except MediaError as refused:
            raise media_refusal(refused) from None
        return {"ok": True}

    @handler(State, database=False)
    async def on_state(self, db, sid: str, request: State) -> dict:
        """What the client sends now (microphone, camera, screen); the others are told."""
        await self.throttle((await self.get_session(sid))["user_id"])
        _room, peer = await self._recheck(sid, request.room)
        peer.audio, peer.video, peer.screen = request.audio, request.video, request.screen
        await self.rooms.send_peers(request.room)
        return {"ok": True}

    @handler(Chat, database=False)
    async def on_chat(self, db, sid: str, request: Chat) -> dict:
        """A chat message to everyone in the room (the last 50 are kept while it is open)."""
        user_id = (await self.get_session(sid))["user_id"]
        if self.chat_limit is not None and not await self.chat_limit.allow(user_id):
            raise Denied("rate-limited", _("You are sending too fast. Wait a few seconds."))
        room, peer = await self._recheck(sid, request.room)
        text = without_controls(request.text).strip()
        if not text:
            raise Denied("invalid", _("The message is empty."))
        message = {"name": peer.name, "text": text, "at": utcnow().isoformat()}
        room.chat.append(message)
        payload = {"room": room.token, "message": message}
        await self.emit("chat", payload, room=media_room(room.token), skip_sid=sid)
        return {"ok": True, "message": message}

    @handler(RoomRef, database=False)
    async def on_leave(self, db, sid: str, request: RoomRef) -> dict:
        """Leave the room: media closed, visit ended, the others told."""
        await self._mine(sid, request.room)
        await self._leave(sid, request.room)
        return {"ok": True}

    @handler(RoomRef, database=False)
    async def on_end(self, db, sid: str, request: RoomRef) -> dict:
        """An organiser ends the room for everyone."""
        await self.throttle((await self.get_session(sid))["user_id"])
        access = await self._access(sid, request.room)
        if not access.moderator:
            raise Forbidden(_("Only the fair's organisers can end a room."))
        async with self.hub.database.session() as db:
            await attendance.end_room(db, access, self.rooms.clock())
            await db.commit()
        await self.rooms.close_room(request.room, "ended")
        return {"ok": True}

    async def _leave(self, sid: str, token: str) -> None:
        """Take this connection out of `token`: media, visit, the others' peers."""
        peer = None
        with contextlib.suppress(KeyError):  # the connection is gone already
            async with self.session(sid) as stored:
                peer = stored.pop("peer", None)
                stored.pop("room", None)
            await self.leave_room(sid, media_room(token))
        if peer is not None:
            await self._gone(token, peer)

    async def _gone(self, token: str, peer: str) -> None:
        """`peer` left `token`: out of the room and its media, its visit ended, others told."""
        await self.rooms.leave(token, peer)
        if not token.startswith("check-"):
            async with self.hub.database.session() as db:
                await attendance.record_leave(db, peer, self.rooms.clock())
                await db.commit()
        await self.rooms.send_peers(token)

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        try:
            session = await self.get_session(sid)
        except KeyError:  # the handshake was refused: nothing was joined
            return
        token, peer = session.get("room"), session.get("peer")
        if token and peer:
            await self._gone(token, peer)
