"""The instance seen by the algorithms: integer indices, candidate slots and slot usage."""

from __future__ import annotations

from dataclasses import dataclass

from rooms.scheduling.format import Instance

# Weights become integers for CP-SAT; three decimals are more than any organiser types.
WEIGHT_SCALE = 1000

Placement = dict[int, int]
"""Meeting index -> slot index of every placed meeting."""


@dataclass
class Problem:
    """An Instance as indices: who is in which meeting and which slots each meeting may use."""

    instance: Instance
    block_labels: list[str]
    blocks: list[list[int]]
    slot_block: list[int]
    members: list[tuple[int, ...]]
    onsite: list[bool]
    weight: list[int]
    caps: list[int | None]
    unavailable: list[set[int]]
    candidates: list[list[int]]
    fixed: list[int | None]

    @property
    def n_slots(self) -> int:
        """Number of slots."""
        return len(self.slot_block)

    def capacity(self, onsite: bool) -> int | None:
        """Meetings of this kind a slot can hold (None = unlimited)."""
        return self.instance.tables if onsite else self.instance.video_rooms

    def meetings_of(self) -> list[list[int]]:
        """Return, per participant, the indices of the meetings they are in."""
        result: list[list[int]] = [[] for _ in self.caps]
        for m, group in enumerate(self.members):
            for p in group:
                result[p].append(m)
        return result


def build_problem(instance: Instance) -> Problem:
    """Index the instance and work out each meeting's candidate slots."""
    slot_index = {s.id: i for i, s in enumerate(instance.slots)}
    person_index = {p.id: i for i, p in enumerate(instance.participants)}
    labels: list[str] = []
    blocks: list[list[int]] = []
    slot_block: list[int] = []
    for i, slot in enumerate(instance.slots):
        if not labels or labels[-1] != slot.session:
            labels.append(slot.session)
            blocks.append([])
        blocks[-1].append(i)
        slot_block.append(len(blocks) - 1)
    block_of_label = {label: b for b, label in enumerate(labels)}
    unavailable = [{slot_index[s] for s in p.unavailable} for p in instance.participants]
    online = [p.mode != "onsite" for p in instance.participants]
    members: list[tuple[int, ...]] = []
    onsite: list[bool] = []
    weight: list[int] = []
    candidates: list[list[int]] = []
    fixed: list[int | None] = []
    for meeting in instance.meetings:
        group = tuple(person_index[p] for p in meeting.participants)
        members.append(group)
        onsite.append(not any(online[p] for p in group))
        weight.append(max(1, round(meeting.weight * WEIGHT_SCALE)))
        fixed_slot = slot_index[meeting.fixed_slot] if meeting.fixed_slot is not None else None
        fixed.append(fixed_slot)
        if fixed_slot is not None:
            pool = [fixed_slot]
        elif meeting.session is not None:
            pool = blocks[block_of_label[meeting.session]]
        else:
            pool = list(range(len(instance.slots)))
        if meeting.session is not None and fixed_slot is not None:
            # A fixed slot outside the preferred session breaks a hard constraint: no candidate.
            pool = [s for s in pool if labels[slot_block[s]] == meeting.session]
        candidates.append([s for s in pool if not any(s in unavailable[p] for p in group)])
    caps = [p.max_meetings for p in instance.participants]
    return Problem(
        instance,
        labels,
        blocks,
        slot_block,
        members,
        onsite,
        weight,
        caps,
        unavailable,
        candidates,
        fixed,
    )


class Usage:
    """What a partial schedule uses: busy slots per participant, meetings per slot by kind."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.busy: list[set[int]] = [set() for _ in problem.caps]
        self.onsite_used = [0] * problem.n_slots
        self.video_used = [0] * problem.n_slots

    def blocker(self, m: int, s: int) -> str | None:
        """Say what stops meeting m from going into slot s now, or None when it fits."""
        problem = self.problem
        for p in problem.members[m]:
            if s in self.busy[p]:
                return "busy"
            cap = problem.caps[p]
            if cap is not None and len(self.busy[p]) >= cap:
                return "cap"
        onsite = problem.onsite[m]
        limit = problem.capacity(onsite)
        used = self.onsite_used[s] if onsite else self.video_used[s]
        if limit is not None and used >= limit:
            return "room"
        return None

    def place(self, m: int, s: int) -> None:
        """Record meeting m in slot s."""
        for p in self.problem.members[m]:
            self.busy[p].add(s)
        if self.problem.onsite[m]:
            self.onsite_used[s] += 1
        else:
            self.video_used[s] += 1

    def remove(self, m: int, s: int) -> None:
        """Forget meeting m in slot s."""
        for p in self.problem.members[m]:
            self.busy[p].discard(s)
        if self.problem.onsite[m]:
            self.onsite_used[s] -= 1
        else:
            self.video_used[s] -= 1


def usage_of(problem: Problem, placement: Placement) -> Usage:
    """Return the usage of a whole placement."""
    usage = Usage(problem)
    for m, s in placement.items():
        usage.place(m, s)
    return usage
