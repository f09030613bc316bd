"""The independent validator catches each broken rule and each wrong figure."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rooms.scheduling import parse_instance, schedule_to_dict, solve
from rooms.scheduling.validate import validate_schedule
from tests.rooms.scheduling.factories import make_instance, people

DATA = make_instance(
    slots=[{"id": f"s{i}", "session": "day1-morning"} for i in (1, 2, 3)],
    tables=1,
    video_rooms=1,
    participants=people(
        "a", "b", "c", "d:online", b={"max_meetings": 2}, c={"unavailable": ["s3"]}
    ),
    meetings=[
        {"id": "m1", "participants": ["a", "b"]},
        {"id": "m2", "participants": ["b", "c"], "fixed_slot": "s2"},
        {"id": "m3", "participants": ["a", "d"]},
    ],
)
INSTANCE = parse_instance(DATA)


def _good() -> dict[str, Any]:
    """A hand-made valid schedule for DATA."""
    return {
        "assignments": [
            {"meeting": "m1", "slot": "s1", "table": 1},
            {"meeting": "m2", "slot": "s2", "table": 1},
            {"meeting": "m3", "slot": "s2", "table": None},
        ],
        "unscheduled": [],
        "stats": {
            "placed": 3,
            "requested": 3,
            "weight": 3.0,
            "idle_gaps": 0,
            "idle_slots": 0,
            "upper_bound": 3,
            "solve_seconds": 0.0,
            "status": "optimal",
            "unscheduled_reasons": {},
        },
    }


def test_hand_made_schedule_is_valid() -> None:
    assert validate_schedule(INSTANCE, _good()) == []


def test_solver_schedule_is_valid() -> None:
    assert validate_schedule(INSTANCE, schedule_to_dict(solve(INSTANCE, 2.0))) == []


def _break(what: str) -> dict[str, Any]:
    """Return the good schedule with one rule broken."""
    data = copy.deepcopy(_good())
    rows = data["assignments"]
    if what == "double booking":
        rows[2]["slot"] = "s1"
        rows[2]["table"] = None
    elif what in ("unavailable", "fixed slot"):
        rows[1]["slot"] = "s3"
    elif what == "two tables":
        rows[1]["slot"] = "s1"
    elif what == "table for video":
        rows[2]["table"] = 2
    elif what == "no table on site":
        rows[0]["table"] = None
    elif what == "missing meeting":
        del rows[2]
    elif what == "wrong gaps":
        data["stats"]["idle_gaps"] = 1
    elif what == "bound below placed":
        data["stats"]["upper_bound"] = 2
    elif what == "reason missing":
        del rows[2]
        data["unscheduled"] = ["m3"]
        data["stats"]["placed"] = 2
        data["stats"]["weight"] = 2.0
    return data


BROKEN = [
    ("double booking", "a is double-booked in s1: m1, m3"),
    ("unavailable", "m2: c is unavailable in s3"),
    ("fixed slot", "m2: fixed to s2, placed in s3"),
    ("two tables", "a table is used twice in s1"),
    ("table for video", "m3: video meeting must have table null, got 2"),
    ("no table on site", "m1: on-site meeting needs a table 1..1, got None"),
    ("missing meeting", "meeting m3 is neither assigned nor unscheduled"),
    ("wrong gaps", "stats.idle_gaps is 1, recomputed 0"),
    ("bound below placed", "stats.upper_bound 2 is not between placed and requested"),
    ("reason missing", "stats.unscheduled_reasons does not name exactly"),
]


@pytest.mark.parametrize(("what", "message"), BROKEN, ids=[w for w, _ in BROKEN])
def test_validator_reports_broken_rule(what: str, message: str) -> None:
    errors = validate_schedule(INSTANCE, _break(what))
    assert any(error.startswith(message) for error in errors), errors


def test_validator_counts_a_long_idle_run_as_one_gap() -> None:
    data = make_instance(
        slots=[{"id": f"s{i}", "session": "x"} for i in range(1, 6)],
        meetings=[
            {"id": "m1", "participants": ["a", "b"]},
            {"id": "m2", "participants": ["a", "c"]},
        ],
    )
    instance = parse_instance(data)
    schedule = {
        "assignments": [
            {"meeting": "m1", "slot": "s1", "table": 1},
            {"meeting": "m2", "slot": "s5", "table": 1},
        ],
        "unscheduled": [],
        "stats": {
            "placed": 2,
            "requested": 2,
            "weight": 2.0,
            "idle_gaps": 1,
            "idle_slots": 3,
            "upper_bound": 2,
            "status": "feasible",
            "unscheduled_reasons": {},
        },
    }
    assert validate_schedule(instance, schedule) == []
