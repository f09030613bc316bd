"""Turn a placement into a Schedule: table numbers, agenda figures, reasons."""

from __future__ import annotations

from itertools import pairwise

from rooms.scheduling.format import Assignment, Schedule
from rooms.scheduling.problem import WEIGHT_SCALE, Placement, Problem, usage_of
from rooms.scheduling.reasons import explain_unscheduled


def agenda_figures(problem: Problem, placement: Placement) -> tuple[int, int]:
    """Return (idle gaps, idle slots) summed over participants and session blocks."""
    busy: dict[tuple[int, int], list[int]] = {}
    for m, s in placement.items():
        for p in problem.members[m]:
            busy.setdefault((p, problem.slot_block[s]), []).append(s)
    gaps = idle = 0
    for slots in busy.values():
        slots.sort()
        idle += slots[-1] - slots[0] + 1 - len(slots)
        gaps += sum(1 for a, b in pairwise(slots) if b - a > 1)
    return gaps, idle


def placed_weight(problem: Problem, placement: Placement) -> int:
    """Return the scaled weight of the placed meetings."""
    return sum(problem.weight[m] for m in placement)


def build_schedule(
    problem: Problem,
    placement: Placement,
    *,
    status: str,
    upper_bound: int,
    seconds: float,
    weight_bound: int | None = None,
) -> Schedule:
    """Number the tables in each slot and gather the stats of a placement."""
    instance = problem.instance
    next_table = [1] * problem.n_slots
    assignments: list[Assignment] = []
    for m in sorted(placement, key=lambda m: (placement[m], m)):
        s = placement[m]
        table = None
        if problem.onsite[m]:
            table = next_table[s]
            next_table[s] += 1
        assignments.append(Assignment(instance.meetings[m].id, instance.slots[s].id, table))
    usage = usage_of(problem, placement)
    unplaced = [m for m in range(len(problem.members)) if m not in placement]
    gaps, idle = agenda_figures(problem, placement)
    stats = {
        "placed": len(placement),
        "requested": len(problem.members),
        "weight": round(placed_weight(problem, placement) / WEIGHT_SCALE, 3),
        "idle_gaps": gaps,
        "idle_slots": idle,
        "upper_bound": upper_bound,
        "weight_upper_bound": round(
            (weight_bound if weight_bound is not None else sum(problem.weight)) / WEIGHT_SCALE, 3
        ),
        "solve_seconds": round(seconds, 3),
        "status": status,
        "unscheduled_reasons": {
            instance.meetings[m].id: explain_unscheduled(problem, usage, m) for m in unplaced
        },
    }
    return Schedule(assignments, [instance.meetings[m].id for m in unplaced], stats)
