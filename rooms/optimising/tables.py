"""Table numbers for a run's meetings: the solver only caps meetings per slot (tables are
interchangeable), so the numbers are given here, around the tables already booked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rooms.optimising import instance
from rooms.scheduling import Instance, Schedule


class _FreeTables:
    """The lowest free table of each slot, as tables are taken one by one."""

    def __init__(self, in_use: dict[int, set[int]]):
        self.taken: dict[int, set[int]] = defaultdict(set)
        for slot_id, tables in in_use.items():
            self.taken[slot_id] |= tables
        # Tables are only ever taken, so the lowest free one never goes down: start from the
        # last one found instead of from table 1 (thousands of meetings on a preview page).
        self.lowest: dict[int, int] = defaultdict(lambda: 1)

    def take(self, slot_id: int) -> int:
        taken, table = self.taken[slot_id], self.lowest[slot_id]
        while table in taken:
            table += 1
        taken.add(table)
        self.lowest[slot_id] = table + 1
        return table


def number(
    rows: Iterable[tuple[str, int, bool]],
    in_use: dict[int, set[int]],
    booked: dict[str, int | None],
) -> list[tuple[str, int, int | None]]:
    """Tables for the rows (meeting key, slot id, on site): booked meetings keep theirs
    (`booked`: key -> table), new on-site ones take the lowest table no booked meeting holds in
    that slot (`in_use`: slot id -> tables)."""
    free = _FreeTables(in_use)
    result = []
    for key, slot_id, onsite in rows:
        table = None
        if key in booked:
            table = booked[key] if onsite else None
            if onsite and table is None:  # booked by video, everyone on site now
                table = free.take(slot_id)
        elif onsite:
            table = free.take(slot_id)
        result.append((key, slot_id, table))
    return result


def proposed(
    run_instance: Instance, schedule: Schedule, in_use: dict[int, set[int]]
) -> dict[str, int | None]:
    """The table each proposed meeting of a run would get now (None: a video room), around the
    tables booked now (`instance.tables_in_use`), some perhaps since the run."""
    rows = (
        (a.meeting, instance.key_id(a.slot), run_instance.at_table(a.meeting))
        for a in schedule.assignments
        if instance.is_request(a.meeting)
    )
    return {key: table for key, _slot, table in number(rows, in_use, {})}
