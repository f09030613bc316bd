"""Every touch of aiortc's and aioice's internals, in one place.

The media server forwards encoded frames: a publisher's receiver hands each frame re-assembled by
aiortc's jitter buffer to the forwarder on the event loop (no decoder thread), and a subscriber's
sender packs the forwarded `av.Packet` with the encoder's `pack()` (never `encode()`). The network
settings (the addresses ICE gathers on, a UDP port range) apply through a context variable read
by wrappers around aioice's address lookup and host-candidate binding, so that only the code that
asked for them (the media server, test bots) sees them.

tests/rooms/media/test_aiortc_internals.py fails, naming what changed, when aiortc or aioice
change anything this module relies on (`problems()` below).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import inspect
import random
import socket
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import aioice
import aioice.ice
import aiortc
import av
from aioice.candidate import Candidate, candidate_foundation, candidate_priority
from aiortc import rtcpeerconnection
from aiortc.codecs import get_encoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import convert_timebase
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpReceiveParameters,
    RTCRtpSendParameters,
)
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtcrtpsender import RTCRtpSender
from aiortc.rtcrtptransceiver import RTCRtpTransceiver

AIORTC_VERSION = "1.16.0"
AIOICE_VERSION = "0.13.0"

FrameSink = Callable[[RTCRtpCodecParameters, JitterFrame], None]


class _NoThread:
    """Stands where aiortc keeps a receiver's decoder thread; there is nothing to join."""

    def join(self) -> None:
        """Nothing runs, so nothing to wait for."""


_NO_THREAD = _NoThread()


class _Sink:
    """Stands where aiortc keeps a receiver's decoder queue: frames go to the forwarder at once."""

    def __init__(self, receiver: ForwardingReceiver) -> None:
        self._receiver = receiver

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        """Hand a re-assembled frame to the receiver's sink; None means the stream ended."""
        if item is None:
            self._receiver.ended = True
        elif self._receiver.on_frame is not None:
            self._receiver.on_frame(*item)


class ForwardingReceiver(RTCRtpReceiver):
    """An RTCRtpReceiver that hands encoded frames to `on_frame` instead of a decoder thread."""

    def __init__(self, kind: str, transport) -> None:
        super().__init__(kind, transport)
        self.on_frame: FrameSink | None = None
        self.media_ssrc: int | None = None
        self.ended = False
        self._rtx_types: set[int] = set()
        self._pending: set[asyncio.Future] = set()

    async def receive(self, parameters: RTCRtpReceiveParameters) -> None:
        """Start receiving as aiortc does (transport, RTCP), with a sink for a decoder."""
        if vars(self)["_RTCRtpReceiver__started"]:
            return
        codecs = self._RTCRtpReceiver__codecs  # type: ignore[attr-defined]
        for codec in parameters.codecs:
            codecs[codec.payloadType] = codec
            if codec.name.lower() == "rtx":
                self._rtx_types.add(codec.payloadType)
        rtx_ssrc = self._RTCRtpReceiver__rtx_ssrc  # type: ignore[attr-defined]
        for encoding in parameters.encodings:
            if encoding.rtx:
                rtx_ssrc[encoding.rtx.ssrc] = encoding.ssrc
            if self.media_ssrc is None and encoding.ssrc:
                self.media_ssrc = encoding.ssrc
        self._RTCRtpReceiver__decoder_queue = _Sink(self)
        self._RTCRtpReceiver__decoder_thread = _NO_THREAD
        self.transport._register_rtp_receiver(self, parameters)
        self._RTCRtpReceiver__rtcp_task = asyncio.ensure_future(self._run_rtcp())
        self._RTCRtpReceiver__started = True

    async def _handle_rtp_packet(self, packet, arrival_time_ms: int) -> None:
        if packet.payload_type not in self._rtx_types:
            self.media_ssrc = packet.ssrc
        await super()._handle_rtp_packet(packet, arrival_time_ms)

    def request_keyframe(self) -> bool:
        """Send the publisher a picture loss indication; False when its stream is not known yet."""
        if self.media_ssrc is None or self.ended:
            return False
        future = asyncio.ensure_future(self._send_rtcp_pli(self.media_ssrc))
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return True

    async def stop(self) -> None:
        """Stop as aiortc does, and any keyframe request still on its way."""
        for future in list(self._pending):
            future.cancel()
        await super().stop()


class Packer:
    """Stands where aiortc keeps a sender's encoder: packs encoded packets, never encodes."""

    encodes = 0  # across all packers: stays 0, the tests check it

    def __init__(self, codec: RTCRtpCodecParameters) -> None:
        self.codec = codec
        self.mime = codec.mimeType.lower()
        self.packed = 0
        # VP8's and H264's packers keep no codec context until encode() is called.
        self._video = get_encoder(codec) if codec.mimeType.lower().startswith("video/") else None
        self._clock_rate = codec.clockRate

    def pack(self, packet: av.Packet) -> tuple[list[bytes], int]:
        """RTP payloads and timestamp for one encoded frame."""
        self.packed += 1
        if self._video is not None:
            return self._video.pack(packet)
        return [bytes(packet)], _audio_timestamp(packet, self._clock_rate)

    def encode(self, frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        """Refuse: the media server forwards and never encodes."""
        Packer.encodes += 1
        raise RuntimeError("the media server never encodes")


def _audio_timestamp(packet: av.Packet, clock_rate: int) -> int:
    return convert_timebase(packet.pts, packet.time_base, Fraction(1, clock_rate))


class ForwardingSender(RTCRtpSender):
    """An RTCRtpSender that packs forwarded packets and passes keyframe requests to its track."""

    async def send(self, parameters: RTCRtpSendParameters) -> None:
        """Start sending as aiortc does, with a packer for the negotiated codec."""
        if parameters.codecs and vars(self)["_RTCRtpSender__encoder"] is None:
            codec = parameters.codecs[0]
            self._RTCRtpSender__encoder = Packer(codec)
            set_codec = getattr(self.track, "set_codec", None)
            if set_codec is not None:
                set_codec(codec)
        await super().send(parameters)

    def _send_keyframe(self) -> None:
        # aiortc would mark its encoder's next frame as a keyframe; a forwarded stream asks the
        # publisher instead (the track knows which one).
        request = getattr(self.track, "keyframe_requested", None)
        if request is not None:
            request()

    @property
    def packer(self) -> Packer | None:
        """The packer in use once sending started."""
        encoder = vars(self)["_RTCRtpSender__encoder"]
        return encoder if isinstance(encoder, Packer) else None


def add_transceiver(
    pc: rtcpeerconnection.RTCPeerConnection,
    kind: str,
    direction: str,
    track=None,
    *,
    forward_send: bool = True,
) -> RTCRtpTransceiver:
    """Add a transceiver whose receiver forwards and (with forward_send) whose sender packs."""
    # RTCPeerConnection builds its senders and receivers from its module's names, synchronously.
    saved = rtcpeerconnection.RTCRtpReceiver, rtcpeerconnection.RTCRtpSender
    rtcpeerconnection.RTCRtpReceiver = ForwardingReceiver  # type: ignore[misc]
    if forward_send:
        rtcpeerconnection.RTCRtpSender = ForwardingSender  # type: ignore[misc]
    try:
        return pc.addTransceiver(track or kind, direction=direction)
    finally:
        rtcpeerconnection.RTCRtpReceiver, rtcpeerconnection.RTCRtpSender = saved  # type: ignore[misc]


# ---- network settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkScope:
    """The addresses to gather on (empty: aioice's choice) and a UDP port range (or any)."""

    addresses: tuple[str, ...] = ()
    ports: tuple[int, int] | None = None


_network: contextvars.ContextVar[NetworkScope | None] = contextvars.ContextVar(
    "fiera_media_network", default=None
)
_original_host_addresses = aioice.ice.get_host_addresses
_original_component_candidates = aioice.ice.Connection.get_component_candidates


@contextlib.contextmanager
def network_scope(scope: NetworkScope) -> Iterator[None]:
    """ICE gathering started inside this block (and its tasks) follows `scope`."""
    install()
    token = _network.set(scope)
    try:
        yield
    finally:
        _network.reset(token)


def _host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    scope = _network.get()
    if scope is None or not scope.addresses:
        return _original_host_addresses(use_ipv4, use_ipv6)
    return [a for a in scope.addresses if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]


async def _bind_in_range(connection, address: str, ports: tuple[int, int]):
    loop = asyncio.get_running_loop()
    low, high = ports
    span = high - low + 1
    start = random.randrange(span)  # noqa: S311  (spreads allocations, not a secret)
    for step in range(span):
        port = low + (start + step) % span
        try:
            transport, protocol = await loop.create_datagram_endpoint(
                lambda: aioice.ice.StunProtocol(connection), local_addr=(address, port)
            )
        except OSError:
            continue
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, aioice.turn.UDP_SOCKET_BUFFER_SIZE)
        return protocol
    return None


async def _component_candidates(self, component: int, addresses: list[str], timeout: int = 5):  # noqa: ASYNC109  (aioice's signature)
    scope = _network.get()
    if scope is None or scope.ports is None:
        return await _original_component_candidates(self, component, addresses, timeout)
    candidates = []
    for address in addresses:
        protocol = await _bind_in_range(self, address, scope.ports)
        if protocol is None:
            continue
        host, port = protocol.transport.get_extra_info("sockname")[:2]
        protocol.local_candidate = Candidate(
            foundation=candidate_foundation("host", "udp", host),
            component=component,
            transport="udp",
            priority=candidate_priority(component, "host"),
            host=host,
            port=port,
            type="host",
        )
        candidates.append(protocol.local_candidate)
        self._protocols.append(protocol)
    # TURN relays still come from aioice; server-reflexive candidates need its own host sockets
    # and are not gathered with a port range (a server announces its public address instead).
    candidates += await _original_component_candidates(self, component, [], timeout)
    return candidates


def install() -> None:
    """Put the scoped wrappers in place of aioice's address lookup and host binding (idempotent)."""
    aioice.ice.get_host_addresses = _host_addresses
    aioice.ice.Connection.get_component_candidates = _component_candidates  # type: ignore[method-assign]


# ---- what this module relies on ---------------------------------------------------------------

# sha256 of the source of every function whose behaviour the hooks above depend on or re-implement.
RELIED_ON: dict[str, str] = {
    "aiortc.rtcrtpreceiver.RTCRtpReceiver.__init__": (
        "4718800a4f1fc59f148b06481c413e49ae582a683105e127f99f23c1ce439638"
    ),
    "aiortc.rtcrtpreceiver.RTCRtpReceiver.receive": (
        "8b7d3aa99ad93749f774330b198471e48b192c3a874357d827f671ea13366098"
    ),
    "aiortc.rtcrtpreceiver.RTCRtpReceiver._handle_rtp_packet": (
        "21f94e91412392de03e7c30739b27218cacc6d4943daa9c7daaab38b63869665"
    ),
    "aiortc.rtcrtpreceiver.RTCRtpReceiver._RTCRtpReceiver__stop_decoder": (
        "3bf2739bf4641473a742e214ce36269e74bdeea43265dfddc5ed97fa12a2d488"
    ),
    "aiortc.rtcrtpreceiver.RTCRtpReceiver._send_rtcp_pli": (
        "9ad907bbd19f2c4f17f0c2977d81a0c7f3eb727059adaa07fe3b23702c982e6c"
    ),
    "aiortc.rtcrtpreceiver.RTCRtpReceiver.stop": (
        "e8f0ace53561008d9067204fd25ea9784d76d740da0898cf411411ba97b9682f"
    ),
    "aiortc.rtcrtpsender.RTCRtpSender.send": (
        "295098f2c8650366372dcae14439aa364efd60ba1fe159883c51d6a9718ba879"
    ),
    "aiortc.rtcrtpsender.RTCRtpSender._handle_rtcp_packet": (
        "b6ba0f70fb7da56a772f44f59707045ca0a5ed1912e87c24bfd23d4800b3ba53"
    ),
    "aiortc.rtcrtpsender.RTCRtpSender._next_encoded_frame": (
        "8aee92e4e161c413f3c4a46bcdda1bfde932e8dd67014a84e02131b154250e21"
    ),
    "aiortc.rtcrtpsender.RTCRtpSender._run_rtp": (
        "088f53fa9fb7a791f9f7cf3b005c1a6b5383a9f0b7ebde553403105af9241977"
    ),
    "aiortc.rtcpeerconnection.RTCPeerConnection._RTCPeerConnection__createTransceiver": (
        "aae5d89c5531f6090be8581cbc79f0696f0d30cd7582dee8863b0a4646c343f1"
    ),
    "aiortc.codecs.vpx.Vp8Encoder.pack": (
        "92744c3c929d04edcbc616aa757992ee43b96f0495bea06f1a2371404e05ca3e"
    ),
    "aiortc.codecs.h264.H264Encoder.pack": (
        "e95b5cd38cceaadffa4f73b3f209c1d474e26c865895dcee72025cf868885ef6"
    ),
    "aiortc.codecs.opus.OpusEncoder.pack": (
        "91d9f32a340f702f939e232015b97f5c137f3018885fea68b2ed4f8fbd9334a5"
    ),
    "aioice.ice.get_host_addresses": (
        "d4a54f9a68c39ff1bed532e76bd148cf1530aeb35b9be32900b53e234b78ae4f"
    ),
    "aioice.ice.Connection.gather_candidates": (
        "b902a463ded20fdde71f44e38dcc5b87291867f5e93af7b7f8d52b76c0d66d9f"
    ),
    "aioice.ice.Connection.get_component_candidates": (
        "1f3255fe6f9764c594d1736fe5daf59ec77ddf8b75772d8a54aca5446702ccb6"
    ),
}

# Instance attributes of a fresh RTCRtpReceiver / RTCRtpSender that the hooks read or replace.
RECEIVER_ATTRIBUTES = (
    "_RTCRtpReceiver__started",
    "_RTCRtpReceiver__codecs",
    "_RTCRtpReceiver__rtx_ssrc",
    "_RTCRtpReceiver__decoder_queue",
    "_RTCRtpReceiver__decoder_thread",
    "_RTCRtpReceiver__rtcp_task",
)
SENDER_ATTRIBUTES = ("_RTCRtpSender__encoder",)


def _resolve(dotted: str) -> Any:
    """The object named by a dotted path, with the stock (unwrapped) aioice functions."""
    originals = {
        "aioice.ice.get_host_addresses": _original_host_addresses,
        "aioice.ice.Connection.get_component_candidates": _original_component_candidates,
    }
    if dotted in originals:
        return originals[dotted]
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: Any = __import__(".".join(parts[:split]), fromlist=["_"])
        except ImportError:
            continue
        for name in parts[split:]:
            target = getattr(target, name)
        return target
    raise ImportError(dotted)


def source_digest(dotted: str) -> str:
    """sha256 of the dedented source of the function named `dotted`."""
    source = textwrap.dedent(inspect.getsource(_resolve(dotted)))
    return hashlib.sha256(source.encode()).hexdigest()


def problems() -> list[str]:
    """What changed in aiortc or aioice that the forwarder relies on (empty when nothing)."""
    found = []
    if aiortc.__version__ != AIORTC_VERSION:
        found.append(f"aiortc is {aiortc.__version__}, the hooks were written for {AIORTC_VERSION}")
    if aioice.__version__ != AIOICE_VERSION:
        found.append(f"aioice is {aioice.__version__}, the hooks were written for {AIOICE_VERSION}")
    for dotted, digest in RELIED_ON.items():
        try:
            actual = source_digest(dotted)
        except (ImportError, AttributeError, OSError, TypeError) as exc:
            found.append(f"{dotted} is gone ({exc})")
            continue
        if actual != digest:
            found.append(f"the source of {dotted} changed (sha256 {actual[:12]})")
    return found
