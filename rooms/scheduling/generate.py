"""Seeded instance generator shaped like brokerage events, for tests and the benchmark."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Shape:
    """The size and tightness of a generated fair."""

    name: str
    participants: int
    meetings: int
    days: int
    sessions_per_day: tuple[int, ...]
    tables: int
    video_rooms: int | None = None
    online_share: float = 0.0
    capped_share: float = 0.0
    cap_range: tuple[int, int] = (4, 8)
    away_share: float = 0.2
    session_pref_share: float = 0.0
    fixed_share: float = 0.0
    group_share: float = 0.0
    weighted: bool = False
    # How much of a participant's free time their requests may fill (1.0: every free slot).
    load: float = 0.7


SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        # A real regional forum: ~70 firms, ~150 meetings, 14 tables, 21 slots, all on site.
        Shape("small", 70, 150, 1, (11, 10), tables=14),
        Shape("small-tables", 70, 150, 1, (11, 10), tables=6, weighted=True),
        Shape(
            "small-caps",
            60,
            170,
            1,
            (11, 10),
            tables=12,
            capped_share=0.5,
            cap_range=(2, 5),
            session_pref_share=0.2,
            fixed_share=0.05,
            group_share=0.1,
        ),
        Shape(
            "medium",
            200,
            800,
            2,
            (6, 6),
            tables=30,
            video_rooms=15,
            online_share=0.2,
            capped_share=0.2,
            session_pref_share=0.1,
            fixed_share=0.02,
            group_share=0.05,
        ),
        Shape(
            "medium-tight",
            250,
            1200,
            2,
            (6, 6),
            tables=24,
            video_rooms=12,
            online_share=0.3,
            capped_share=0.4,
            cap_range=(5, 9),
            weighted=True,
            load=0.9,
        ),
        # A big hybrid fair: 600 participants, 4,000 meetings, 36 slots over 2 days.
        Shape(
            "large",
            600,
            4000,
            2,
            (9, 9),
            tables=60,
            video_rooms=40,
            online_share=0.3,
            capped_share=0.4,
            cap_range=(8, 14),
            session_pref_share=0.1,
            fixed_share=0.01,
            group_share=0.05,
            weighted=True,
            load=0.8,
        ),
    )
}


def _slots(shape: Shape) -> list[dict[str, Any]]:
    """Lay out 20-minute slots in labelled session blocks, day by day."""
    slots = []
    for day in range(shape.days):
        for n, count in enumerate(shape.sessions_per_day):
            label = f"day{day + 1}-{('morning', 'afternoon', 'evening')[n]}"
            begin = datetime(2026, 5, 12 + day, 9 if n == 0 else 14, 0)
            for k in range(count):
                start = begin + timedelta(minutes=20 * k)
                slots.append(
                    {
                        "id": f"d{day + 1}s{n + 1}-{k + 1:02d}",
                        "session": label,
                        "start": start.isoformat(),
                        "end": (start + timedelta(minutes=20)).isoformat(),
                    }
                )
    return slots


def _participants(
    shape: Shape, rng: random.Random, slots: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Make participants; some are away for a run of slots, some are online, some capped."""
    people = []
    for i in range(shape.participants):
        away: list[str] = []
        if rng.random() < shape.away_share:
            length = rng.randint(1, max(1, len(slots) // 4))
            first = rng.randrange(len(slots) - length + 1)
            away = [s["id"] for s in slots[first : first + length]]
        person: dict[str, Any] = {
            "id": f"p{i + 1:03d}",
            "mode": "online" if rng.random() < shape.online_share else "onsite",
            "unavailable": away,
        }
        if rng.random() < shape.capped_share:
            person["max_meetings"] = rng.randint(*shape.cap_range)
        people.append(person)
    return people


def generate(shape: Shape | str, seed: int = 0) -> dict[str, Any]:
    """Return a JSON-ready instance of the given shape; the same seed gives the same instance."""
    if isinstance(shape, str):
        shape = SHAPES[shape]
    rng = random.Random(seed)  # noqa: S311  (reproducible benchmark data, not secrets)
    slots = _slots(shape)
    people = _participants(shape, rng, slots)
    # Popularity is skewed, as at real fairs: a few firms are asked by many.
    popularity = [rng.paretovariate(2.0) for _ in people]
    room = [max(1, int((len(slots) - len(p["unavailable"])) * shape.load)) for p in people]
    load = [0] * len(people)
    pairs: set[frozenset[int]] = set()
    meetings: list[dict[str, Any]] = []
    sessions = sorted({s["session"] for s in slots})
    tries = 0
    while len(meetings) < shape.meetings and tries < shape.meetings * 50:
        tries += 1
        size = rng.choice((3, 3, 4)) if rng.random() < shape.group_share else 2
        group = set(rng.choices(range(len(people)), weights=popularity, k=size))
        if len(group) < size or frozenset(group) in pairs:
            continue
        if any(load[p] >= room[p] for p in group):
            continue
        pairs.add(frozenset(group))
        for p in group:
            load[p] += 1
        meeting: dict[str, Any] = {
            "id": f"m{len(meetings) + 1:04d}",
            "participants": [people[p]["id"] for p in sorted(group)],
        }
        if rng.random() < shape.session_pref_share:
            meeting["session"] = rng.choice(sessions)
        elif rng.random() < shape.fixed_share:
            meeting["fixed_slot"] = rng.choice(slots)["id"]
        if shape.weighted:
            meeting["weight"] = rng.choice((1, 1, 1, 2, 3))
        meetings.append(meeting)
    return {
        "slots": slots,
        "tables": shape.tables,
        "video_rooms": shape.video_rooms,
        "participants": people,
        "meetings": meetings,
    }
