"""Greedy first-fit scheduling: the fast baseline and the fallback of the optimiser."""

from __future__ import annotations

import time

from rooms.scheduling.format import Instance, Schedule
from rooms.scheduling.problem import Placement, Problem, Usage, build_problem
from rooms.scheduling.relaxation import upper_bounds
from rooms.scheduling.result import build_schedule


def greedy_order(problem: Problem) -> list[int]:
    """Order meetings for first-fit: fixed ones, then heavier, then harder to place."""
    return sorted(
        range(len(problem.members)),
        key=lambda m: (problem.fixed[m] is None, -problem.weight[m], len(problem.candidates[m]), m),
    )


def insert_first_fit(
    problem: Problem,
    usage: Usage,
    placement: Placement,
    meetings: list[int],
    blocks: dict[int, int] | None = None,
) -> int:
    """Put each meeting into its earliest slot that still fits; return how many were placed.

    With `blocks`, only the meetings it names are tried, each only in its given session block.
    """
    placed = 0
    for m in meetings:
        if m in placement or (blocks is not None and m not in blocks):
            continue
        for s in problem.candidates[m]:
            if blocks is not None and problem.slot_block[s] != blocks[m]:
                continue
            if usage.blocker(m, s) is None:
                usage.place(m, s)
                placement[m] = s
                placed += 1
                break
    return placed


def greedy_placement(problem: Problem) -> Placement:
    """Place meetings one by one into their earliest free slot, never moving one back."""
    placement: Placement = {}
    insert_first_fit(problem, Usage(problem), placement, greedy_order(problem))
    return placement


def greedy(instance: Instance) -> Schedule:
    """Schedule the instance by greedy first-fit alone."""
    clock = time.monotonic()
    problem = build_problem(instance)
    placement = greedy_placement(problem)
    bound, weight_bound = upper_bounds(problem)
    return build_schedule(
        problem,
        placement,
        status="greedy-fallback",
        upper_bound=bound,
        weight_bound=weight_bound,
        seconds=time.monotonic() - clock,
    )
