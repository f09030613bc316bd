"""Fair-day load test: a few hundred people browse, chat and book meetings, SQLite and PostgreSQL.

Starts `fiera serve` in its own process on 127.0.0.1 with a fresh database (migrated, the demo
seeded, the simulated people enrolled through the product's own operations) and lives a fair day
against it from this process over HTTP and Socket.IO (see fairday_load.py). Prints requests per
second, p50/p95/p99 latency per kind of request, errors and refusals, and chat messages sent vs
stored vs delivered, side by side. The figures are the output: it exits non-zero only when the
benchmark itself breaks.
Run: python benchmarks/bench_fairday.py [--users 200] [--seconds 60] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fairday_load as load  # beside this script

from booths.models import Booth, BoothVisit, ChatMessage
from rooms.models import Meeting, MeetingRequest
from server.db import Database
from server.demo import DEMO_PASSWORD
from server.fairs.models import Attendance, Fair, Hall, Participant, Role
from server.fairs.operations import join_as_buyer
from server.identity import operations as accounts
from server.identity.models import Firm
from server.identity.passwords import Passwords
from server.settings import Settings
from tests.support import databases

ROOT = Path(__file__).resolve().parent.parent
FAIR = "fiera-mediterranea-b2b"
# Logging in verifies a password: at the product's argon2id cost (~0.2 s and 64 MiB a hash on
# these machines) 200 log-ins would measure argon2, not the fair. Said in the output.
CHEAP_ARGON2 = {
    "FIERA_ARGON2_TIME_COST": "1",
    "FIERA_ARGON2_MEMORY_COST": "1024",
    "FIERA_ARGON2_PARALLELISM": "1",
}
EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout)\w*(?::.*)?)$", re.M)
REACHED = ("ok", "unanswered")  # a message the sender was not told was refused
SOCKET_KINDS = {"socket connect", "chat open", "chat send", "fair join", "staff join"}
COUNTRIES = [("IT", "Puglia"), ("FR", "Occitanie"), ("GR", "Attica"), ("MT", "Malta")]


@dataclass
class Outcome:
    backend: str
    tally: load.Tally
    before: dict[str, int]
    after: dict[str, int] = field(default_factory=dict)
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's, at the start and the end
    server_cpu: float = 0.0
    load_cpu: float = 0.0
    notes: list[str] = field(default_factory=list)

    stored_messages: set[int] = field(default_factory=set)  # their numbers

    def stored(self, what: str) -> int:
        return self.after.get(what, 0) - self.before.get(what, 0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def fiera(env: dict[str, str], *arguments: str) -> None:
    """Run the `fiera` command of this checkout; its output is shown only if it fails."""
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        *arguments,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(command.communicate(), timeout=600)
    if command.returncode:
        raise RuntimeError(f"fiera {' '.join(arguments)} failed:\n{output.decode()[-3000:]}")


def exceptions(log: Path) -> Counter:
    """The exceptions that ended the tracebacks in a server's log, by message."""
    return Counter(EXCEPTION.findall(log.read_text(errors="replace")))


def open_log(log: Path):
    return log.open("w")


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def enrol(url: str, settings: Settings, users: int, staff_share: float, seed: int):
    """Add the simulated people as the product would: accounts, firms, places in the fair."""
    rng = random.Random(seed)
    database = Database.from_url(url)
    # one hash for all, as the demo does: they share the demo's password
    password_hash = await Passwords(settings).hash(DEMO_PASSWORD)
    try:
        async with database.session() as db:
            fair = await db.scalar(select(Fair).where(Fair.slug == FAIR))
            halls = {
                h.id: h.slug for h in await db.scalars(select(Hall).where(Hall.fair_id == fair.id))
            }
            booths = [
                load.BoothSpot(b.id, b.slug, b.firm_id, halls[b.hall_id])
                for b in await db.scalars(
                    select(Booth).where(Booth.fair_id == fair.id).order_by(Booth.id)
                )
            ]
            staff = round(users * staff_share)
            badges = []
            for number in range(users):
                booth = booths[number % len(booths)] if number < staff else None
                email = f"bench-{'staff' if booth else 'visitor'}-{number:04d}@example.com"
                user = await accounts.sign_up(
                    db,
                    email=email,
                    name=f"Bench Person {number}",
                    password_hash=password_hash,
                    language=rng.choice(["en", "it"]),
                    time_zone="Europe/Rome",
                )
                if booth:  # one more of the exhibiting firm's people: its booth's staff
                    user.firm_id = booth.firm_id
                    db.add(
                        Participant(
                            fair_id=fair.id,
                            user_id=user.id,
                            role=Role.EXHIBITOR,
                            attendance=Attendance.ONSITE,
                        )
                    )
                else:
                    country, region = rng.choice(COUNTRIES)
                    firm = Firm(name=f"Bench Buyers {number}", country=country, region=region)
                    db.add(firm)
                    await db.flush()
                    user.firm_id = firm.id
                    attendance = rng.choice([Attendance.ONSITE, Attendance.ONLINE])
                    await join_as_buyer(db, fair, user, attendance)
                badges.append(load.Badge(email, booth))
            await db.commit()
        return sorted(set(halls.values())), booths, badges
    finally:
        await database.dispose()


async def stored_messages(url: str) -> set[int]:
    """The numbers of the simulated people's messages that the database holds."""
    database = Database.from_url(url)
    try:
        async with database.read_session() as db:
            bodies = await db.scalars(select(ChatMessage.body).where(ChatMessage.body.like("[m%")))
            return {int(tag.group(1)) for body in bodies if (tag := load.MESSAGE_TAG.match(body))}
    finally:
        await database.dispose()


async def counts(url: str) -> dict[str, int]:
    """What the database holds of what the people did."""
    database = Database.from_url(url)
    try:
        async with database.read_session() as db:
            return {
                "messages": await db.scalar(select(func.count(ChatMessage.id))),
                "visits": await db.scalar(select(func.coalesce(func.sum(BoothVisit.count), 0))),
                "requests": await db.scalar(select(func.count(MeetingRequest.id))),
                "meetings": await db.scalar(select(func.count(Meeting.id))),
            }
    finally:
        await database.dispose()


@contextlib.asynccontextmanager
async def served(env: dict[str, str], log: Path):
    """`fiera serve` on 127.0.0.1 and a free port, until the block ends."""
    port = free_port()
    with open_log(log) as output:
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=5) as client:
            for _ in range(300):
                if server.returncode is not None:
                    raise RuntimeError(f"the server stopped:\n{tail(log)}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError(f"the server did not answer in 60 s:\n{tail(log)}")
        yield server, base_url
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGINT)  # uvicorn's graceful stop
            try:
                await asyncio.wait_for(server.wait(), timeout=20)
            except TimeoutError:
                server.kill()
                await server.wait()


async def measure(backend: str, args: argparse.Namespace, tmp: Path) -> Outcome:
    """One fair day against a fresh server and database of `backend`."""
    var_dir = tmp / backend
    var_dir.mkdir()
    url = await databases.create_database(backend, var_dir)
    env = {
        **os.environ,
        **CHEAP_ARGON2,
        "FIERA_DATABASE_URL": url,
        "FIERA_VAR_DIR": str(var_dir),
        "FIERA_SECRET_KEY": secrets.token_hex(32),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("FIERA_REDIS_URL", None)  # the embedded default: in-memory Socket.IO manager
    try:
        await fiera(env, "migrate")
        await fiera(env, "seed-demo")
        settings = Settings.from_env(env)
        halls, booths, badges = await enrol(url, settings, args.users, args.staff, args.seed)
        plan = load.Plan(
            fair=FAIR,
            halls=halls,
            booths=booths,
            people=badges,
            password=DEMO_PASSWORD,
            seconds=args.seconds,
            think=(args.think_min, args.think_max),
            seed=args.seed,
        )
        outcome = Outcome(backend, load.Tally(), await counts(url))
        async with served(env, var_dir / "server.log") as (server, base_url):
            server_cpu, load_cpu = cpu_seconds(server.pid), time.process_time()
            load_average = os.getloadavg()[0]
            try:
                await asyncio.wait_for(
                    load.run(plan, base_url, outcome.tally), timeout=args.seconds + 120
                )
            except TimeoutError:
                outcome.notes.append(f"the run was stopped after {args.seconds + 120} s")
            outcome.server_cpu = cpu_seconds(server.pid) - server_cpu
            outcome.load_cpu = time.process_time() - load_cpu
            outcome.load_average = (load_average, os.getloadavg()[0])
            if server.returncode is not None:
                outcome.notes.append(f"the server exited with code {server.returncode}")
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            shutil.copy(var_dir / "server.log", args.logs / f"{backend}.log")
        for exception, count in exceptions(var_dir / "server.log").most_common(3):
            outcome.notes.append(f"server log: {exception[:120]} x{count}")
        outcome.after = await counts(url)
        outcome.stored_messages = await stored_messages(url)
        return outcome
    finally:
        await databases.drop_database(url)


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def report(outcomes: list[Outcome], args: argparse.Namespace) -> None:
    staff = round(args.users * args.staff)
    print(
        f"\nFair day: {args.users} people ({staff} booth staff, {args.users - staff} visitors), "
        f"{args.seconds:g} s, think times {args.think_min:g}-{args.think_max:g} s, "
        f"seed {args.seed}"
    )
    print(
        "argon2id is cheapened for this benchmark (time 1, 1 MiB, 1 lane; the product's default "
        "is time 3, 64 MiB, 4 lanes)"
    )
    names = [o.backend for o in outcomes]
    width = 42

    def line(label: str, values: list[str]) -> None:
        print(f"{label:<34}" + "".join(f"{v:>{width}}" for v in values))

    def window(o: Outcome) -> float:
        return max(1e-9, (o.tally.active_until or o.tally.finished) - o.tally.started)

    totals = {o.backend: sum(k.count for k in o.tally.kinds.values()) for o in outcomes}
    # throughput counts what was answered (ok or an expected refusal): failing fast is not serving
    answered = {
        o.backend: sum(k.count - sum(k.errors.values()) for k in o.tally.kinds.values())
        for o in outcomes
    }
    print()
    line("", names)
    line("requests (HTTP + Socket.IO events)", [str(totals[n]) for n in names])
    line("requests per second", [f"{totals[o.backend] / window(o):.1f}" for o in outcomes])
    line(
        "answered per second (throughput)",
        [f"{answered[o.backend] / window(o):.1f}" for o in outcomes],
    )

    def http(o: Outcome) -> int:
        return sum(k.count for name, k in o.tally.kinds.items() if name not in SOCKET_KINDS)

    line("  of which HTTP per second", [f"{http(o) / window(o):.1f}" for o in outcomes])
    line(
        "errors",
        [str(sum(sum(k.errors.values()) for k in o.tally.kinds.values())) for o in outcomes],
    )
    line(
        "expected refusals",
        [str(sum(sum(k.refused.values()) for k in o.tally.kinds.values())) for o in outcomes],
    )
    line(
        "CPU in cores: server / load generator",
        [f"{o.server_cpu / window(o):.2f} / {o.load_cpu / window(o):.2f}" for o in outcomes],
    )
    # the machine may be shared: a busy neighbour shows here before it shows as latency
    line(
        f"load average (1 min, {os.cpu_count()} cores)",
        [f"{o.load_average[0]:.1f} -> {o.load_average[1]:.1f}" for o in outcomes],
    )

    print("\nPer kind of request: count, errors, refusals, latency p50 / p95 / p99 in ms")
    line("", [f"{'n':>6}{'err':>6}{'ref':>6}{'p50':>7}{'p95':>7}{'p99':>7}" for _ in names])
    for name in sorted({name for o in outcomes for name in o.tally.kinds}):
        cells = []
        for o in outcomes:
            k = o.tally.kinds.get(name, load.Kind())
            cells.append(
                f"{k.count:>6}{sum(k.errors.values()):>6}{sum(k.refused.values()):>6}"
                f"{ms(k.percentile(50)):>7}{ms(k.percentile(95)):>7}{ms(k.percentile(99)):>7}"
            )
        line(name, cells)

    print("\nChat messages")
    rows: dict[str, list[str]] = {}
    for o in outcomes:
        t = o.tally
        answers = t.answers()
        refusals = {a: n for a, n in answers.items() if a not in ("ok", "unanswered")}
        stored = o.stored_messages & t.messages.keys()
        lost = [n for n, m in t.messages.items() if n not in stored and m.answer in REACHED]
        complete, expected, made, delays = t.deliveries(stored)
        delay = load.Kind(latencies=delays)
        for label, value in [
            ("sent (emitted)", len(t.messages)),
            ("acknowledged ok", answers["ok"]),
            ("refused", f"{sum(refusals.values())} {refusals or ''}".strip()),
            ("unanswered (no acknowledgement)", answers["unanswered"]),
            ("stored (rows in the database)", len(stored)),
            ("lost = sent - (stored + refused)", len(lost)),
            ("stored, not acknowledged ok", sum(t.messages[n].answer != "ok" for n in stored)),
            ("stored, shown live to all its staff", f"{complete} of {len(stored)}"),
            ("deliveries made / expected", f"{made} / {expected}"),
            (
                "delivery delay p50/p95/p99 ms",
                f"{ms(delay.percentile(50))}/{ms(delay.percentile(95))}/{ms(delay.percentile(99))}",
            ),
        ]:
            rows.setdefault(label, []).append(str(value))
    for label, values in rows.items():
        line(label, values)

    print("\nWhat the database holds of it")
    line(
        "booth pages seen / visits recorded",
        [f"{o.tally.booth_views} / {o.stored('visits')}" for o in outcomes],
    )
    line(
        "requests sent / request rows",
        [f"{o.tally.requests_sent} / {o.stored('requests')}" for o in outcomes],
    )
    line(
        "accepts / meeting rows",
        [f"{o.tally.requests_accepted} / {o.stored('meetings')}" for o in outcomes],
    )

    for o in outcomes:
        problems = Counter()
        for name, k in o.tally.kinds.items():
            for reason, count in k.errors.items():
                problems[f"{name}: {reason}"] += count
        refusals = Counter()
        for name, k in o.tally.kinds.items():
            for reason, count in k.refused.items():
                refusals[f"{name}: {reason}"] += count
        if problems or refusals or o.notes:
            print(f"\n{o.backend}:")
        for what, count in problems.most_common():
            print(f"  error    {what} x{count}")
        for what, count in refusals.most_common():
            print(f"  refused  {what} x{count}")
        for note in o.notes:
            print(f"  note     {note}")

    by_name = {o.backend: o for o in outcomes}
    if "sqlite" in by_name and "postgresql" in by_name:
        ratio = (answered["sqlite"] / window(by_name["sqlite"])) / max(
            1e-9, answered["postgresql"] / window(by_name["postgresql"])
        )
        print(
            f"\nThroughput (answered per second) SQLite / PostgreSQL: {ratio:.2f} (target: >= 0.5)"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="simulated people (200)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the fair day (60)")
    parser.add_argument("--staff", type=float, default=0.2, help="share who staff booths (0.2)")
    parser.add_argument("--think-min", type=float, default=0.5, help="shortest pause, s (0.5)")
    parser.add_argument("--think-max", type=float, default=2.0, help="longest pause, s (2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--logs", type=Path, help="keep each server's log in this directory")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "postgresql" in backends and (why := await databases.postgres_available()) is not None:
        print(f"PostgreSQL not reachable ({why}): measuring SQLite only")
        backends.remove("postgresql")
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            print(f"fair day on {backend}...", flush=True)
            outcomes.append(await measure(backend, args, Path(tmp)))
    report(outcomes, args)


if __name__ == "__main__":
    asyncio.run(main())
