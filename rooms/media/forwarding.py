"""Fan-out of one publisher's encoded frames to its subscribers' tracks, with keyframe control."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction

import av
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from rooms.media.aiortc_hooks import ForwardingReceiver

H264_KEY_NAL_TYPES = {5, 7}  # an IDR slice, or a sequence parameter set in front of one


def is_keyframe(codec: RTCRtpCodecParameters, data: bytes) -> bool:
    """Whether an encoded video frame can be decoded on its own."""
    mime = codec.mimeType.lower()
    if mime == "video/vp8":
        # RFC 6386 9.1: the frame tag's first bit is 0 for a key frame.
        return bool(data) and not data[0] & 0x01
    if mime == "video/h264":
        # aiortc's depayloader writes Annex B: NAL units after 00 00 01 or 00 00 00 01.
        index = data.find(b"\x00\x00\x01")
        while index != -1 and index + 3 < len(data):
            if data[index + 3] & 0x1F in H264_KEY_NAL_TYPES:
                return True
            index = data.find(b"\x00\x00\x01", index + 3)
        return False
    return True


def same_codec(a: RTCRtpCodecParameters, b: RTCRtpCodecParameters) -> bool:
    """Whether frames encoded for codec `a` can be sent as codec `b` without re-encoding."""
    if a.mimeType.lower() != b.mimeType.lower() or a.clockRate != b.clockRate:
        return False
    if a.mimeType.lower() == "video/h264":
        mode = "packetization-mode"
        return str(a.parameters.get(mode, "0")) == str(b.parameters.get(mode, "0"))
    return True


class ForwardTrack(MediaStreamTrack):
    """What a subscriber's sender reads: the encoded frames of whichever publication feeds it.

    Video waits for a keyframe when it starts, when its source changes and after it fell behind
    (more than `limit` frames queued), and asks the publication for one each time; audio is never
    held back (it drops its oldest frames when behind).
    """

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__()
        self.kind = kind
        self._limit = limit
        self._frames: deque[av.Packet] = deque()
        self._ready = asyncio.Event()
        self._source: Publication | None = None
        self._needs_keyframe = kind == "video"
        self._offset: int | None = 0  # keeps RTP timestamps rising when the source changes
        self._last_pts = -1
        self.codec: RTCRtpCodecParameters | None = None
        self.forwarded = 0
        self.dropped = 0
        self.subscribed_at: float | None = None
        self.first_keyframe_at: float | None = None

    def set_codec(self, codec: RTCRtpCodecParameters) -> None:
        """The codec the subscriber negotiated for this m-line (called when sending starts)."""
        self.codec = codec
        if self._source is not None and self.kind == "video":
            self._source.request_keyframe()

    def attach(self, source: Publication | None) -> None:
        """Take frames from `source` from now on (None: nothing)."""
        if self._source is source:
            return
        if self._source is not None:
            self._source.subscribers.discard(self)
        self._source = source
        self._frames.clear()
        self._needs_keyframe = self.kind == "video"
        self._offset = None  # set by the first frame of the source
        if source is not None:
            source.subscribers.add(self)
            self.subscribed_at = time.monotonic()
            self.first_keyframe_at = None
            if self._needs_keyframe:
                source.request_keyframe()

    def push(self, codec: RTCRtpCodecParameters, packet: av.Packet, keyframe: bool) -> None:
        """Queue one frame of the source, unless the subscriber cannot use it yet."""
        if self.codec is None or not same_codec(codec, self.codec):
            return
        if self._needs_keyframe:
            if not keyframe:
                self.dropped += 1
                return
            self._needs_keyframe = False
            if self.first_keyframe_at is None:
                self.first_keyframe_at = time.monotonic()
        if len(self._frames) >= self._limit:
            if self.kind == "video":
                self.dropped += len(self._frames) + 1
                self._frames.clear()
                self._needs_keyframe = True
                if self._source is not None:
                    self._source.request_keyframe()
                return
            self._frames.popleft()
            self.dropped += 1
        if self._offset is None:
            self._offset = self._last_pts + 1 - packet.pts if self._last_pts >= 0 else 0
        self._frames.append(packet)
        self._ready.set()

    def keyframe_requested(self) -> None:
        """The subscriber lost a picture (PLI/FIR): ask the publisher, throttled."""
        if self._source is not None and self.kind == "video":
            self._source.request_keyframe()

    async def recv(self) -> av.Packet:
        """The next forwarded frame, as an encoded packet for the sender's packer."""
        while not self._frames:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        packet = self._frames.popleft()
        if self._offset:
            shifted = av.Packet(bytes(packet))
            shifted.pts = packet.pts + self._offset
            shifted.time_base = packet.time_base
            packet = shifted
        self._last_pts = packet.pts
        self.forwarded += 1
        return packet

    def stop(self) -> None:
        """End the track: its sender stops reading."""
        self.attach(None)
        super().stop()
        self._ready.set()


class Publication:
    """One m-line a peer sends (microphone, camera or screen) and the tracks it feeds."""

    def __init__(
        self,
        receiver: ForwardingReceiver,
        kind: str,
        keyframe_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.receiver = receiver
        self.kind = kind
        self.subscribers: set[ForwardTrack] = set()
        self.frames = 0
        self.keyframe_requests = 0  # sent to the publisher
        self._interval = keyframe_interval
        self._clock = clock
        self._last_request: float | None = None
        self._deferred: asyncio.TimerHandle | None = None
        receiver.on_frame = self._on_frame

    def _on_frame(self, codec: RTCRtpCodecParameters, frame: JitterFrame) -> None:
        self.frames += 1
        if not self.subscribers:
            return
        packet = av.Packet(frame.data)
        packet.pts = frame.timestamp
        packet.time_base = Fraction(1, codec.clockRate)
        keyframe = self.kind != "video" or is_keyframe(codec, frame.data)
        for track in tuple(self.subscribers):
            track.push(codec, packet, keyframe)

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe, at most once per interval (a later one is deferred)."""
        if self.kind != "video":
            return
        now = self._clock()
        if self._last_request is None or now - self._last_request >= self._interval:
            if self.receiver.request_keyframe():
                self._last_request = now
                self.keyframe_requests += 1
            return
        if self._deferred is None:
            delay = self._interval - (now - self._last_request)
            self._deferred = asyncio.get_running_loop().call_later(delay, self._send_deferred)

    def _send_deferred(self) -> None:
        self._deferred = None
        self.request_keyframe()

    def close(self) -> None:
        """Stop feeding every subscriber and forget the pending keyframe request."""
        if self._deferred is not None:
            self._deferred.cancel()
            self._deferred = None
        for track in tuple(self.subscribers):
            track.attach(None)
        self.receiver.on_frame = None
