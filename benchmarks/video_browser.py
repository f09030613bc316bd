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

ROOT = Path(__file__).resolve().parent.parent
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
# Video frames decoded and sent by this page so far, from getStats().
VIDEO_STATS = """async () => {
  const pc = window.fieraRoom && window.fieraRoom.pc;
  const seen = {decoded: 0, sent: 0};
  if (!pc) return seen;
  (await pc.getStats()).forEach((s) => {
    if (s.kind !== "video") return;
    if (s.type === "inbound-rtp") seen.decoded += s.framesDecoded || 0;
    if (s.type === "outbound-rtp") seen.sent += s.framesEncoded || 0;
  });
  return seen;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def fiera(env: dict[str, str], *arguments: str, log=None, core: int | None = None):
    """Start the `fiera` command of this checkout (pinned to `core` when given)."""

    def pin() -> None:
        if core is not None:
            os.sched_setaffinity(0, {core})

    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        *arguments,
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
        if await (await fiera(env, step)).wait():
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
async def served(env: dict[str, str], log_path: Path):
    """`fiera serve` on 127.0.0.1 pinned to the server's core, until the block ends."""
    port = free_port()
    with log_path.open("wb") as log:
        server = await fiera(
            env, "serve", "--host", "127.0.0.1", "--port", str(port), log=log, core=SERVER_CORE
        )
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
        "load": os.getloadavg()[0],
    }


async def browser_call(quick: bool) -> dict:
    """Measure the demo meeting held by two browsers; print the figures and return them."""
    from playwright.async_api import async_playwright

    from server.demo import DEMO_LOGINS
    from tests.e2e.conftest import CHROMIUM
    from tests.e2e.test_video import join, logged_in, until_frames_rise

    idle_seconds, call_seconds = (3.0, 5.0) if quick else (5.0, 15.0)
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {BROWSER_CORE})  # Chromium and its driver inherit it
    with tempfile.TemporaryDirectory(prefix="bench-video-") as directory:
        tmp = Path(directory)
        env, room = await prepared(tmp)
        async with served(env, tmp / "server.log") as (server, base), async_playwright() as pw:
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
    result = {"cores": call["cores"], "idle": idle["cores"], "first_frames": first, **call}
    print(
        f"\nbrowser 1:1 call (two Chromium contexts, fake camera 640x480, the demo meeting "
        f"through fiera serve), window {call_seconds:.0f} s:\n"
        f"  server {call['cores']:.3f} cores during the call, {idle['cores']:.3f} idle "
        f"(pages open, not joined; {idle_seconds:.0f} s); the call adds "
        f"{call['cores'] - idle['cores']:.3f}\n"
        f"  video frames received per page {', '.join(f'{f:.1f}' for f in call['received_fps'])}"
        f" fps (sent {', '.join(f'{f:.1f}' for f in call['sent_fps'])}); both sides' video in "
        f"{first:.1f} s after the first join\n"
        f"  server waited {100 * call['wait']:.0f}% of the window for its CPU; load average "
        f"{call['load']:.2f}",
        flush=True,
    )
    return result
