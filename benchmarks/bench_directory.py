"""Directory search on a fair of 2,000 booths: p50/p95 latency, SQLite and PostgreSQL.

Prints, per database, the latency of search and filter pages next to the plain first page of the
directory (the baseline, measured in the same run), through the whole app (HTTP, query, template).
Run: python benchmarks/bench_directory.py [--booths 2000] [--rounds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booths import operations
from booths.models import Booth, Opportunity, OpportunityCategory, OpportunityKind
from server.app import create_app
from server.db import Database
from server.fairs.models import Fair, Hall, Sector
from server.identity.models import Firm
from server.settings import Settings
from tests.support import databases

WORDS = [
    "digital",
    "design",
    "cloud",
    "robotics",
    "media",
    "heritage",
    "port",
    "tourism",
    "Numérique",
    "Côte",
    "Αθήνα",
    "Ψηφιακή",
    "Μέσα",
    "Lucania",
    "Murgia",
    "Phocée",
    "data",
    "games",
    "textile",
    "wine",
    "energy",
    "solar",
    "marine",
    "logistics",
    "fintech",
]
HALLS = [
    ("basilicata", "Basilicata", "IT"),
    ("paca", "Provence-Alpes-Côte d'Azur", "FR"),
    ("attica", "Attica", "GR"),
    ("malta", "Malta", "MT"),
]
QUERIES = {
    "plain first page (baseline)": {},
    "one word": {"q": "robotics"},
    "accents folded": {"q": "numerique cote"},
    "Greek": {"q": "αθηνα"},
    "a region's name": {"q": "provence"},
    "a country, in Greek": {"q": "ελλαδα"},
    "two words + hall": {"q": "cloud data", "hall": "basilicata"},
    "country + sector": {"country": "GR", "sector": "ict"},
    "no match": {"q": "zzzz"},
    "page 40": {"page": "40"},
}


async def seed(database: Database, booths: int) -> None:
    rng = random.Random(7)
    async with database.session() as db:
        fair = Fair(
            slug="bench",
            name="Bench Fair",
            time_zone="Europe/Rome",
            published=True,
            starts_at=datetime(2027, 3, 17, 8, tzinfo=UTC),
            ends_at=datetime(2027, 3, 18, 17, tzinfo=UTC),
        )
        fair.halls = [
            Hall(slug=s, name=n, region=n, country=c, position=i)
            for i, (s, n, c) in enumerate(HALLS)
        ]
        fair.sectors = [
            Sector(slug=s, name=n, position=i)
            for i, (s, n) in enumerate([("ict", "ICT"), ("design", "Design"), ("media", "Media")])
        ]
        db.add(fair)
        await db.flush()
        for number in range(booths):
            hall = fair.halls[number % 4]
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
            firm = Firm(name=name, country=hall.country, region=hall.region, city="Città")
            booth = Booth(
                fair_id=fair.id,
                hall_id=hall.id,
                slug=f"b{number}",
                firm=firm,
                hall=hall,
                headline=" ".join(rng.choices(WORDS, k=6)),
                description=" ".join(rng.choices(WORDS, k=60)),
            )
            booth.sectors = [fair.sectors[number % 3]]
            booth.opportunities = [
                Opportunity(
                    fair_id=fair.id,
                    kind=OpportunityKind.OFFER,
                    category=OpportunityCategory.SERVICE,
                    title=" ".join(rng.choices(WORDS, k=4)),
                    description=" ".join(rng.choices(WORDS, k=20)),
                )
            ]
            booth.links = []
            operations.refresh_search_text(booth)
            db.add(booth)
            if number % 500 == 499:
                await db.flush()
        await db.commit()


async def measure(url: str, booths: int, rounds: int, var_dir: Path) -> dict[str, list[float]]:
    database = Database.from_url(url)
    await seed(database, booths)
    settings = Settings(database_url=url, secret_key=secrets.token_hex(16), var_dir=var_dir)
    app = create_app(settings, database)
    timings: dict[str, list[float]] = {name: [] for name in QUERIES}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        for params in QUERIES.values():  # warm up caches and templates
            (await client.get("/fairs/bench/booths", params=params)).raise_for_status()
        for _ in range(rounds):
            for name, params in QUERIES.items():
                started = time.perf_counter()
                response = await client.get("/fairs/bench/booths", params=params)
                timings[name].append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    await database.dispose()
    return timings


def report(backend: str, timings: dict[str, list[float]]) -> None:
    baseline = statistics.median(timings["plain first page (baseline)"])
    print(
        f"\n{backend}: latency of /fairs/bench/booths in ms (whole page), "
        f"{len(next(iter(timings.values())))} rounds"
    )
    print(f"{'query':<30} {'p50':>8} {'p95':>8} {'p50 / baseline':>15}")
    for name, values in timings.items():
        p50 = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{name:<30} {p50:>8.1f} {p95:>8.1f} {p50 / baseline:>15.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booths", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        backends = ["sqlite"]
        if await databases.postgres_available() is None:
            backends.append("postgresql")
        else:
            print("PostgreSQL not reachable: measuring SQLite only")
        for backend in backends:
            url = await databases.create_migrated_database(backend, var_dir)
            try:
                report(backend, await measure(url, args.booths, args.rounds, var_dir))
            finally:
                await databases.drop_database(url)


if __name__ == "__main__":
    asyncio.run(main())
