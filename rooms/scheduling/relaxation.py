"""Session-block relaxation: an upper bound (GLOP) and a block for each meeting (CP-SAT)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from rooms.scheduling.problem import Placement, Problem

# LP values come back as floats: 1e-6 keeps 149.9999999 from becoming a bound of 149.
LP_TOLERANCE = 1e-6


@dataclass
class BlockRelaxation:
    """Which blocks each meeting may use and how many meetings each block can hold at most."""

    options: list[list[int]]
    person_room: dict[tuple[int, int], int]
    onsite_room: list[int]
    video_room: list[int | None]


def block_relaxation(problem: Problem) -> BlockRelaxation:
    """Count, per block, the slots each participant and each kind of meeting could use."""
    options: list[list[int]] = []
    person_slots: dict[tuple[int, int], set[int]] = {}
    kind_slots: list[tuple[set[int], set[int]]] = [(set(), set()) for _ in problem.blocks]
    for m, cands in enumerate(problem.candidates):
        blocks = sorted({problem.slot_block[s] for s in cands})
        options.append(blocks)
        for s in cands:
            b = problem.slot_block[s]
            kind_slots[b][0 if problem.onsite[m] else 1].add(s)
            for p in problem.members[m]:
                person_slots.setdefault((p, b), set()).add(s)
    video = problem.instance.video_rooms
    return BlockRelaxation(
        options,
        {key: len(slots) for key, slots in person_slots.items()},
        [problem.instance.tables * len(onsite) for onsite, _ in kind_slots],
        [None if video is None else video * len(online) for _, online in kind_slots],
    )


def _constraint_groups(problem: Problem, relax: BlockRelaxation
                       ) -> tuple[dict[tuple[int, int], list[int]], list[list[int]],
                                  list[list[tuple[int, int]]], list[list[tuple[int, int]]]]:
    """Group (meeting, block) pairs by participant-block, participant and block kind."""
    per_person_block: dict[tuple[int, int], list[int]] = {}
    per_person: list[list[int]] = [[] for _ in problem.caps]
    onsite: list[list[tuple[int, int]]] = [[] for _ in problem.blocks]
    video: list[list[tuple[int, int]]] = [[] for _ in problem.blocks]
    for m, blocks in enumerate(relax.options):
        for p in problem.members[m]:
            per_person[p].append(m)
        for b in blocks:
            for p in problem.members[m]:
                per_person_block.setdefault((p, b), []).append(m)
            (onsite if problem.onsite[m] else video)[b].append((m, b))
    return per_person_block, per_person, onsite, video


def upper_bound(problem: Problem) -> int:
    """Bound the number of placeable meetings from above by the block LP relaxation."""
    relax = block_relaxation(problem)
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:  # pragma: no cover - GLOP ships with every ortools wheel
        return len(problem.members)
    x = {(m, b): lp.NumVar(0.0, 1.0, "") for m, bs in enumerate(relax.options) for b in bs}
    for m, bs in enumerate(relax.options):
        if len(bs) > 1:
            lp.Add(sum(x[m, b] for b in bs) <= 1)
    per_person_block, per_person, onsite, video = _constraint_groups(problem, relax)
    for (p, b), ms in per_person_block.items():
        if len(ms) > relax.person_room[p, b]:
            lp.Add(sum(x[m, b] for m in ms) <= relax.person_room[p, b])
    for p, ms in enumerate(per_person):
        cap = problem.caps[p]
        if cap is not None and len(ms) > cap:
            lp.Add(sum(x[m, b] for m in ms for b in relax.options[m]) <= cap)
    for b in range(len(problem.blocks)):
        if len(onsite[b]) > relax.onsite_room[b]:
            lp.Add(sum(x[key] for key in onsite[b]) <= relax.onsite_room[b])
        room = relax.video_room[b]
        if room is not None and len(video[b]) > room:
            lp.Add(sum(x[key] for key in video[b]) <= room)
    lp.Maximize(sum(x.values()))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:  # pragma: no cover - a bounded LP is solvable
        return len(problem.members)
    return min(len(problem.members), math.floor(lp.Objective().Value() + LP_TOLERANCE))


def assign_blocks(problem: Problem, hint: Placement, time_limit: float,
                  workers: int) -> dict[int, int] | None:
    """Choose a session block for as many (weighted) meetings as the block capacities allow."""
    relax = block_relaxation(problem)
    model = cp_model.CpModel()
    y = {(m, b): model.NewBoolVar("") for m, bs in enumerate(relax.options) for b in bs}
    for m, bs in enumerate(relax.options):
        if len(bs) > 1:
            model.AddAtMostOne(y[m, b] for b in bs)
    per_person_block, per_person, onsite, video = _constraint_groups(problem, relax)
    for (p, b), ms in per_person_block.items():
        if len(ms) > relax.person_room[p, b]:
            model.Add(sum(y[m, b] for m in ms) <= relax.person_room[p, b])
    for p, ms in enumerate(per_person):
        cap = problem.caps[p]
        if cap is not None and len(ms) > cap:
            model.Add(sum(y[m, b] for m in ms for b in relax.options[m]) <= cap)
    for b in range(len(problem.blocks)):
        if len(onsite[b]) > relax.onsite_room[b]:
            model.Add(sum(y[key] for key in onsite[b]) <= relax.onsite_room[b])
        room = relax.video_room[b]
        if room is not None and len(video[b]) > room:
            model.Add(sum(y[key] for key in video[b]) <= room)
    for (m, b), var in y.items():
        model.AddHint(var, m in hint and problem.slot_block[hint[m]] == b)
    model.Maximize(sum(problem.weight[m] * var for (m, _), var in y.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {m: b for (m, b), var in y.items() if solver.BooleanValue(var)}
