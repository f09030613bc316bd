"""Random small instances: greedy and solver are always valid, and the solver never loses."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rooms.scheduling import Instance, greedy, parse_instance, schedule_to_dict, solve
from rooms.scheduling.validate import validate_schedule

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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_greedy_and_solver_schedules_are_valid_and_solver_never_loses(instance: Instance) -> None:
    base = schedule_to_dict(greedy(instance))
    best = schedule_to_dict(solve(instance, time_limit=2.0))
    assert validate_schedule(instance, base) == []
    assert validate_schedule(instance, best) == []
    assert best["stats"]["weight"] >= base["stats"]["weight"] - 1e-9
    same_meetings = {a["meeting"] for a in base["assignments"]} == {
        a["meeting"] for a in best["assignments"]
    }
    if same_meetings:
        assert best["stats"]["idle_gaps"] <= base["stats"]["idle_gaps"]
    assert best["stats"]["placed"] <= best["stats"]["upper_bound"]
