"""CP-SAT slot model: place the most (weighted) meetings, then squeeze out idle slots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rooms.scheduling.problem import Placement, Problem


@dataclass
class Outcome:
    """What one CP-SAT run gave: a placement (None if none found) and whether it is proven."""

    placement: Placement | None
    optimal: bool


def _run(
    model: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    time_limit: float,
    workers: int,
) -> Outcome:
    """Solve the model and read the placement from the x variables."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    # Neighbourhood search only runs with two or more workers; with one CP-SAT stalls.
    solver.parameters.num_workers = max(2, workers)
    solver.parameters.random_seed = 1
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(None, False)
    placement = {m: s for (m, s), var in x.items() if solver.BooleanValue(var)}
    return Outcome(placement, status == cp_model.OPTIMAL)


def _placement_model(
    problem: Problem,
    meetings: Iterable[int],
    slots: set[int] | None,
    *,
    hard: bool,
    caps: list[int | None] | None,
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar]]:
    """Build the hard constraints: one slot per meeting, no double booking, caps, rooms."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_person_slot: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    by_person: dict[int, list[cp_model.IntVar]] = {}
    onsite: dict[int, list[cp_model.IntVar]] = {}
    video: dict[int, list[cp_model.IntVar]] = {}
    for m in meetings:
        own = []
        for s in problem.candidates[m]:
            if slots is not None and s not in slots:
                continue
            var = model.NewBoolVar("")
            x[m, s] = var
            own.append(var)
            for p in problem.members[m]:
                by_person_slot.setdefault((p, s), []).append(var)
                by_person.setdefault(p, []).append(var)
            (onsite if problem.onsite[m] else video).setdefault(s, []).append(var)
        if hard:
            model.AddExactlyOne(own)
        elif len(own) > 1:
            model.AddAtMostOne(own)
    for group in by_person_slot.values():
        if len(group) > 1:
            model.AddAtMostOne(group)
    if caps is not None:
        for p, group in by_person.items():
            cap = caps[p]
            if cap is not None and len(group) > cap:
                model.Add(sum(group) <= cap)
    for kind, limit in ((onsite, problem.instance.tables), (video, problem.instance.video_rooms)):
        if limit is None:
            continue
        for group in kind.values():
            if len(group) > limit:
                model.Add(sum(group) <= limit)
    return model, x


def _hint(
    model: cp_model.CpModel, x: dict[tuple[int, int], cp_model.IntVar], hint: Placement
) -> None:
    """Start the search from a known placement."""
    for (m, s), var in x.items():
        model.AddHint(var, hint.get(m) == s)


def place_most(
    problem: Problem,
    meetings: Iterable[int],
    slots: set[int] | None,
    caps: list[int | None] | None,
    hint: Placement,
    time_limit: float,
    workers: int,
    weight_bound: int | None = None,
) -> Outcome:
    """Place the heaviest set of the given meetings into the given slots."""
    model, x = _placement_model(problem, meetings, slots, hard=False, caps=caps)
    _hint(model, x, hint)
    objective = sum(problem.weight[m] * var for (m, _), var in x.items())
    if weight_bound is not None:
        # The LP bound holds for every schedule; stated here it lets CP-SAT stop, proven
        # optimal, as soon as it reaches it instead of searching for a proof of its own.
        model.Add(objective <= weight_bound)
    model.Maximize(objective)
    return _run(model, x, time_limit, workers)


def _busy_by_block(
    problem: Problem, x: dict[tuple[int, int], cp_model.IntVar]
) -> tuple[
    dict[tuple[int, int], list[cp_model.IntVar]],
    dict[tuple[int, int], list[int]],
    dict[int, set[int]],
]:
    """Index slot variables by (participant, slot), and the slots of each participant-block."""
    busy: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    meetings_of: dict[int, set[int]] = {}
    for (m, s), var in x.items():
        for p in problem.members[m]:
            busy.setdefault((p, s), []).append(var)
            meetings_of.setdefault(p, set()).add(m)
    slots_of: dict[tuple[int, int], list[int]] = {}
    for p, s in busy:
        if len(meetings_of[p]) > 1:  # one meeting never leaves anyone idle
            slots_of.setdefault((p, problem.slot_block[s]), []).append(s)
    return busy, slots_of, meetings_of


def place_without_gaps(
    problem: Problem,
    meetings: Iterable[int],
    slots: set[int] | None,
    caps: list[int | None] | None,
    hint: Placement,
    time_limit: float,
    workers: int,
) -> Outcome:
    """Place all the given meetings so that nobody has an idle gap, if that can be done."""
    model, x = _placement_model(problem, meetings, slots, hard=True, caps=caps)
    _hint(model, x, hint)
    busy, slots_of, _ = _busy_by_block(problem, x)
    for (p, _), used in slots_of.items():
        # Busy slots form one run: a slot is busy only if the one before is, or a run starts
        # there, and at most one run starts. As a pure feasibility question CP-SAT settles
        # this in a fraction of a second where minimising gaps takes far longer.
        previous: cp_model.LinearExprT = 0
        starts = []
        for s in range(min(used), max(used) + 1):
            here = sum(busy.get((p, s), []))
            start = model.NewBoolVar("")
            model.Add(here <= previous + start)
            starts.append(start)
            previous = here
        model.AddAtMostOne(starts)
    return _run(model, x, time_limit, workers)


def squeeze_idle(
    problem: Problem,
    meetings: Iterable[int],
    slots: set[int] | None,
    caps: list[int | None] | None,
    hint: Placement,
    time_limit: float,
    workers: int,
) -> Outcome:
    """Place all the given meetings with the fewest idle slots in anyone's session blocks."""
    model, x = _placement_model(problem, meetings, slots, hard=True, caps=caps)
    _hint(model, x, hint)
    busy, slots_of, meetings_of = _busy_by_block(problem, x)
    terms = []
    for (p, _), used in slots_of.items():
        # p's time in the block is one run of "present" slots opened by at most one "start";
        # present slots minus meetings are the idle slots. The idle-slot count falls steadily
        # under search where the gap count barely moves.
        hinted = [s for s in used if any(hint.get(m) == s for m in meetings_of[p])]
        lo, hi = (min(hinted), max(hinted)) if hinted else (-1, -2)
        previous: cp_model.LinearExprT = 0
        starts = []
        for s in range(min(used), max(used) + 1):
            present = model.NewBoolVar("")
            start = model.NewBoolVar("")
            if (p, s) in busy:
                model.Add(present >= sum(busy[p, s]))
            model.Add(present <= start + previous)
            model.AddImplication(start, present)
            model.AddHint(present, lo <= s <= hi)
            model.AddHint(start, s == lo)
            starts.append(start)
            terms.append(present)
            previous = present
        model.AddAtMostOne(starts)
    # Every meeting is placed, so each participant is present at least once per meeting:
    # stating that floor lets CP-SAT stop, proven, as soon as nobody is idle.
    floor = sum(len(meetings_of[p]) for p in {p for p, _ in slots_of})
    model.Add(sum(terms) >= floor)
    model.Minimize(sum(terms))
    return _run(model, x, time_limit, workers)
