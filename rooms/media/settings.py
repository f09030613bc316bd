"""The media server's network settings: where ICE gathers, which UDP ports, which STUN/TURN."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rooms.media.errors import MediaError


@dataclass(frozen=True)
class IceServer:
    """A STUN or TURN server, as browsers' RTCConfiguration.iceServers takes it."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None

    def as_browser(self) -> dict[str, Any]:
        """This server as a JSON object for the browser's RTCPeerConnection."""
        data: dict[str, Any] = {"urls": list(self.urls)}
        if self.username is not None:
            data["username"] = self.username
        if self.credential is not None:
            data["credential"] = self.credential
        return data


@dataclass(frozen=True)
class MediaSettings:
    """How the media server reaches peers; the defaults touch no network but the machine's own.

    `addresses`: the addresses ICE gathers host candidates on and announces (empty: every
    non-loopback address of the machine, aioice's default). `ports`: an inclusive UDP port range,
    or None for any port. `ice_servers`: the STUN/TURN servers given to browsers (none by default:
    no public STUN server). `server_ice_servers`: the ones the media server itself uses (none by
    default; aiortc's own default is a public STUN server, never used). `connect_seconds`: a peer
    not connected by then is dropped. `self_view`: every peer also receives its own media on recv
    slot 0 (the device check). `queue_frames`: a subscriber whose queue of video frames grows
    past this drops to the next keyframe.
    """

    addresses: tuple[str, ...] = ()
    ports: tuple[int, int] | None = None
    ice_servers: tuple[IceServer, ...] = ()
    server_ice_servers: tuple[IceServer, ...] = ()
    connect_seconds: float = 20.0
    self_view: bool = False
    queue_frames: int = 30
    keyframe_interval: float = 1.0
    # Chromium writes about 1,200 characters an m-line; a room of six has 18 of them
    max_offer_chars: int = 64_000
    max_slots: int = 5

    def __post_init__(self) -> None:
        if self.ports is not None:
            low, high = self.ports
            if not 1024 <= low <= high <= 65535:
                raise ValueError(f"UDP port range {low}-{high} is not within 1024-65535")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None, **overrides) -> MediaSettings:
        """Settings from FIERA_MEDIA_ADDRESSES, FIERA_MEDIA_PORTS and FIERA_ICE_SERVERS."""
        env = os.environ if environ is None else environ
        addresses = tuple(
            a.strip() for a in env.get("FIERA_MEDIA_ADDRESSES", "").split(",") if a.strip()
        )
        values: dict[str, Any] = {"addresses": addresses}
        if ports := env.get("FIERA_MEDIA_PORTS", "").strip():
            values["ports"] = parse_ports(ports)
        if servers := env.get("FIERA_ICE_SERVERS", "").strip():
            values["ice_servers"] = parse_ice_servers(servers)
        values.update(overrides)
        return cls(**values)


def parse_ports(text: str) -> tuple[int, int]:
    """`40000-40999` as (40000, 40999); a ValueError naming the setting otherwise."""
    low, sep, high = text.partition("-")
    if not sep or not low.strip().isdigit() or not high.strip().isdigit():
        raise ValueError(f"FIERA_MEDIA_PORTS must look like 40000-40999, not {text!r}")
    return int(low), int(high)


def parse_ice_servers(text: str) -> tuple[IceServer, ...]:
    """A JSON list of {"urls", "username", "credential"} as IceServers."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"FIERA_ICE_SERVERS is not JSON: {exc}") from None
    if not isinstance(items, list):
        raise ValueError("FIERA_ICE_SERVERS must be a JSON list")
    servers = []
    for item in items:
        if not isinstance(item, dict) or "urls" not in item:
            raise ValueError('every FIERA_ICE_SERVERS entry needs "urls"')
        urls = item["urls"]
        urls = (urls,) if isinstance(urls, str) else tuple(urls)
        if not urls or not all(
            isinstance(u, str) and u.startswith(("stun:", "stuns:", "turn:", "turns:"))
            for u in urls
        ):
            raise ValueError(f"FIERA_ICE_SERVERS: bad urls {item['urls']!r}")
        servers.append(IceServer(urls, item.get("username"), item.get("credential")))
    return tuple(servers)


__all__ = ["IceServer", "MediaError", "MediaSettings", "parse_ice_servers", "parse_ports"]
