"""The media server: rooms of peers whose encoded media it forwards to one another."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.rtcconfiguration import RTCBundlePolicy
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.sdp import candidate_from_sdp

from rooms.media import errors
from rooms.media.aiortc_hooks import (
    ForwardingReceiver,
    NetworkScope,
    add_transceiver,
    network_scope,
)
from rooms.media.forwarding import ForwardTrack, Publication
from rooms.media.layout import SOURCES, check_offer
from rooms.media.settings import MediaSettings

logger = logging.getLogger(__name__)

MAX_CANDIDATE_CHARS = 1_000


@dataclass(frozen=True)
class MediaEvent:
    """A peer's connection connected, closed (left, room closed, shutdown) or failed."""

    kind: Literal["connected", "closed", "failed"]
    room: str
    peer: str


def codec_preferences(kind: str) -> list[RTCRtpCodecCapability]:
    """VP8 then H264, with rtx, for video; Opus for audio: codecs forwarded as they come."""
    codecs = RTCRtpSender.getCapabilities(kind).codecs
    if kind == "audio":
        return [c for c in codecs if c.mimeType.lower() == "audio/opus"]
    order = {"video/vp8": 0, "video/h264": 1, "video/rtx": 2}
    chosen = [c for c in codecs if c.mimeType.lower() in order]
    return sorted(chosen, key=lambda c: order[c.mimeType.lower()])


class Peer:
    """One connection in a room: what it publishes, its recv slots and who is in them."""

    def __init__(self, room: str, peer: str, slots: int, pc: RTCPeerConnection) -> None:
        self.room = room
        self.id = peer
        self.slots = slots
        self.pc = pc
        self.publications: dict[str, Publication] = {}
        self.tracks: list[dict[str, ForwardTrack]] = [{} for _ in range(slots)]
        self.assigned: dict[str, int] = {}  # publisher peer -> recv slot
        self.connected = False
        self.closed = False
        self.deadline: asyncio.TimerHandle | None = None

    def free_slot(self) -> int | None:
        """The lowest recv slot nobody is in."""
        taken = set(self.assigned.values())
        return next((s for s in range(self.slots) if s not in taken), None)


class MediaServer:
    """Owns every peer connection; forwards each publisher's frames to the others' slots."""

    def __init__(
        self,
        settings: MediaSettings | None = None,
        on_event: Callable[[MediaEvent], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings or MediaSettings()
        self._on_event = on_event
        self._rooms: dict[str, dict[str, Peer]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._closing = False
        self._network = NetworkScope(tuple(self.settings.addresses), self.settings.ports)

    # ---- the interface of docs/video.md ---------------------------------------------------

    async def join(
        self, room: str, peer: str, offer_sdp: str, slots: int, *, self_view: bool | None = None
    ) -> str:
        """Connect a peer to a room from its offer; the answer SDP, with every candidate."""
        if self._closing:
            raise errors.shut_down()
        settings = self.settings
        layout = check_offer(
            offer_sdp, slots, max_chars=settings.max_offer_chars, max_slots=settings.max_slots
        )
        self_view = settings.self_view if self_view is None else self_view
        if self_view and slots < 1:
            raise errors.offer_layout("the device check needs one recv slot")
        members = self._rooms.setdefault(room, {})
        if peer in members:
            raise errors.already_joined()
        servers = [
            RTCIceServer(list(s.urls), s.username, s.credential)
            for s in settings.server_ice_servers
        ]
        # An explicit list, even empty: aiortc's default is a public STUN server.
        pc = RTCPeerConnection(
            RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        member = Peer(room, peer, slots, pc)
        members[peer] = member
        try:
            for line in layout:
                if line.slot is None:
                    transceiver = add_transceiver(pc, line.kind, "recvonly")
                    receiver = transceiver.receiver
                    assert isinstance(receiver, ForwardingReceiver)  # add_transceiver's  # noqa: S101
                    member.publications[line.source] = Publication(
                        receiver, line.kind, settings.keyframe_interval
                    )
                else:
                    track = ForwardTrack(line.kind, settings.queue_frames)
                    transceiver = add_transceiver(pc, line.kind, "sendonly", track)
                    member.tracks[line.slot][line.source] = track
                transceiver.setCodecPreferences(codec_preferences(line.kind))
            with network_scope(self._network):
                await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            logger.info("media: offer of %s in %s refused: %s", peer, room, exc)
            await self._close_peer(member, None)
            raise errors.negotiation_failed() from None
        if member.closed:  # the room was closed while negotiating
            raise errors.shut_down()
        pc.on("connectionstatechange", lambda: self._state_changed(member))
        loop = asyncio.get_running_loop()
        member.deadline = loop.call_later(settings.connect_seconds, self._deadline, member)
        for other in members.values():
            if other is not member:
                self._subscribe(member, other)
                self._subscribe(other, member)
        if self_view:
            self._subscribe(member, member)
        return pc.localDescription.sdp

    async def add_candidate(
        self,
        room: str,
        peer: str,
        candidate: str,
        sdp_mid: str | None,
        sdp_mline_index: int | None,
    ) -> None:
        """Add a trickled remote candidate (an empty one ends the candidates)."""
        member = self._member(room, peer)
        if not isinstance(candidate, str) or len(candidate) > MAX_CANDIDATE_CHARS:
            raise errors.bad_candidate()
        text = candidate.strip().removeprefix("a=").removeprefix("candidate:")
        if not text:
            ice = None
        else:
            try:
                ice = candidate_from_sdp(text)
            except (AssertionError, ValueError, IndexError):
                raise errors.bad_candidate() from None
            ice.sdpMid = sdp_mid
            ice.sdpMLineIndex = sdp_mline_index
            if sdp_mid is None and sdp_mline_index is None:
                ice.sdpMLineIndex = 0
        try:
            await member.pc.addIceCandidate(ice)
        except Exception as exc:
            logger.info("media: candidate of %s refused: %s", peer, exc)
            raise errors.bad_candidate() from None

    async def leave(self, room: str, peer: str) -> None:
        """Close that peer's connection and free its slot in everyone's view."""
        member = self._rooms.get(room, {}).get(peer)
        if member is not None:
            await self._close_peer(member, "closed")

    async def close_room(self, room: str) -> None:
        """Close every connection of the room."""
        for member in list(self._rooms.get(room, {}).values()):
            await self._close_peer(member, "closed")
        self._rooms.pop(room, None)

    async def close(self) -> None:
        """Shut down: every connection closed, every event delivered."""
        self._closing = True
        for room in list(self._rooms):
            await self.close_room(room)
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def slot_of(self, room: str, viewer: str, publisher: str) -> int | None:
        """The recv slot of `viewer` that carries `publisher`, or None."""
        member = self._rooms.get(room, {}).get(viewer)
        return None if member is None else member.assigned.get(publisher)

    def rooms(self) -> dict[str, list[str]]:
        """Room -> its peers, for tests and the dashboard."""
        return {room: list(members) for room, members in self._rooms.items() if members}

    # ---- inside ---------------------------------------------------------------------------

    def peer(self, room: str, peer: str) -> Peer | None:
        """The peer's state (publications, tracks), for tests and measurements."""
        return self._rooms.get(room, {}).get(peer)

    def _member(self, room: str, peer: str) -> Peer:
        member = self._rooms.get(room, {}).get(peer)
        if member is None or member.closed:
            raise errors.not_in_room()
        return member

    def _subscribe(self, viewer: Peer, publisher: Peer) -> None:
        slot = viewer.free_slot()
        if slot is None:
            logger.warning("media: no free slot of %s for %s", viewer.id, publisher.id)
            return
        viewer.assigned[publisher.id] = slot
        for source in SOURCES:
            viewer.tracks[slot][source].attach(publisher.publications[source])

    def _unsubscribe(self, viewer: Peer, publisher: Peer) -> None:
        slot = viewer.assigned.pop(publisher.id, None)
        if slot is not None:
            for track in viewer.tracks[slot].values():
                track.attach(None)

    def _state_changed(self, member: Peer) -> None:
        state = member.pc.connectionState
        if state == "connected" and not member.connected and not member.closed:
            member.connected = True
            if member.deadline is not None:
                member.deadline.cancel()
            self._spawn(self._emit(MediaEvent("connected", member.room, member.id)))
        elif state == "failed" and not member.closed:
            self._spawn(self._close_peer(member, "failed"))

    def _deadline(self, member: Peer) -> None:
        member.deadline = None
        if not member.connected and not member.closed:
            logger.info("media: %s in %s did not connect in time", member.id, member.room)
            self._spawn(self._close_peer(member, "failed"))

    async def _close_peer(self, member: Peer, kind: Literal["closed", "failed"] | None) -> None:
        if member.closed:
            return
        member.closed = True
        if member.deadline is not None:
            member.deadline.cancel()
        members = self._rooms.get(member.room, {})
        if members.get(member.id) is member:
            del members[member.id]
        if not members:
            self._rooms.pop(member.room, None)
        for other in members.values():
            self._unsubscribe(other, member)
        for publication in member.publications.values():
            publication.close()
        for slot in member.tracks:
            for track in slot.values():
                track.stop()
        try:
            await member.pc.close()
        except Exception:  # a half-negotiated connection may fail to close; it is gone anyway
            logger.exception("media: closing %s in %s", member.id, member.room)
        if kind is not None:
            await self._emit(MediaEvent(kind, member.room, member.id))

    async def _emit(self, event: MediaEvent) -> None:
        if self._on_event is None:
            return
        try:
            await self._on_event(event)
        except Exception:  # the web side's trouble must not stop the media server
            logger.exception("media: event handler failed for %s", event)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


__all__ = ["MediaEvent", "MediaServer", "codec_preferences"]
