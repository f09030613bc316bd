"""Generated fairs: fixed seeds repeat, and a forum-sized fair is scheduled in full."""

from __future__ import annotations

import pytest

from rooms.scheduling import greedy, parse_instance, solve
from rooms.scheduling.generate import SHAPES, generate
from tests.rooms.scheduling.factories import checked


def test_same_seed_gives_same_instance() -> None:
    assert generate("small", seed=3) == generate("small", seed=3)
    assert generate("small", seed=3) != generate("small", seed=4)


def test_every_shape_parses() -> None:
    for name in SHAPES:
        instance = parse_instance(generate(name, seed=0))
        assert len(instance.meetings) == SHAPES[name].meetings


@pytest.mark.slow  # solves a forum-sized fair
def test_forum_sized_fair_places_every_meeting_without_gaps() -> None:
    instance = parse_instance(generate("small", seed=0))
    base = checked(instance, greedy(instance))
    best = checked(instance, solve(instance, time_limit=10.0))
    assert best["stats"]["placed"] == 150 == best["stats"]["upper_bound"]
    assert best["stats"]["idle_gaps"] == 0
    assert base["stats"]["idle_gaps"] > 0
