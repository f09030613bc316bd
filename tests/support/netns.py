"""WebRTC peers run only inside a private network namespace that has nothing but loopback.

A WebRTC stack gathers candidates on every interface; this machine has others, and no test may
send traffic to them. `make test` runs the tests marked `webrtc` through `unshare -n` (see the
Makefile); anywhere else they skip, and in CI they fail.
"""

from __future__ import annotations

import fcntl
import socket
import struct

import pytest

from tests.support.settings import IN_CI

RUN_INSIDE = "unshare -n sh -c 'ip link set lo up; exec \"$@\"' sh .venv/bin/pytest -m webrtc"


_SIOCGIFFLAGS = 0x8913
_IFF_UP = 0x1


def interfaces() -> list[str]:
    """The network interfaces of this process's namespace (not /sys, which shows the host's)."""
    return sorted(name for _, name in socket.if_nameindex())


def _is_up(name: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16sH14s", name.encode(), 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(probe, _SIOCGIFFLAGS, request))[1]
    return bool(flags & _IFF_UP)


def private_namespace_problem() -> str | None:
    """Why this process may not run WebRTC peers, or None when only loopback is up."""
    names = interfaces()
    others = [name for name in names if name != "lo"]
    if others:
        return f"network interfaces other than loopback are present: {', '.join(others)}"
    if "lo" not in names:
        return "no loopback interface"
    if not _is_up("lo"):
        return "loopback is down (ip link set lo up)"
    return None


def require_private_namespace() -> None:
    """Skip (fail in CI) a WebRTC test outside a private network namespace."""
    problem = private_namespace_problem()
    if problem is None:
        return
    message = f"WebRTC tests run only in a private network namespace ({problem}); run: {RUN_INSIDE}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)
