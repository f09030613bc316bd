"""Local search on a finished placement: Kempe-chain slot swaps that remove idle slots."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from rooms.scheduling.problem import Placement, Problem

# A chain this long rarely helps and costs as much as many short moves; drop it.
MAX_CHAIN = 40
# Annealing temperature, in idle slots, from start to end of the budget: hot enough early to
# cross the plateaus of equal cost, cold at the end so the result is a local minimum.
START_TEMPERATURE = 1.0
END_TEMPERATURE = 0.02
# Moves between two checks of the clock; the clock costs more than a move.
CHECK_EVERY = 200
# Share of moves that may try a slot in another session block: the block a meeting got from
# the LP decides whose agendas can close up, and moving blocks is what removes the last gaps
# (large benchmark, 25 s, random moves only: 90 gaps at 0.1, 8 at 0.5). Every move keeps
# the meeting's candidates, so sessions, fixed slots and availability always hold.
CROSS_BLOCK = 0.5
# Share of moves aimed at a hole in an idle participant's agenda; the rest are random, which
# lets the partners of idle participants make room (large benchmark, 25 s: 9 gaps at 0.1,
# 4 at 0.2, 6 at 0.3, 12 at 0.5, 27 at 0.8).
DIRECTED = 0.2


def _runs(bits: int) -> tuple[int, int]:
    """Return (idle slots, idle gaps) of one participant's busy slots in one block."""
    if not bits:
        return 0, 0
    low = (bits & -bits).bit_length()
    span = bits.bit_length() - low + 1
    count = bits.bit_count()
    runs = (bits & ~(bits << 1)).bit_count()
    return span - count, runs - 1


class GapSearch:
    """A placement being improved: who is where, and what each slot still holds."""

    def __init__(self, problem: Problem, placement: Placement, seed: int = 1) -> None:
        self.problem = problem
        self.rng = random.Random(seed)  # noqa: S311  (reproducible search, not secrets)
        self.slot = dict(placement)
        self.at: list[dict[int, int]] = [{} for _ in problem.caps]
        self.bits = [0] * len(problem.caps)
        self.used = {True: [0] * problem.n_slots, False: [0] * problem.n_slots}
        self.block_bits = [sum(1 << s for s in slots) for slots in problem.blocks]
        self.options = [set(c) for c in problem.candidates]
        self.in_block: list[dict[int, list[int]]] = [{} for _ in problem.candidates]
        for m, cands in enumerate(problem.candidates):
            for s in cands:
                self.in_block[m].setdefault(problem.slot_block[s], []).append(s)
        for m, s in placement.items():
            self._put(m, s)
        self.movable = [m for m in placement if len(problem.candidates[m]) > 1]
        # Participants with idle slots, as a list with positions for O(1) random choice.
        self.idle: list[int] = []
        self.idle_at: dict[int, int] = {}
        for p in range(len(self.bits)):
            self._note(p)

    def _put(self, m: int, s: int) -> None:
        """Record meeting m in slot s."""
        self.slot[m] = s
        for p in self.problem.members[m]:
            self.at[p][s] = m
            self.bits[p] |= 1 << s
        self.used[self.problem.onsite[m]][s] += 1

    def _take(self, m: int) -> None:
        """Forget meeting m's slot."""
        s = self.slot[m]
        for p in self.problem.members[m]:
            del self.at[p][s]
            self.bits[p] &= ~(1 << s)
        self.used[self.problem.onsite[m]][s] -= 1

    def _holes(self, p: int) -> list[int]:
        """Return the free slots inside p's busy span in each session block."""
        holes = []
        for bb in self.block_bits:
            bits = self.bits[p] & bb
            if bits:
                low = (bits & -bits).bit_length() - 1
                holes += [s for s in range(low, bits.bit_length()) if not bits >> s & 1]
        return holes

    def _note(self, p: int) -> None:
        """Keep p in the list of idle participants exactly when p has idle slots."""
        idle = any(_runs(self.bits[p] & bb)[0] for bb in self.block_bits)
        if idle and p not in self.idle_at:
            self.idle_at[p] = len(self.idle)
            self.idle.append(p)
        elif not idle and p in self.idle_at:
            last = self.idle.pop()
            k = self.idle_at.pop(p)
            if last != p:
                self.idle[k] = last
                self.idle_at[last] = k

    def cost(self, p: int, blocks: set[int]) -> int:
        """Idle slots plus gaps of participant p in the given blocks."""
        total = 0
        for b in blocks:
            idle, gaps = _runs(self.bits[p] & self.block_bits[b])
            total += idle + gaps
        return total

    def total(self) -> int:
        """Idle slots plus gaps of everyone."""
        every = set(range(len(self.problem.blocks)))
        return sum(self.cost(p, every) for p in range(len(self.bits)))

    def _chain(self, m: int, s: int, t: int) -> list[int] | None:
        """Meetings that must trade slots s and t with m so nobody is double-booked."""
        chain = [m]
        seen = {m}
        k = 0
        while k < len(chain):
            here = chain[k]
            k += 1
            other = t if self.slot[here] == s else s
            if other not in self.options[here]:
                return None
            for p in self.problem.members[here]:
                n = self.at[p].get(other)
                if n is not None and n not in seen:
                    if len(chain) >= MAX_CHAIN:
                        return None
                    seen.add(n)
                    chain.append(n)
        return chain

    def _rooms_fit(self, chain: list[int], s: int, t: int) -> bool:
        """Check tables and video rooms after the chain trades slots s and t."""
        problem = self.problem
        for onsite in (True, False):
            limit = problem.capacity(onsite)
            if limit is None:
                continue
            net = sum(1 if self.slot[m] == s else -1 for m in chain if problem.onsite[m] == onsite)
            if self.used[onsite][t] + net > limit or self.used[onsite][s] - net > limit:
                return False
        return True

    def try_move(self, m: int, t: int, temperature: float) -> int | None:
        """Move m to slot t with its Kempe chain if annealing accepts; return the cost change."""
        s = self.slot[m]
        if s == t:
            return None
        chain = self._chain(m, s, t)
        if chain is None or not self._rooms_fit(chain, s, t):
            return None
        problem = self.problem
        blocks = {problem.slot_block[s], problem.slot_block[t]}
        people = {p for n in chain for p in problem.members[n]}
        before = sum(self.cost(p, blocks) for p in people)
        moves = [(n, t if self.slot[n] == s else s) for n in chain]
        for n, _ in moves:
            self._take(n)
        for n, u in moves:
            self._put(n, u)
        delta = sum(self.cost(p, blocks) for p in people) - before
        if delta <= 0 or self.rng.random() < math.exp(-delta / temperature):
            for p in people:
                self._note(p)
            return delta
        for n, _ in moves:
            self._take(n)
        for n, u in moves:
            self._put(n, t if u == s else s)
        return None

    def _pick(self) -> tuple[int, int] | None:
        """Choose a meeting and a slot to try it in, sometimes one that fills someone's hole."""
        problem = self.problem
        if self.idle and self.rng.random() < DIRECTED:
            # Move one of an idle participant's meetings into a hole of theirs: the move
            # that closes a gap directly, with its chain making room.
            p = self.rng.choice(self.idle)
            h = self.rng.choice(self._holes(p))
            mine = [m for m in self.at[p].values() if h in self.options[m]]
            return (self.rng.choice(mine), h) if mine else None
        m = self.rng.choice(self.movable)
        s = self.slot[m]
        if self.rng.random() < CROSS_BLOCK:
            t = self.rng.choice(problem.candidates[m])
        else:
            t = self.rng.choice(self.in_block[m][problem.slot_block[s]])
        return (m, t) if t != s else None

    def run(self, seconds_left: Callable[[], float]) -> Placement:
        """Anneal until the clock runs out or nobody is idle; return the best placement."""
        current = best = self.total()
        best_slot = dict(self.slot)
        if not self.movable or best == 0:
            return best_slot
        budget = max(seconds_left(), 1e-3)
        temperature = START_TEMPERATURE
        while True:
            for _ in range(CHECK_EVERY):
                pick = self._pick()
                if pick is None:
                    continue
                delta = self.try_move(*pick, temperature)
                if delta is None:
                    continue
                current += delta
                if current < best:
                    best = current
                    best_slot = dict(self.slot)
            left = seconds_left()
            if left <= 0 or best == 0:
                return best_slot
            progress = 1.0 - left / budget
            temperature = START_TEMPERATURE * (END_TEMPERATURE / START_TEMPERATURE) ** progress


def polish(problem: Problem, placement: Placement, seconds_left: Callable[[], float]) -> Placement:
    """Lower the idle slots of a placement by local search, keeping every meeting placed."""
    return GapSearch(problem, placement).run(seconds_left)
