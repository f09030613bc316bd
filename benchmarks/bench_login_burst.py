"""A burst of log-ins at the product's own argon2id cost: the server's memory and /healthz.

Starts `fiera serve` on 127.0.0.1 with a fresh SQLite database and the demo, then sends N log-ins
at once (the demo buyer's right password, each from its own documentation address through
X-Forwarded-For, as behind a proxy) while asking /healthz every 50 ms. Prints the server's
resident memory before and at its peak, and /healthz's latency idle (the baseline) and during
the burst, side by side. Password checks run a bounded number at a time
(FIERA_PASSWORD_CHECKS_AT_ONCE), so memory stays flat and /healthz keeps answering.
Run: python benchmarks/bench_login_burst.py [--logins 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.support.pages import csrf_token

FIERA = Path(sys.executable).with_name("fiera")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def healthz_times(url: str, stop: asyncio.Event) -> list[float]:
    """/healthz's latency every 50 ms, each on a new connection (as a monitor asks)."""
    times = []
    while not stop.is_set():
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            await client.get("/healthz")
        times.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.05)
    return times


async def log_in(url: str, n: int) -> int:
    headers = {"x-forwarded-for": f"2001:db8::{n + 1:x}"}
    async with httpx.AsyncClient(base_url=url, timeout=120, headers=headers) as client:
        token = csrf_token((await client.get("/login")).text)
        response = await client.post(
            "/login",
            data={"email": DEMO_LOGINS["buyer"], "password": DEMO_PASSWORD, "csrf_token": token},
        )
        return response.status_code


async def measure(url: str, pid: int, logins: int) -> dict:
    stop = asyncio.Event()
    idle_task = asyncio.create_task(healthz_times(url, stop))
    await asyncio.sleep(2)
    stop.set()
    idle = await idle_task
    before = rss_mib(pid)
    stop = asyncio.Event()
    busy_task = asyncio.create_task(healthz_times(url, stop))
    started = time.perf_counter()
    statuses = await asyncio.gather(*(log_in(url, n) for n in range(logins)))
    burst_seconds = time.perf_counter() - started
    stop.set()
    busy = await busy_task
    return {
        "statuses": statuses,
        "burst_seconds": burst_seconds,
        "rss_before": before,
        "rss_peak": rss_mib(pid, "VmHWM"),
        "idle": idle,
        "busy": busy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "FIERA_VAR_DIR": var}
        env.pop("FIERA_DATABASE_URL", None)
        for name in ("TIME_COST", "MEMORY_COST", "PARALLELISM"):
            env.pop(f"FIERA_ARGON2_{name}", None)  # the product's own cost
        subprocess.run([FIERA, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([FIERA, "seed-demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [FIERA, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(var) / "server.log", "w"),  # noqa: SIM115 (closed with the server)
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            figures = asyncio.run(measure(url, server.pid, args.logins))
        finally:
            server.terminate()
            server.wait(timeout=30)
            log = (Path(var) / "server.log").read_text()
            if "Traceback" in log:
                print(log[-3000:], file=sys.stderr)
    ok = sum(1 for status in figures["statuses"] if status == 303)
    idle, busy = figures["idle"], figures["busy"]
    print(f"{args.logins} log-ins at once, argon2id at the product's cost")
    print(f"  logged in            {ok} of {args.logins} in {figures['burst_seconds']:.1f} s")
    print(
        f"  server memory MiB    before {figures['rss_before']:.0f}, peak {figures['rss_peak']:.0f}"
    )
    print("  /healthz ms          p50      max   (idle is the baseline)")
    print(f"    idle             {statistics.median(idle):6.1f} {max(idle):8.1f}")
    print(f"    during the burst {statistics.median(busy):6.1f} {max(busy):8.1f}")
    print(f"  ratio burst/idle p50: {statistics.median(busy) / statistics.median(idle):.1f}")


if __name__ == "__main__":
    main()
