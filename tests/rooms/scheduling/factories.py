"""Small instance builders shared by the scheduling tests."""

from __future__ import annotations

from typing import Any

from rooms.scheduling import Instance, parse_instance, schedule_to_dict
from rooms.scheduling.format import Schedule
from rooms.scheduling.validate import validate_schedule


def make_instance(**overrides: Any) -> dict[str, Any]:
    """Return a valid instance dict: 3 slots in one session, 3 on-site people, 2 meetings."""
    data: dict[str, Any] = {
        "slots": [{"id": f"s{i}", "session": "day1-morning"} for i in (1, 2, 3)],
        "tables": 2,
        "video_rooms": None,
        "participants": [{"id": p, "mode": "onsite", "unavailable": []} for p in "abc"],
        "meetings": [
            {"id": "m1", "participants": ["a", "b"]},
            {"id": "m2", "participants": ["a", "c"]},
        ],
    }
    data.update(overrides)
    return data


def people(*specs: str, **extra: dict[str, Any]) -> list[dict[str, Any]]:
    """Build participants from 'id' or 'id:online' strings; extra[id] adds fields."""
    result = []
    for spec in specs:
        pid, _, mode = spec.partition(":")
        person = {"id": pid, "mode": mode or "onsite", "unavailable": []}
        result.append({**person, **extra.get(pid, {})})
    return result


def checked(instance: Instance, schedule: Schedule) -> dict[str, Any]:
    """Serialise the schedule and assert the independent validator accepts it."""
    data = schedule_to_dict(schedule)
    assert validate_schedule(instance, data) == []
    return data


def slots_of(data: dict[str, Any]) -> dict[str, str]:
    """Map meeting id -> slot id of a serialised schedule."""
    return {row["meeting"]: row["slot"] for row in data["assignments"]}


def parsed(**overrides: Any) -> Instance:
    """Parse make_instance(**overrides)."""
    return parse_instance(make_instance(**overrides))
