"""Human-readable reasons why a meeting is left out of a schedule."""

from __future__ import annotations

from rooms.scheduling.problem import Problem, Usage


def _no_candidate_reason(problem: Problem, m: int) -> str:
    """Explain a meeting that no slot can ever hold, whatever else is placed."""
    instance = problem.instance
    meeting = instance.meetings[m]
    group = problem.members[m]
    fixed = problem.fixed[m]
    if fixed is not None:
        slot = instance.slots[fixed]
        if meeting.session is not None and slot.session != meeting.session:
            return f"fixed slot {slot.id} is outside the meeting's session {meeting.session}"
        away = [instance.participants[p].id for p in group if fixed in problem.unavailable[p]]
        return f"participant {away[0]} is unavailable in fixed slot {slot.id}"
    if meeting.session is not None:
        pool = problem.blocks[problem.block_labels.index(meeting.session)]
        where = f"every slot of session {meeting.session}"
    else:
        pool = list(range(problem.n_slots))
        where = "every slot"
    for p in group:
        if all(s in problem.unavailable[p] for s in pool):
            return f"participant {instance.participants[p].id} is unavailable in {where}"
    scope = f" of session {meeting.session}" if meeting.session is not None else ""
    return f"no slot{scope} where all participants are available"


def explain_unscheduled(problem: Problem, usage: Usage, m: int) -> str:
    """Say why meeting m is not in the schedule whose usage is given."""
    if not problem.candidates[m]:
        return _no_candidate_reason(problem, m)
    instance = problem.instance
    for p in problem.members[m]:
        cap = problem.caps[p]
        if cap is not None and len(usage.busy[p]) >= cap:
            return f"participant {instance.participants[p].id} reached max_meetings {cap}"
    room = "table" if problem.onsite[m] else "video room"
    fixed = problem.fixed[m]
    if fixed is not None:
        slot = instance.slots[fixed].id
        for p in problem.members[m]:
            if fixed in usage.busy[p]:
                return (
                    f"participant {instance.participants[p].id} already has another "
                    f"meeting in fixed slot {slot}"
                )
        return f"no free {room} in fixed slot {slot}"
    kinds = {usage.blocker(m, s) for s in problem.candidates[m]}
    if kinds == {"room"}:
        return f"no free {room} in any slot all participants can do"
    if kinds == {"busy"}:
        return "the participants are already booked in every slot they can all do"
    if None in kinds:
        # Only a time-limited search can stop with a meeting that would still fit somewhere.
        return "not placed within the time limit"
    return f"no free {room} in any slot all participants can do and have free"
