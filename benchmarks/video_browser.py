"""What a 1:1 call between two browsers costs the server: the demo meeting in two Chromiums.

Serves a fresh demo (SQLite, migrated and seeded by the `fiera` command) with `fiera serve` in
its own process pinned to core 0, its media server gathering on 127.0.0.1; two headless
Chromium contexts (fake camera and microphone, on core 1) log in as the demo's buyer and
exhibitor, open the meeting's room and idle there (the baseline), then join, and once video
flows both ways the server's CPU is measured over a window. Runs only inside the private
network namespace bench_video.py enters. Reuses the browser tests' helpers (tests/e2e).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import select
from video_load import cpu_seconds, waited_seconds  # beside this script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FAIR = "fiera-mediterranea-b2b"
SERVER_CORE, BROWSER_CORE = 0, 1
# Logging in verifies a password: the product's argon2id cost is not what is measured here.
CHEAP_ARGON2 = {
    "FIERA_ARGON2_TIME_COST": "1",
    "FIERA_ARGON2_MEMORY_COST": "1024",
    "FIERA_ARGON2_PARALLELISM": "1",
}
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
]
# Video frames decoded and encoded, RTP packets and bytes in and out, of this page so far.
VIDEO_STATS = """async () => {
  const pc = window.fieraRoom && window.fieraRoom.pc;
  const seen = {decoded: 0, sent: 0, packets: 0, videoBytes: 0};
  if (!pc) return seen;
  (await pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp") {
      seen.packets += s.packetsReceived || 0;
      if (s.kind === "video") seen.decoded += s.framesDecoded || 0;
    }
    if (s.type === "outbound-rtp") {
      seen.packets += s.packetsSent || 0;
      if (s.kind === "video") {
        seen.sent += s.framesEncoded || 0;
        seen.videoBytes += s.bytesSent || 0;
      }
    }
  });
  return seen;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start(env: dict[str, str], *argv: str, log=None, core: int | None = None):
    """Start a Python program of this checkout (pinned to `core` when given)."""

    def pin() -> None:
        if core is not None:
            os.sched_setaffinity(0, {core})

    return await asyncio.create_subprocess_exec(
        sys.executable,
        *argv,
        env=env,
        cwd=ROOT,
        stdout=log or asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.STDOUT,
        preexec_fn=pin,  # only sched_setaffinity, before exec
    )


async def prepared(tmp: Path) -> tuple[dict[str, str], str]:
    """A migrated, seeded SQLite demo; the environment to serve it and its open meeting's room."""
    from rooms.models import Meeting, MeetingMode
    from server.db import Database

    url = f"sqlite+aiosqlite:///{tmp / 'fiera.sqlite3'}"
    env = {
        **os.environ,
        **CHEAP_ARGON2,
        "FIERA_DATABASE_URL": url,
        "FIERA_VAR_DIR": str(tmp),
        "FIERA_SECRET_KEY": secrets.token_hex(32),
        "FIERA_MEDIA_ADDRESSES": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("FIERA_REDIS_URL", None)
    for step in ("migrate", "seed-demo"):
        if await (await start(env, "-m", "server.cli", step)).wait():
            raise RuntimeError(f"fiera {step} failed")
    database = Database.from_url(url)
    try:
        async with database.read_session() as db:
            rooms = await db.scalars(
                select(Meeting.video_room)
                .where(Meeting.mode == MeetingMode.VIDEO, Meeting.video_room.is_not(None))
                .order_by(Meeting.id.desc())
            )
            room = next(iter(rooms))  # the demo's newest video meeting is the one open now
    finally:
        await database.dispose()
    return env, room


@contextlib.asynccontextmanager
async def served(env: dict[str, str], relay: bool, log_path: Path):
    """`fiera serve` (or it with aiortc's relay) on 127.0.0.1, pinned to the server's core."""
    port = free_port()
    program = [str(HERE / "video_relay.py")] if relay else ["-m", "server.cli", "serve"]
    address = ["127.0.0.1", str(port)] if relay else ["--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        server = await start(env, *program, *address, log=log, core=SERVER_CORE)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            for _ in range(300):
                if server.returncode is not None:
                    raise RuntimeError(f"fiera serve stopped: see {log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.2)
        yield server, base
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGINT)  # uvicorn's graceful stop
            try:
                await asyncio.wait_for(server.wait(), timeout=20)
            except TimeoutError:
                server.kill()
                await server.wait()


async def window(pid: int, pages: list, seconds: float) -> dict:
    """The server's cores and run-queue wait, and each page's video frame rates, over `seconds`."""
    before = [await page.evaluate(VIDEO_STATS) for page in pages]
    cpu, waited, t0 = cpu_seconds(pid), waited_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)
    cpu, waited, elapsed = (
        cpu_seconds(pid) - cpu,
        waited_seconds(pid) - waited,
        time.monotonic() - t0,
    )
    after = [await page.evaluate(VIDEO_STATS) for page in pages]
    pairs = list(zip(after, before, strict=True))
    return {
        "cores": cpu / elapsed,
        "wait": waited / elapsed,
        "received_fps": [(a["decoded"] - b["decoded"]) / elapsed for a, b in pairs],
        "sent_fps": [(a["sent"] - b["sent"]) / elapsed for a, b in pairs],
        "sent_kbps": [8 * (a["videoBytes"] - b["videoBytes"]) / elapsed / 1000 for a, b in pairs],
        # every packet a page sends or receives passes through the server once
        "packets": sum(a["packets"] - b["packets"] for a, b in pairs) / elapsed,
        "load": os.getloadavg()[0],
    }


async def one_call(env: dict[str, str], room: str, relay: bool, tmp: Path, quick: bool) -> dict:
    """The demo meeting held by two Chromiums through a fresh server process, measured."""
    from playwright.async_api import async_playwright

    from server.demo import DEMO_LOGINS
    from tests.e2e.conftest import CHROMIUM
    from tests.e2e.test_video import join, logged_in, until_frames_rise

    idle_seconds, call_seconds = (2.0, 5.0) if quick else (5.0, 15.0)
    log = tmp / ("relay.log" if relay else "server.log")
    async with served(env, relay, log) as (server, base), async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            room_url = f"{base}/fairs/{FAIR}/rooms/{room}"
            _, buyer = await logged_in(browser, base, DEMO_LOGINS["buyer"])
            _, staff = await logged_in(browser, base, DEMO_LOGINS["exhibitor"])
            for page in (buyer, staff):
                await page.goto(room_url)
            await asyncio.sleep(2)
            idle = await window(server.pid, [], idle_seconds)
            started = time.monotonic()
            await join(buyer, room_url)
            await join(staff, room_url)
            await until_frames_rise(buyer)
            await until_frames_rise(staff)
            first = time.monotonic() - started
            await asyncio.sleep(3)  # settle: bandwidth estimation ramps up
            call = await window(server.pid, [buyer, staff], call_seconds)
        finally:
            await browser.close()
    return {**call, "idle": idle["cores"], "first": first, "window": call_seconds}


def show(name: str, call: dict) -> None:
    """Print one call's figures."""
    print(
        f"  {name}: server {call['cores']:.3f} cores during the call, {call['idle']:.3f} idle "
        f"(pages open, not joined), the call adds {call['cores'] - call['idle']:.3f}; "
        f"load average {call['load']:.2f}, server waited {100 * call['wait']:.0f}% for its CPU\n"
        f"    video received {', '.join(f'{f:.1f}' for f in call['received_fps'])} fps a page, "
        f"sent {', '.join(f'{f:.1f}' for f in call['sent_fps'])} fps at "
        f"{', '.join(f'{k:.0f}' for k in call['sent_kbps'])} kbit/s; "
        f"{call['packets']:.0f} RTP packets a second through the server "
        f"({call['packets'] / max(call['cores'], 1e-9):.0f} per core); both sides' video "
        f"{call['first']:.1f} s after the first join",
        flush=True,
    )


async def browser_call(quick: bool) -> dict:
    """Measure the demo meeting between two browsers, forwarded (and relayed unless quick)."""
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {BROWSER_CORE})  # Chromium and its driver inherit it
    with tempfile.TemporaryDirectory(prefix="bench-video-") as directory:
        tmp = Path(directory)
        env, room = await prepared(tmp)
        print(
            "\nbrowser 1:1 call: two Chromium contexts (fake camera 640x480, fake microphone) "
            "hold the demo meeting through a server process on core 0",
            flush=True,
        )
        forward = await one_call(env, room, False, tmp, quick)
        show("forward (fiera serve)", forward)
        if not quick:
            relay = await one_call(env, room, True, tmp, quick)
            show("relay (aiortc decode + re-encode)", relay)
            forward["relay"] = relay
    return forward
