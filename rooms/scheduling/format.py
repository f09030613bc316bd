"""The scheduler's JSON interchange format: parse and check an instance, serialise a schedule."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

MIN_PARTICIPANTS = 2
MAX_PARTICIPANTS = 6
MODES = ("onsite", "online")


class ValidationError(ValueError):
    """A malformed instance; `path` names the bad field, e.g. `meetings[3].participants[1]`."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Slot:
    """One time slot of the agenda; `session` names the contiguous block it belongs to."""

    id: str
    session: str
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Participant:
    """A person who meets: on site at a table or online by video."""

    id: str
    mode: str
    unavailable: frozenset[str] = frozenset()
    max_meetings: int | None = None


@dataclass(frozen=True)
class Meeting:
    """A requested meeting between 2 to 6 participants."""

    id: str
    participants: tuple[str, ...]
    session: str | None = None
    weight: float = 1.0
    fixed_slot: str | None = None


@dataclass(frozen=True)
class Instance:
    """A scheduling problem: slots in time order, capacities, participants and meetings."""

    slots: tuple[Slot, ...]
    tables: int
    video_rooms: int | None
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]

    # Worked out once per instance: a page over thousands of meetings asks for each of them.
    @cached_property
    def participants_by_id(self) -> dict[str, Participant]:
        """Participants by id."""
        return {p.id: p for p in self.participants}

    @cached_property
    def meetings_by_id(self) -> dict[str, Meeting]:
        """Meetings by id."""
        return {m.id: m for m in self.meetings}

    def at_table(self, meeting_id: str) -> bool:
        """Whether the meeting needs a table: everyone in it is on site."""
        people = self.participants_by_id
        return all(people[p].mode == "onsite" for p in self.meetings_by_id[meeting_id].participants)


@dataclass(frozen=True)
class Assignment:
    """A placed meeting: its slot and its table (None when held in a video room)."""

    meeting: str
    slot: str
    table: int | None


@dataclass
class Schedule:
    """The answer: placed meetings, unplaced meetings and figures about the result."""

    assignments: list[Assignment]
    unscheduled: list[str]
    stats: dict[str, Any] = field(default_factory=dict)


def _get(
    obj: dict[str, Any],
    key: str,
    path: str,
    kind: type | tuple[type, ...],
    what: str,
    *,
    required: bool = True,
    nullable: bool = False,
) -> Any:
    """Return obj[key] checked against `kind`, raising ValidationError naming the field."""
    where = f"{path}.{key}" if path else key
    if key not in obj:
        if required:
            raise ValidationError(where, "missing")
        return None
    value = obj[key]
    if value is None and nullable:
        return None
    # bool is a subclass of int in Python, but `true` is never a valid count or weight.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ValidationError(where, f"must be {what}, not {json.dumps(value)}")
    if not isinstance(value, kind):
        raise ValidationError(where, f"must be {what}, not {json.dumps(value)[:40]}")
    return value


def _object(value: Any, path: str) -> dict[str, Any]:
    """Return value if it is a JSON object, else raise naming the path."""
    if not isinstance(value, dict):
        raise ValidationError(path, "must be an object")
    return value


def _time(obj: dict[str, Any], key: str, path: str) -> datetime | None:
    """Parse an optional ISO 8601 time; only its syntax is checked, order comes from the list."""
    text = _get(obj, key, path, str, "an ISO 8601 time", required=False, nullable=True)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{path}.{key}", f"not an ISO 8601 time: {text!r}") from None


def _parse_slots(data: dict[str, Any]) -> tuple[Slot, ...]:
    """Parse the slots and check that each session label names one contiguous run."""
    slots: list[Slot] = []
    seen: set[str] = set()
    closed: set[str] = set()
    for i, raw in enumerate(_get(data, "slots", "", list, "a list")):
        path = f"slots[{i}]"
        obj = _object(raw, path)
        slot_id = _get(obj, "id", path, str, "a string")
        if slot_id in seen:
            raise ValidationError(f"{path}.id", f"duplicate slot id {slot_id!r}")
        seen.add(slot_id)
        session = _get(obj, "session", path, str, "a string")
        if slots and slots[-1].session != session:
            closed.add(slots[-1].session)
        if session in closed:
            raise ValidationError(
                f"{path}.session",
                f"session {session!r} is not contiguous: it resumes after "
                f"another session; give each block its own label",
            )
        slots.append(Slot(slot_id, session, _time(obj, "start", path), _time(obj, "end", path)))
    return tuple(slots)


def _parse_participants(data: dict[str, Any], slot_ids: set[str]) -> tuple[Participant, ...]:
    """Parse the participants, checking modes, unavailable slots and caps."""
    result: list[Participant] = []
    seen: set[str] = set()
    for i, raw in enumerate(_get(data, "participants", "", list, "a list")):
        path = f"participants[{i}]"
        obj = _object(raw, path)
        pid = _get(obj, "id", path, str, "a string")
        if pid in seen:
            raise ValidationError(f"{path}.id", f"duplicate participant id {pid!r}")
        seen.add(pid)
        mode = _get(obj, "mode", path, str, "a string")
        if mode not in MODES:
            raise ValidationError(f"{path}.mode", f"must be 'onsite' or 'online', not {mode!r}")
        unavailable = _get(obj, "unavailable", path, list, "a list of slot ids", required=False)
        for j, sid in enumerate(unavailable or []):
            if not isinstance(sid, str):
                raise ValidationError(f"{path}.unavailable[{j}]", "must be a slot id string")
            if sid not in slot_ids:
                raise ValidationError(f"{path}.unavailable[{j}]", f"unknown slot {sid!r}")
        cap = _get(
            obj, "max_meetings", path, int, "an integer or null", required=False, nullable=True
        )
        if cap is not None and cap < 0:
            raise ValidationError(f"{path}.max_meetings", f"must not be negative, not {cap}")
        result.append(Participant(pid, mode, frozenset(unavailable or []), cap))
    return tuple(result)


def _parse_meeting(
    obj: dict[str, Any],
    path: str,
    participant_ids: set[str],
    slot_ids: set[str],
    sessions: set[str],
) -> Meeting:
    """Parse one meeting, checking its participants, session, weight and fixed slot."""
    members = _get(obj, "participants", path, list, "a list of participant ids")
    if not MIN_PARTICIPANTS <= len(members) <= MAX_PARTICIPANTS:
        raise ValidationError(
            f"{path}.participants",
            f"a meeting has {MIN_PARTICIPANTS} to {MAX_PARTICIPANTS} participants, not "
            f"{len(members)}",
        )
    for j, pid in enumerate(members):
        where = f"{path}.participants[{j}]"
        if not isinstance(pid, str):
            raise ValidationError(where, "must be a participant id string")
        if pid not in participant_ids:
            raise ValidationError(where, f"unknown participant {pid!r}")
        if pid in members[:j]:
            raise ValidationError(where, f"participant {pid!r} is listed twice")
    session = _get(
        obj, "session", path, str, "a session label or null", required=False, nullable=True
    )
    if session is not None and session not in sessions:
        raise ValidationError(f"{path}.session", f"unknown session {session!r}")
    weight = _get(obj, "weight", path, (int, float), "a number", required=False)
    if weight is None:
        weight = 1.0
    if not math.isfinite(weight) or weight <= 0:
        raise ValidationError(f"{path}.weight", f"must be a positive number, not {weight}")
    fixed = _get(obj, "fixed_slot", path, str, "a slot id or null", required=False, nullable=True)
    if fixed is not None and fixed not in slot_ids:
        raise ValidationError(f"{path}.fixed_slot", f"unknown slot {fixed!r}")
    return Meeting(
        _get(obj, "id", path, str, "a string"), tuple(members), session, float(weight), fixed
    )


def parse_instance(data: Any) -> Instance:
    """Build an Instance from decoded JSON, raising ValidationError naming the bad field."""
    data = _object(data, "instance")
    slots = _parse_slots(data)
    slot_ids = {s.id for s in slots}
    tables = _get(data, "tables", "", int, "an integer")
    if tables < 0:
        raise ValidationError("tables", f"must not be negative, not {tables}")
    video_rooms = _get(data, "video_rooms", "", int, "an integer or null", nullable=True)
    if video_rooms is not None and video_rooms < 0:
        raise ValidationError("video_rooms", f"must not be negative, not {video_rooms}")
    participants = _parse_participants(data, slot_ids)
    participant_ids = {p.id for p in participants}
    sessions = {s.session for s in slots}
    meetings: list[Meeting] = []
    seen: set[str] = set()
    for i, raw in enumerate(_get(data, "meetings", "", list, "a list")):
        path = f"meetings[{i}]"
        meeting = _parse_meeting(_object(raw, path), path, participant_ids, slot_ids, sessions)
        if meeting.id in seen:
            raise ValidationError(f"{path}.id", f"duplicate meeting id {meeting.id!r}")
        seen.add(meeting.id)
        meetings.append(meeting)
    return Instance(slots, tables, video_rooms, participants, tuple(meetings))


def load_instance(text: str | bytes) -> Instance:
    """Decode and parse an instance from JSON text."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("instance", f"not valid JSON: {exc}") from None
    return parse_instance(data)


def parse_schedule(data: Any) -> Schedule:
    """Build a Schedule from decoded JSON (as `schedule_to_dict` writes it), raising
    ValidationError naming the bad field."""
    data = _object(data, "schedule")
    assignments = []
    for i, raw in enumerate(_get(data, "assignments", "", list, "a list")):
        path = f"assignments[{i}]"
        obj = _object(raw, path)
        assignments.append(
            Assignment(
                _get(obj, "meeting", path, str, "a meeting id"),
                _get(obj, "slot", path, str, "a slot id"),
                _get(obj, "table", path, int, "a table number or null", nullable=True),
            )
        )
    unscheduled = _get(data, "unscheduled", "", list, "a list of meeting ids", required=False)
    for j, meeting_id in enumerate(unscheduled or []):
        if not isinstance(meeting_id, str):
            raise ValidationError(f"unscheduled[{j}]", "must be a meeting id string")
    stats = _get(data, "stats", "", dict, "an object", required=False)
    return Schedule(assignments, list(unscheduled or []), dict(stats or {}))


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """Return the schedule as plain JSON-ready data."""
    return {
        "assignments": [
            {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in schedule.assignments
        ],
        "unscheduled": list(schedule.unscheduled),
        "stats": dict(schedule.stats),
    }


def dump_schedule(schedule: Schedule) -> str:
    """Serialise the schedule as indented JSON text."""
    return json.dumps(schedule_to_dict(schedule), indent=2, ensure_ascii=False)
