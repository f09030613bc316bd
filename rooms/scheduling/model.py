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


def _run(model: cp_model.CpModel, x: dict[tuple[int, int], cp_model.IntVar],
         time_limit: float, workers: int) -> Outcome:
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


def _placement_model(problem: Problem, meetings: Iterable[int], slots: set[int] | None,
                     *, hard: bool, caps: list[int | None] | None
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


def _hint(model: cp_model.CpModel, x: dict[tuple[int, int], cp_model.IntVar],
          hint: Placement) -> None:
    """Start the search from a known placement."""
    for (m, s), var in x.items():
        model.AddHint(var, hint.get(m) == s)


def place_most(problem: Problem, meetings: Iterable[int], slots: set[int] | None,
               caps: list[int | None] | None, hint: Placement, time_limit: float,
               workers: int) -> Outcome:
    """Place the heaviest set of the given meetings into the given slots."""
    model, x = _placement_model(problem, meetings, slots, hard=False, caps=caps)
    _hint(model, x, hint)
    model.Maximize(sum(problem.weight[m] * var for (m, _), var in x.items()))
    return _run(model, x, time_limit, workers)


def squeeze_idle(problem: Problem, meetings: Iterable[int], slots: set[int] | None,
                 caps: list[int | None] | None, hint: Placement, time_limit: float,
                 workers: int) -> Outcome:
    """Place all the given meetings with the fewest idle slots in anyone's session blocks."""
    model, x = _placement_model(problem, meetings, slots, hard=True, caps=caps)
    _hint(model, x, hint)
    by_person_block: dict[tuple[int, int], list[tuple[int, int, cp_model.IntVar]]] = {}
    meetings_of: dict[int, set[int]] = {}
    for (m, s), var in x.items():
        for p in problem.members[m]:
            by_person_block.setdefault((p, problem.slot_block[s]), []).append((m, s, var))
            meetings_of.setdefault(p, set()).add(m)
    terms = []
    for (p, b), entries in by_person_block.items():
        if len(meetings_of[p]) < 2:
            continue  # one meeting never leaves anyone idle
        block = problem.blocks[b]
        first = model.NewIntVar(block[0], block[-1], "")
        last = model.NewIntVar(block[0], block[-1], "")
        active = model.NewBoolVar("")
        model.Add(first <= last)
        for _, s, var in entries:
            model.Add(first <= s).OnlyEnforceIf(var)
            model.Add(last >= s).OnlyEnforceIf(var)
            model.AddImplication(var, active)
        # Idle slots of (p, b) = last - first + 1 - meetings when p meets in b; the meeting
        # count per participant is fixed here, so (last - first) + active differs by a constant.
        terms.append(last - first)
        terms.append(active)
        if hint:
            hinted = [s for m, s, _ in entries if hint.get(m) == s]
            if hinted:
                model.AddHint(first, min(hinted))
                model.AddHint(last, max(hinted))
                model.AddHint(active, True)
    model.Minimize(sum(terms))
    return _run(model, x, time_limit, workers)

