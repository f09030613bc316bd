"""The organiser's schedule page with a waiting preview, on the small and the large generated fair.

Seeds an organiser-mode fair from a generated instance (every meeting an accepted request, two
sides each; the meetings with a fixed slot booked beforehand), stores a finished run holding the
greedy schedule of the fair's instance, then times the whole page through the app (HTTP, queries,
template) with the preview and, as the baseline measured in the same run, after discarding it.
Run: python benchmarks/bench_preview.py [--only small] [--rounds 5] [--backend sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rooms import booking, setup
from rooms.models import MeetingRequest, RequestStatus, UnavailableSlot
from rooms.optimising import instance, runs
from rooms.scheduling import greedy, parse_instance, schedule_to_dict
from rooms.scheduling.generate import SHAPES, generate
from server.app import create_app
from server.db import Database
from server.fairs.models import Attendance, BookingMode, Fair, Participant, Role
from server.identity.models import Firm, User
from server.identity.passwords import Passwords
from server.settings import Settings
from tests.support import databases
from tests.support.pages import log_in

PASSWORD = "bench-organiser-password"  # noqa: S105  (a throw-away database)
FIRST_DAY = date(2027, 3, 17)


async def _sessions(db, fair: Fair, slots: list[dict]) -> list[int]:
    """Add the generated session blocks to the fair; the slot ids in the instance's order."""
    blocks: dict[str, list[dict]] = {}
    for slot in slots:
        blocks.setdefault(slot["session"], []).append(slot)
    ids = []
    for label, members in blocks.items():
        first = datetime.fromisoformat(members[0]["start"])
        day = FIRST_DAY + timedelta(days=int(label.split("-")[0].removeprefix("day")) - 1)
        ends = first + timedelta(minutes=20 * len(members))
        session = await setup.add_session(
            db, fair, day=day, starts=first.time(), ends=ends.time(), label=label.split("-")[1]
        )
        ids.extend(slot.id for slot in sorted(session.slots, key=lambda s: s.starts_at))
    return ids


@dataclass
class Seeded:
    fair_id: int
    slug: str
    organiser_id: int
    email: str


async def seed(database: Database, settings: Settings, shape: str) -> Seeded:
    """An organiser-mode fair shaped like the generated instance, with its organiser."""
    data = generate(shape, seed=0)
    async with database.session() as db:
        fair = Fair(
            slug=f"bench-{shape}",
            name=f"Bench {shape}",
            venue="Fiera del Levante",
            city="Bari",
            time_zone="UTC",
            starts_at=datetime(2027, 3, 17, 8, tzinfo=UTC),
            ends_at=datetime(2027, 3, 18, 18, tzinfo=UTC),
            published=True,
            booking_mode=BookingMode.ORGANISER,
        )
        db.add(fair)
        await db.flush()
        await setup.save_settings(
            db,
            fair,
            slot_minutes=20,
            break_minutes=0,
            tables=data["tables"],
            request_expiry_hours=72,
            max_meetings=None,
            booking_mode=BookingMode.ORGANISER,
            video_rooms=data["video_rooms"],
        )
        slot_ids = await _sessions(db, fair, data["slots"])
        slot_of = dict(zip((s["id"] for s in data["slots"]), slot_ids, strict=True))
        organiser = User(
            email=f"organiser@{shape}.example",
            name="Organiser",
            password_hash=Passwords(settings).hash_sync(PASSWORD),
        )
        db.add(organiser)
        await db.flush()
        db.add(Participant(fair_id=fair.id, user_id=organiser.id, role=Role.ORGANISER))
        people: dict[str, Participant] = {}
        for n, raw in enumerate(data["participants"]):
            firm = Firm(name=f"Firm {raw['id']}", country="IT", region="Puglia", city="Bari")
            user = User(
                email=f"{raw['id']}@{shape}.example",
                name=f"Person {raw['id']}",
                password_hash="-",  # noqa: S106  (never logs in)
                firm=firm,
            )
            people[raw["id"]] = Participant(
                fair_id=fair.id,
                user=user,
                role=Role.BUYER if n % 2 else Role.EXHIBITOR,
                attendance=Attendance.ONLINE if raw["mode"] == "online" else Attendance.ONSITE,
                max_meetings=raw.get("max_meetings"),
            )
            db.add(people[raw["id"]])
        await db.flush()
        for raw in data["participants"]:
            for slot in raw["unavailable"]:
                person = people[raw["id"]]
                db.add(
                    UnavailableSlot(
                        fair_id=fair.id, participant_id=person.id, slot_id=slot_of[slot]
                    )
                )
        fixed = []
        for raw in data["meetings"]:
            sender, recipient = (people[key] for key in raw["participants"][:2])
            request = MeetingRequest(
                fair_id=fair.id,
                sender_id=sender.id,
                sender_firm_id=sender.user.firm_id,
                recipient_firm_id=recipient.user.firm_id,
                recipient_id=recipient.id,
                status=RequestStatus.ACCEPTED,
                expires_at=datetime(2027, 3, 10, tzinfo=UTC),
            )
            db.add(request)
            if raw.get("fixed_slot"):
                fixed.append((request, slot_of[raw["fixed_slot"]], sender, recipient))
        await db.flush()
        busy: set[tuple[int, int]] = set()
        tables: dict[int, int] = {}
        booked = []
        for request, slot, sender, recipient in fixed:
            sides = {(sender.id, slot), (recipient.id, slot)}
            if sides & busy:
                continue  # left waiting rather than double booked
            busy |= sides
            table = None
            if Attendance.ONLINE not in (sender.attendance, recipient.attendance):
                table = tables[slot] = tables.get(slot, 0) + 1
            booked.append((request.id, slot, table))
        await booking.place_meetings(db, fair, booked)
        await db.commit()
        return Seeded(fair.id, fair.slug, organiser.id, organiser.email)


async def finish_a_run(database: Database, seeded: Seeded, now: datetime) -> int:
    """A finished run of the fair holding the greedy schedule of its instance."""
    async with database.session() as db:
        fair = await db.get(Fair, seeded.fair_id)
        organiser = await db.get(User, seeded.organiser_id)
        run = await runs.start_run(db, fair, organiser, runs.TIME_LIMITS[0], 1, now=now)
        built = await instance.build(db, fair, now)
        await runs.claim_run(db, run.id, built, now)
        schedule = schedule_to_dict(greedy(parse_instance(built.data)))
        await runs.finish_run(db, run.id, schedule, now)
        await db.commit()
        return run.id


@dataclass
class Timing:
    """Medians in milliseconds of one page: wall clock, and this process's CPU time."""

    wall: float
    cpu: float


async def timed(client: httpx.AsyncClient, url: str, expect: str, rounds: int) -> Timing:
    """Median time of a GET of the page, after one warm-up; each must show `expect`."""
    walls, cpus = [], []
    for n in range(rounds + 1):
        started, used = time.perf_counter(), time.process_time()
        response = await client.get(url)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - used
        response.raise_for_status()
        if expect not in response.text:
            raise RuntimeError(f"{url} does not show {expect!r}")
        if n:
            walls.append(elapsed * 1000)
            cpus.append(cpu * 1000)
    return Timing(statistics.median(walls), statistics.median(cpus))


async def measure(backend: str, shape: str, rounds: int, var_dir: Path) -> tuple[Timing, Timing]:
    """The page with the preview, and without it (discarded)."""
    url = await databases.create_migrated_database(backend, var_dir)
    database = Database.from_url(url)
    try:
        settings = Settings(
            database_url=url,
            secret_key=secrets.token_hex(16),
            var_dir=var_dir,
            argon2_time_cost=1,
            argon2_memory_cost=8,
            argon2_parallelism=1,
        )
        started = time.perf_counter()
        seeded = await seed(database, settings, shape)
        run_id = await finish_a_run(database, seeded, datetime.now(UTC))
        print(
            f"seeded {shape} on {backend}: {time.perf_counter() - started:.1f} s", file=sys.stderr
        )
        page = f"/fairs/{seeded.slug}/organise/schedule"
        app = create_app(settings, database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await log_in(client, seeded.email, PASSWORD)
            with_preview = await timed(client, page, "Proposed schedule", rounds)
            async with database.session() as db:
                await runs.discard_run(db, await db.get(Fair, seeded.fair_id), run_id)
                await db.commit()
            without = await timed(client, page, "accepted requests are waiting", rounds)
        return with_preview, without
    finally:
        await database.dispose()
        await databases.drop_database(url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(SHAPES))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    shapes = args.only or ["small", "large"]
    backends = args.backend or ["sqlite", "postgresql"]
    if "postgresql" in backends and (problem := await databases.postgres_available()):
        print(f"PostgreSQL not reachable ({problem}): measuring SQLite only")
        backends.remove("postgresql")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            figures = {
                shape: await measure(backend, shape, args.rounds, Path(tmp)) for shape in shapes
            }
            print(
                f"\n{backend}: the organiser's schedule page in ms, median of {args.rounds}, "
                "whole page through the app (wall clock; cpu: this process's CPU time)"
            )
            heads = ("instance", "preview", "cpu", "no preview", "cpu", "ratio", "/ small")
            print(
                f"{heads[0]:<10} {heads[1]:>9} {heads[2]:>7} {heads[3]:>11} {heads[4]:>7} "
                f"{heads[5]:>7} {heads[6]:>8}"
            )
            small = figures[shapes[0]][0]
            for shape, (shown, plain) in figures.items():
                print(
                    f"{shape:<10} {shown.wall:>9.1f} {shown.cpu:>7.1f} {plain.wall:>11.1f} "
                    f"{plain.cpu:>7.1f} {shown.wall / plain.wall:>7.2f} "
                    f"{shown.wall / small.wall:>8.2f}"
                )
    print(
        "preview: a finished run waiting (grid, video and unplaced lists); no preview: the same "
        "page once the run is discarded (the baseline); ratio: preview / no preview; / small: "
        "preview / the small fair's preview. Target on large: preview under 300 ms. The CPU "
        "time leaves out the database server's (PostgreSQL) and tells apart a busy machine."
    )


if __name__ == "__main__":
    asyncio.run(main())
