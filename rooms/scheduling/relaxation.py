"""Session-block relaxation: an upper bound (GLOP) and a block for each meeting (CP-SAT)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from rooms.scheduling.problem import Problem

# LP values come back as floats: a relative 1e-6 keeps 149.9999999 from becoming 149.
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


def _constraint_groups(
    problem: Problem, relax: BlockRelaxation
) -> tuple[
    dict[tuple[int, int], list[int]],
    list[list[int]],
    list[list[tuple[int, int]]],
    list[list[tuple[int, int]]],
]:
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


def _block_lp(
    problem: Problem, relax: BlockRelaxation, weights: list[int] | None
) -> dict[tuple[int, int], float] | None:
    """Solve the block relaxation as an LP; return x[meeting, block] or None if GLOP fails."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:  # pragma: no cover - GLOP ships with every ortools wheel
        return None
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
    lp.Maximize(sum(var * (1 if weights is None else weights[m]) for (m, _), var in x.items()))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:  # pragma: no cover - a bounded LP is solvable
        return None
    return {key: var.solution_value() for key, var in x.items()}


def upper_bounds(problem: Problem) -> tuple[int, int]:
    """Bound the placeable meeting count and scaled weight from above by the block LP."""
    relax = block_relaxation(problem)
    count = _block_lp(problem, relax, None)
    weight = _block_lp(problem, relax, problem.weight)
    if count is None or weight is None:  # pragma: no cover - see _block_lp
        return len(problem.members), sum(problem.weight)
    return (
        min(len(problem.members), _round_down(sum(count.values()))),
        min(
            sum(problem.weight),
            _round_down(sum(problem.weight[m] * v for (m, _), v in weight.items())),
        ),
    )


def _round_down(value: float) -> int:
    """Round an LP optimum of integer coefficients down, forgiving float noise near integers."""
    nearest = round(value)
    if abs(value - nearest) <= LP_TOLERANCE * max(1.0, abs(value)):
        return nearest
    return math.floor(value)


def assign_blocks(problem: Problem) -> dict[int, int]:
    """Choose a session block per meeting: round the weighted LP, keeping its capacities."""
    relax = block_relaxation(problem)
    values = _block_lp(problem, relax, problem.weight) or {}
    person_block: dict[tuple[int, int], int] = {}
    person: list[int] = [0] * len(problem.caps)
    kind: dict[tuple[bool, int], int] = {}
    chosen: dict[int, int] = {}
    # The LP is nearly integral: take its largest values first, heavier meetings on ties,
    # and a meeting the LP left out only if there is still room for it.
    order = sorted(
        ((m, b) for m, bs in enumerate(relax.options) for b in bs),
        key=lambda key: (-values.get(key, 0.0), -problem.weight[key[0]], key),
    )
    for m, b in order:
        group = problem.members[m]
        onsite = problem.onsite[m]
        room = relax.onsite_room[b] if onsite else relax.video_room[b]
        if (
            m in chosen
            or any(person_block.get((p, b), 0) >= relax.person_room[p, b] for p in group)
            or any(problem.caps[p] is not None and person[p] >= problem.caps[p] for p in group)
            or (room is not None and kind.get((onsite, b), 0) >= room)
        ):
            continue
        chosen[m] = b
        kind[onsite, b] = kind.get((onsite, b), 0) + 1
        for p in group:
            person_block[p, b] = person_block.get((p, b), 0) + 1
            person[p] += 1
    return chosen
