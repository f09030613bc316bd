"""The optimiser: greedy, LP rounding and CP-SAT, then local search on gaps, in a time limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from rooms.scheduling.format import Instance, Schedule
from rooms.scheduling.greedy import greedy_order, greedy_placement, insert_first_fit
from rooms.scheduling.model import place_most, place_without_gaps, squeeze_idle
from rooms.scheduling.polish import polish
from rooms.scheduling.problem import Placement, Problem, build_problem, usage_of
from rooms.scheduling.relaxation import assign_blocks, upper_bounds
from rooms.scheduling.result import agenda_figures, build_schedule, placed_weight

DEFAULT_TIME_LIMIT = 30.0
DEFAULT_WORKERS = 2
# Above this many (meeting, slot) pairs one model over everything is too big for the budget
# (measured: 4,000 meetings x 36 slots returned nothing in 30 s), so solve block by block.
WHOLE_MODEL_LIMIT = 40_000
# When no gap-free schedule turns up at once, this share of what is left goes to local search,
# the rest to minimising idle slots with one CP-SAT model over everything.
POLISH_SHARE = 0.7
# Below this a CP-SAT run cannot even finish presolve; not worth starting.
MIN_RUN_SECONDS = 0.05
# Kept back from local search for building the schedule, so the whole solve ends in time.
FINISH_SECONDS = 0.3


class _Clock:
    """The time budget of one solve."""

    def __init__(self, time_limit: float, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.start = now()
        self.deadline = self.start + time_limit

    def left(self) -> float:
        """Seconds left in the budget."""
        return self.deadline - self.now()

    def part(self, seconds: float) -> _Clock:
        """A clock for a sub-task that must end within `seconds` from now."""
        sub = _Clock(0.0, self.now)
        sub.start = self.start
        sub.deadline = min(self.deadline, self.now() + seconds)
        return sub

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return self.now() - self.start


def _better(problem: Problem, a: Placement, b: Placement) -> bool:
    """Say whether placement a beats b: more weight first, then fewer idle gaps."""
    weight_a, weight_b = placed_weight(problem, a), placed_weight(problem, b)
    if weight_a != weight_b:
        return weight_a > weight_b
    return agenda_figures(problem, a)[0] < agenda_figures(problem, b)[0]


def _fill(problem: Problem, placement: Placement) -> Placement:
    """Add any meeting that still fits somewhere, so no free room is left unused."""
    filled = dict(placement)
    insert_first_fit(problem, usage_of(problem, filled), filled, greedy_order(problem))
    return filled


def _polish_until(problem: Problem, placement: Placement, clock: _Clock) -> Placement:
    """Run local search on the placement until the clock, less the time to build the result."""
    return polish(problem, placement, lambda: clock.left() - FINISH_SECONDS)


def _solve_whole(
    problem: Problem, start: Placement, weight_bound: int, clock: _Clock, workers: int
) -> tuple[Placement, bool]:
    """One model over all slots for placement, then gap removal: SAT, local search, CP-SAT."""
    everything = range(len(problem.members))
    first = place_most(
        problem, everything, None, problem.caps, start, clock.left() * 0.25, workers, weight_bound
    )
    best = _fill(problem, first.placement if first.placement is not None else start)
    if not _better(problem, best, start):
        best = start
    if agenda_figures(problem, best)[0] == 0:
        return best, first.optimal
    # Measured on the forum-sized benchmarks: the whole gap-free question is answered in
    # about 0.2 s when the answer is yes.
    quick = place_without_gaps(
        problem, list(best), None, problem.caps, best, clock.left() * 0.15, workers
    )
    if quick.placement is not None:
        return quick.placement, first.optimal
    # When it is no (or slow), local search reached zero gaps in about 1 s on small-tables,
    # where minimising idle slots with CP-SAT still left 3 or 4 gaps after 30 s. CP-SAT gets
    # what is left, starting from the local search's result, for moves beyond slot swaps.
    best = _polish_until(problem, best, clock.part(clock.left() * POLISH_SHARE))
    if agenda_figures(problem, best)[0] > 0 and clock.left() > MIN_RUN_SECONDS:
        slow = squeeze_idle(
            problem, list(best), None, problem.caps, best, clock.left() * 0.95, workers
        )
        if slow.placement is not None and _better(problem, slow.placement, best):
            best = slow.placement
    return best, first.optimal


def _lp_rounding(problem: Problem) -> Placement:
    """Pick a block per meeting on the LP relaxation, then fill the blocks first-fit."""
    chosen = assign_blocks(problem)
    placement: Placement = {}
    # Measured on the large benchmark: first-fit inside the LP's blocks plus a global fill
    # reaches the LP's weight within 0.1%, in milliseconds; CP-SAT per block placed no more
    # in 3 s a block. So all of the remaining time can go to removing gaps.
    insert_first_fit(
        problem, usage_of(problem, placement), placement, greedy_order(problem), chosen
    )
    return _fill(problem, placement)


def solve(
    instance: Instance, time_limit: float = DEFAULT_TIME_LIMIT, workers: int = DEFAULT_WORKERS
) -> Schedule:
    """Schedule the instance within time_limit seconds; never worse than greedy first-fit."""
    clock = _Clock(time_limit)
    problem = build_problem(instance)
    greedy = greedy_placement(problem)
    bound, weight_bound = upper_bounds(problem)
    pairs = sum(len(c) for c in problem.candidates)
    best, status = greedy, "greedy-fallback"
    proven = False
    if clock.left() > MIN_RUN_SECONDS and problem.members:
        if pairs <= WHOLE_MODEL_LIMIT:
            rounded = _lp_rounding(problem)
            start = rounded if _better(problem, rounded, greedy) else greedy
            found, proven = _solve_whole(problem, start, weight_bound, clock, workers)
        else:
            # Measured on the large benchmark (30 s): re-slotting block by block with CP-SAT
            # left 545 to 838 gaps; local search with moves across blocks leaves 3 to 5.
            found = _polish_until(problem, _lp_rounding(problem), clock)
        if _better(problem, found, greedy):
            best, status = found, "feasible"
    elif not problem.members:
        status = "optimal"
    equal_weights = len(set(problem.weight)) <= 1
    if proven and equal_weights:
        # A proven maximum with equal weights is a maximum count too: the tightest bound.
        bound = min(bound, len(best))
    # Reaching a bound proves the placement optimal (the count bound only for equal weights).
    proven = (
        proven
        or placed_weight(problem, best) >= weight_bound
        or (equal_weights and len(best) == bound)
    )
    all_placed = len(best) == len(problem.members)
    if (proven or all_placed) and agenda_figures(problem, best)[0] == 0:
        status = "optimal"
    return build_schedule(
        problem,
        best,
        status=status,
        upper_bound=bound,
        weight_bound=weight_bound,
        seconds=clock.elapsed(),
    )
