"""Random small instances: greedy and solver are always valid, and the solver never loses."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from rooms.scheduling import Instance, greedy, schedule_to_dict, solve
from rooms.scheduling.validate import validate_schedule
from tests.rooms.scheduling.factories import instances


@pytest.mark.slow  # 40 solver runs
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
