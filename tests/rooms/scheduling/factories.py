"""Small instance builders shared by the scheduling tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

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


SESSIONS = ("day1-morning", "day1-afternoon", "day2-morning")


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """Draw a small valid instance with every feature switched on at random."""
    blocks = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    slots = [
        {"id": f"s{b}{k}", "session": SESSIONS[b]}
        for b, size in enumerate(blocks)
        for k in range(size)
    ]
    slot_ids = [s["id"] for s in slots]
    n_people = draw(st.integers(2, 7))
    participants = [
        {
            "id": f"p{i}",
            "mode": draw(st.sampled_from(("onsite", "onsite", "online"))),
            "unavailable": draw(st.lists(st.sampled_from(slot_ids), max_size=3, unique=True)),
            "max_meetings": draw(st.none() | st.integers(0, 4)),
        }
        for i in range(n_people)
    ]
    meetings: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 10))):
        group = draw(
            st.lists(
                st.integers(0, n_people - 1), min_size=2, max_size=min(4, n_people), unique=True
            )
        )
        meeting: dict[str, Any] = {
            "id": f"m{i}",
            "participants": [f"p{p}" for p in group],
            "weight": draw(st.sampled_from((1, 1, 2, 3.5))),
        }
        extra = draw(st.sampled_from(("none", "none", "session", "fixed")))
        if extra == "session":
            meeting["session"] = draw(st.sampled_from(sorted({s["session"] for s in slots})))
        elif extra == "fixed":
            meeting["fixed_slot"] = draw(st.sampled_from(slot_ids))
        meetings.append(meeting)
    data = {
        "slots": slots,
        "tables": draw(st.integers(0, 3)),
        "video_rooms": draw(st.none() | st.integers(0, 2)),
        "participants": participants,
        "meetings": meetings,
    }
    return parse_instance(data)
