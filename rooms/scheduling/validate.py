"""Independent check of a schedule against its instance: every hard rule, every figure.

Written from the format alone, sharing no code with the solver, so a solver bug cannot hide
behind the same bug here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise
from typing import Any

from rooms.scheduling.format import Instance

# The solver rounds weights to three decimals per meeting and the total to three decimals.
WEIGHT_TOLERANCE = 1e-3


def recompute_stats(instance: Instance, assignments: list[dict[str, Any]]) -> dict[str, Any]:
    """Recompute placed, weight, idle_gaps and idle_slots from the assignments alone."""
    position = {slot.id: i for i, slot in enumerate(instance.slots)}
    session_of = {slot.id: slot.session for slot in instance.slots}
    members = {m.id: m.participants for m in instance.meetings}
    weights = {m.id: m.weight for m in instance.meetings}
    agenda: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in assignments:
        for person in members[row["meeting"]]:
            agenda[person, session_of[row["slot"]]].append(position[row["slot"]])
    gaps = idle = 0
    for busy in agenda.values():
        busy.sort()
        for before, after in pairwise(busy):
            if after - before > 1:
                gaps += 1
                idle += after - before - 1
    return {
        "placed": len(assignments),
        "requested": len(instance.meetings),
        "weight": sum(weights[row["meeting"]] for row in assignments),
        "idle_gaps": gaps,
        "idle_slots": idle,
    }


def _check_rows(instance: Instance, schedule: dict[str, Any]) -> list[str]:
    """Check that every meeting appears exactly once and every id is known."""
    errors: list[str] = []
    meeting_ids = {m.id for m in instance.meetings}
    slot_ids = {s.id for s in instance.slots}
    seen = Counter(
        [row.get("meeting") for row in schedule.get("assignments", [])]
        + list(schedule.get("unscheduled", []))
    )
    for meeting_id, count in seen.items():
        if meeting_id not in meeting_ids:
            errors.append(f"unknown meeting {meeting_id!r} in the schedule")
        elif count > 1:
            errors.append(f"meeting {meeting_id} appears {count} times")
    for meeting_id in sorted(meeting_ids - set(seen)):
        errors.append(f"meeting {meeting_id} is neither assigned nor unscheduled")
    for row in schedule.get("assignments", []):
        if row.get("slot") not in slot_ids:
            errors.append(f"meeting {row.get('meeting')} is in unknown slot {row.get('slot')!r}")
    return errors


def _check_rules(instance: Instance, assignments: list[dict[str, Any]]) -> list[str]:
    """Check availability, sessions, fixed slots, double booking, caps, tables and rooms."""
    errors: list[str] = []
    people = {p.id: p for p in instance.participants}
    meetings = {m.id: m for m in instance.meetings}
    session_of = {s.id: s.session for s in instance.slots}
    booked: dict[tuple[str, str], list[str]] = defaultdict(list)
    tables: dict[str, list[int]] = defaultdict(list)
    video: Counter[str] = Counter()
    for row in assignments:
        meeting, slot, table = meetings[row["meeting"]], row["slot"], row["table"]
        for person in meeting.participants:
            booked[person, slot].append(meeting.id)
            if slot in people[person].unavailable:
                errors.append(f"{meeting.id}: {person} is unavailable in {slot}")
        if meeting.session is not None and session_of[slot] != meeting.session:
            errors.append(f"{meeting.id}: in {slot}, outside session {meeting.session}")
        if meeting.fixed_slot is not None and slot != meeting.fixed_slot:
            errors.append(f"{meeting.id}: fixed to {meeting.fixed_slot}, placed in {slot}")
        onsite = all(people[p].mode == "onsite" for p in meeting.participants)
        if onsite and not (isinstance(table, int) and 1 <= table <= instance.tables):
            errors.append(
                f"{meeting.id}: on-site meeting needs a table 1..{instance.tables}, got {table!r}"
            )
        elif onsite:
            tables[slot].append(table)
        elif table is not None:
            errors.append(f"{meeting.id}: video meeting must have table null, got {table!r}")
        else:
            video[slot] += 1
    for (person, slot), ids in booked.items():
        if len(ids) > 1:
            errors.append(f"{person} is double-booked in {slot}: {', '.join(ids)}")
    per_person = Counter(person for person, _ in booked)
    for person, count in per_person.items():
        cap = people[person].max_meetings
        if cap is not None and count > cap:
            errors.append(f"{person} has {count} meetings, over max_meetings {cap}")
    for slot, numbers in tables.items():
        if len(set(numbers)) < len(numbers):
            errors.append(f"a table is used twice in {slot}: {sorted(numbers)}")
    if instance.video_rooms is not None:
        for slot, count in video.items():
            if count > instance.video_rooms:
                errors.append(f"{count} video meetings in {slot}, over {instance.video_rooms}")
    return errors


def validate_schedule(instance: Instance, schedule: dict[str, Any]) -> list[str]:
    """Return every way the serialised schedule breaks the instance's rules (empty: valid)."""
    errors = _check_rows(instance, schedule)
    if errors:
        return errors
    assignments = schedule["assignments"]
    errors = _check_rules(instance, assignments)
    stats = schedule.get("stats", {})
    expected = recompute_stats(instance, assignments)
    for key in ("placed", "requested", "idle_gaps", "idle_slots"):
        if stats.get(key) != expected[key]:
            errors.append(f"stats.{key} is {stats.get(key)!r}, recomputed {expected[key]}")
    if abs(stats.get("weight", -1) - expected["weight"]) > WEIGHT_TOLERANCE * (
        1 + len(assignments)
    ):
        errors.append(f"stats.weight is {stats.get('weight')!r}, recomputed {expected['weight']}")
    bound = stats.get("upper_bound")
    if not isinstance(bound, int) or not expected["placed"] <= bound <= expected["requested"]:
        errors.append(f"stats.upper_bound {bound!r} is not between placed and requested")
    weight_bound = stats.get("weight_upper_bound")
    if weight_bound is not None and weight_bound < expected["weight"] - WEIGHT_TOLERANCE * (
        1 + len(assignments)
    ):
        errors.append(f"stats.weight_upper_bound {weight_bound!r} is below the placed weight")
    if stats.get("status") not in ("optimal", "feasible", "greedy-fallback"):
        errors.append(f"stats.status {stats.get('status')!r} is unknown")
    reasons = stats.get("unscheduled_reasons", {})
    if set(reasons) != set(schedule["unscheduled"]):
        errors.append("stats.unscheduled_reasons does not name exactly the unscheduled meetings")
    elif not all(isinstance(text, str) and text for text in reasons.values()):
        errors.append("an unscheduled meeting has an empty reason")
    return errors
