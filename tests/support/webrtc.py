"""aiortc bots that join video rooms in the fixed offer layout (docs/video.md).

    bot = Bot(slots=1)                          # publishes pre-encoded VP8 640x480 30 fps + Opus
    await bot.connect(lambda offer: media.join("room", "a", offer, 1))   # or through Socket.IO
    await bot.wait_for(lambda: bot.reception(0, "camera").frames > 10)
    await bot.close()

    sharer = Bot(slots=1, screen=True)          # may share a screen later
    sharer.share_screen()                       # pre-encoded VP8 1280x720 15 fps on m-line 2

A bot publishes looped pre-encoded frames (cheap: nothing is encoded while it runs; a keyframe
request restarts the loop at its keyframe) or, with `pattern=True`, a decoded test pattern that
aiortc encodes. It records what arrives on each recv slot and source ("audio", "camera",
"screen"): frames, keyframes, bytes and times; with `decode=True` it also decodes them on the
event loop (its own codec contexts) and notes the picture size. Its receivers never start
aiortc's decoder threads. Run bots only inside a private network namespace (tests/support/netns).
"""

from __future__ import annotations

import asyncio
import fractions
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack
from aiortc.rtcconfiguration import RTCBundlePolicy

from rooms.media.aiortc_hooks import NetworkScope, add_transceiver, network_scope
from rooms.media.forwarding import ForwardTrack, is_keyframe
from rooms.media.layout import SOURCES, lines
from rooms.media.server import codec_preferences

Signal = Callable[[str], Awaitable[str]]
VIDEO_CLOCK = 90_000
AUDIO_CLOCK = 48_000


def _pattern(width: int, height: int, n: int) -> np.ndarray:
    """An RGB picture that moves from frame to frame (a gradient and a sliding bar)."""
    x = np.arange(width, dtype=np.uint16)
    y = np.arange(height, dtype=np.uint16)[:, None]
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[..., 0] = ((x + 4 * n) % 256).astype(np.uint8)
    image[..., 1] = ((y + 2 * n) % 256).astype(np.uint8)
    image[..., 2] = 128
    bar = (8 * n) % width
    image[:, bar : bar + 24] = 255
    return image


@functools.cache
def encoded_video(
    width: int = 640, height: int = 480, fps: int = 30, frames: int = 60, bitrate: int = 800_000
) -> tuple[bytes, ...]:
    """A loop of VP8 frames whose first (and only) keyframe starts it."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.bit_rate = bitrate
    codec.time_base = fractions.Fraction(1, fps)
    codec.gop_size = frames
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    out: list[bytes] = []
    for n in range(frames):
        frame = av.VideoFrame.from_ndarray(_pattern(width, height, n), format="rgb24")
        frame = frame.reformat(format="yuv420p")
        frame.pts = n
        out += [bytes(p) for p in codec.encode(frame)]
    out += [bytes(p) for p in codec.encode(None)]
    return tuple(out)


@functools.cache
def encoded_audio(frames: int = 50) -> tuple[bytes, ...]:
    """A loop of 20 ms Opus frames of a 440 Hz tone."""
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = AUDIO_CLOCK, "stereo", "s16"
    codec.bit_rate = 32_000
    codec.time_base = fractions.Fraction(1, AUDIO_CLOCK)
    out: list[bytes] = []
    for n in range(frames):
        t = (np.arange(960) + 960 * n) / AUDIO_CLOCK
        tone = (3000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(
            np.repeat(tone, 2)[None, :], format="s16", layout="stereo"
        )
        frame.sample_rate, frame.pts = AUDIO_CLOCK, 960 * n
        out += [bytes(p) for p in codec.encode(frame)]
    return tuple(out)


class PacketTrack(MediaStreamTrack):
    """Sends looped encoded frames in real time; a keyframe request restarts the loop."""

    def __init__(self, kind: str, frames: tuple[bytes, ...], rate: int) -> None:
        super().__init__()
        self.kind = kind
        self._frames = frames
        self._clock = VIDEO_CLOCK if kind == "video" else AUDIO_CLOCK
        self._step = self._clock // rate
        self._period = 1 / rate
        self._index = 0
        self._start: float | None = None
        self.sent = 0
        self.keyframe_requests = 0

    def keyframe_requested(self) -> None:
        """The next frame is the loop's keyframe."""
        self.keyframe_requests += 1
        self._index = 0

    async def recv(self) -> av.Packet:  # type: ignore[override]
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
        wait = self._start + self.sent * self._period - now
        if wait > 0:
            await asyncio.sleep(wait)
        packet = av.Packet(self._frames[self._index])
        packet.pts = self.sent * self._step
        packet.time_base = fractions.Fraction(1, self._clock)
        self._index = (self._index + 1) % len(self._frames)
        self.sent += 1
        return packet


class PatternTrack(VideoStreamTrack):
    """A decoded moving test pattern (aiortc encodes it)."""

    async def recv(self) -> av.VideoFrame:  # type: ignore[override]
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(_pattern(320, 240, pts // 3000), format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


@dataclass
class Reception:
    """What arrived on one recv m-line."""

    frames: int = 0
    keyframes: int = 0
    bytes: int = 0
    first_frame_at: float | None = None
    first_keyframe_at: float | None = None
    decoded: int = 0
    decode_errors: int = 0
    size: tuple[int, int] | None = None


SCREEN_SIZE = (1280, 720)  # a shared screen's picture, told apart from the 640x480 camera


class Bot:
    """One participant: sends microphone, camera (and a shared screen); records its slots."""

    def __init__(
        self,
        slots: int,
        *,
        audio: bool = True,
        video: bool = True,
        pattern: bool = False,
        decode: bool = False,
        screen: bool = False,
        addresses: tuple[str, ...] = ("127.0.0.1",),
    ) -> None:
        self.slots = slots
        self.decode = decode
        self.pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        self.tracks: dict[str, MediaStreamTrack] = {}
        if audio:
            self.tracks["audio"] = PacketTrack("audio", encoded_audio(), 50)
        if video:
            self.tracks["camera"] = (
                PatternTrack() if pattern else PacketTrack("video", encoded_video(), 30)
            )
        self._network = NetworkScope(addresses)
        self._receptions: dict[tuple[int, str], Reception] = {}
        self._decoders: dict[tuple[int, str], av.CodecContext] = {}
        self.decoders_opened = 0
        self._screen_sender: RTCRtpSender | None = None
        for line in lines(slots):
            if line.slot is None:
                # A silent placeholder costs nothing; a screen to share later needs a sender
                # without a track (aiortc polls it until `replaceTrack` gives it one).
                placeholder = (
                    None if screen and line.source == "screen" else ForwardTrack(line.kind, 1)
                )
                track = self.tracks.get(line.source) or placeholder
                transceiver = add_transceiver(
                    self.pc, line.kind, "sendonly", track, forward_send=not pattern
                )
                if screen and line.source == "screen":
                    self._screen_sender = transceiver.sender
            else:
                transceiver = add_transceiver(self.pc, line.kind, "recvonly")
                key = (line.slot, line.source)
                self._receptions[key] = Reception()
                transceiver.receiver.on_frame = functools.partial(self._on_frame, key)
            transceiver.setCodecPreferences(codec_preferences(line.kind))

    async def connect(self, signal: Signal) -> None:
        """Send the offer through `signal` and apply the answer it returns."""
        with network_scope(self._network):
            await self.pc.setLocalDescription(await self.pc.createOffer())
            answer = await signal(self.pc.localDescription.sdp)
            await self.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))

    def share_screen(self) -> None:
        """Start sending a screen (1280x720, 15 fps) on the screen m-line, as a browser does."""
        if self._screen_sender is None:
            raise RuntimeError("a bot shares a screen only when made with screen=True")
        track = PacketTrack("video", encoded_video(*SCREEN_SIZE, fps=15, frames=15), 15)
        self.tracks["screen"] = track
        self._screen_sender.replaceTrack(track)

    def stop_sharing(self) -> None:
        """Stop sending the screen: the m-line stays, silent."""
        if self._screen_sender is not None:
            self._screen_sender.replaceTrack(None)
        track = self.tracks.pop("screen", None)
        if track is not None:
            track.stop()

    def reception(self, slot: int, source: str) -> Reception:
        """What arrived on that recv slot's m-line for `source` (audio, camera, screen)."""
        if source not in SOURCES:
            raise ValueError(source)
        return self._receptions[(slot, source)]

    async def wait_for(self, predicate: Callable[[], bool], seconds: float = 10.0) -> None:
        """Poll until `predicate()` holds; TimeoutError after `seconds`."""
        # Frames arrive inside aiortc with no event to wait on: polling is the simple way.
        async with asyncio.timeout(seconds):
            while not predicate():  # noqa: ASYNC110
                await asyncio.sleep(0.02)

    async def close(self) -> None:
        """Close the connection and stop its tracks."""
        await self.pc.close()
        for track in self.tracks.values():
            track.stop()
        self._decoders.clear()

    def _on_frame(self, key: tuple[int, str], codec, frame) -> None:
        now = time.monotonic()
        seen = self._receptions[key]
        seen.frames += 1
        seen.bytes += len(frame.data)
        if seen.first_frame_at is None:
            seen.first_frame_at = now
        if codec.mimeType.lower().startswith("video/") and is_keyframe(codec, frame.data):
            seen.keyframes += 1
            if seen.first_keyframe_at is None:
                seen.first_keyframe_at = now
        if self.decode:
            self._decode(key, codec, frame, seen)

    def _decode(self, key, codec, frame, seen: Reception) -> None:
        decoder = self._decoders.get(key)
        if decoder is None:
            name = {"video/vp8": "libvpx", "video/h264": "h264", "audio/opus": "libopus"}
            decoder = av.CodecContext.create(name[codec.mimeType.lower()], "r")
            self._decoders[key] = decoder
            self.decoders_opened += 1
        try:
            for picture in decoder.decode(av.Packet(frame.data)):
                seen.decoded += 1
                if isinstance(picture, av.VideoFrame):
                    seen.size = (picture.width, picture.height)
        except av.FFmpegError:
            seen.decode_errors += 1
