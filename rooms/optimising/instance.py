"""A fair's accepted, unscheduled requests as a scheduling instance, with the ids both ways.

Ids in the instance carry the database ids: slot `s12`, participant `p7`, request `r40` (to be
placed) and existing meeting `m9` (fixed in its slot, so that its people, table and slot count).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from rooms import queries
from rooms.models import Meeting, MeetingAttendee, MeetingStatus, Slot, UnavailableSlot
from rooms.scheduling import Instance, parse_instance
from server.db import utcnow
from server.fairs.models import Attendance, Fair, Participant

# An existing meeting outweighs any number of new ones: the solver never drops it for them.
FIXED_WEIGHT = 1000.0


def key_id(key: str) -> int:
    """The database id inside an instance id (`r40` -> 40)."""
    return int(key[1:])


def is_request(key: str) -> bool:
    """Whether an instance meeting id stands for a request to place (not a booked meeting)."""
    return key.startswith("r")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30]


@dataclass
class Built:
    """The instance as JSON-ready data, and what the ids stand for."""

    data: dict
    requests: dict[str, int] = field(default_factory=dict)  # "r40" -> request 40
    fixed: dict[str, int] = field(default_factory=dict)  # "m9" -> meeting 9
    tables_in_use: dict[int, set[int]] = field(default_factory=dict)  # slot -> taken tables
    fixed_tables: dict[str, int | None] = field(default_factory=dict)  # "m9" -> its table

    @cached_property
    def parsed(self) -> Instance:
        """The instance as the scheduler's typed dataclasses (read once `data` is complete)."""
        return parse_instance(self.data)

    def onsite(self, meeting_key: str) -> bool:
        """Whether the meeting needs a table: everyone in it is on site."""
        return self.parsed.at_table(meeting_key)


def _labels(sessions) -> dict[int, str]:
    """Session id -> a block label such as `day1-morning`, unique in the fair."""
    days: dict = {}
    labels: dict[int, str] = {}
    used: set[str] = set()
    for session in sessions:
        day = days.setdefault(session.day, len(days) + 1)
        base = f"day{day}-{_slug(session.label) or session.starts.strftime('%H%M')}"
        label, n = base, 2
        while label in used:
            label, n = f"{base}-{n}", n + 1
        used.add(label)
        labels[session.id] = label
    return labels


async def build(db: AsyncSession, fair: Fair, now: datetime | None = None) -> Built:
    """The fair's scheduling instance: future slots, tables, the people of the accepted
    unscheduled requests and of the existing meetings, those requests, and those meetings."""
    now = now or utcnow()
    settings = await queries.settings_for(db, fair)
    sessions = await queries.sessions(db, fair)
    labels = _labels(sessions)
    slots = [
        slot for session in sessions for slot in session.slots if slot.starts_at > now
    ]  # sessions come by day and start, so the slots are in time order
    slot_ids = {slot.id for slot in slots}
    built = Built(data={})
    meetings: list[dict] = []
    people: set[int] = set()
    fixed_slot_of: dict[int, set[int]] = defaultdict(set)  # participant -> own fixed slots
    outside: dict[int, int] = defaultdict(int)  # participant -> meetings not in the instance

    existing = await db.scalars(
        select(Meeting)
        .where(
            Meeting.fair_id == fair.id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.active_slot_id.is_not(None),
        )
        .order_by(Meeting.id)
        .options(selectinload(Meeting.attendees))
    )
    for meeting in existing:
        members = sorted({a.participant_id for a in meeting.attendees})
        if meeting.slot_id not in slot_ids or len(members) < 2:
            for pid in members:
                outside[pid] += 1
            continue
        key = f"m{meeting.id}"
        built.fixed[key] = meeting.id
        built.fixed_tables[key] = meeting.table_number
        if meeting.table_number is not None:
            built.tables_in_use.setdefault(meeting.slot_id, set()).add(meeting.table_number)
        meetings.append(
            {
                "id": key,
                "participants": [f"p{pid}" for pid in members],
                "weight": FIXED_WEIGHT,
                "fixed_slot": f"s{meeting.slot_id}",
            }
        )
        people.update(members)
        for pid in members:
            fixed_slot_of[pid].add(meeting.slot_id)

    for request in await queries.accepted_unscheduled(db, fair):
        if request.recipient_id is None or request.recipient_id == request.sender_id:
            continue  # the answering person left the fair: nobody to meet
        key = f"r{request.id}"
        built.requests[key] = request.id
        meetings.append(
            {"id": key, "participants": [f"p{request.sender_id}", f"p{request.recipient_id}"]}
        )
        people.update((request.sender_id, request.recipient_id))

    participants = []
    if people:
        rows = await db.scalars(
            select(Participant).where(Participant.id.in_(people)).order_by(Participant.id)
        )
        blocked: dict[int, set[int]] = defaultdict(set)
        for participant_id, slot_id in await db.execute(
            select(UnavailableSlot.participant_id, UnavailableSlot.slot_id).where(
                UnavailableSlot.participant_id.in_(people)
            )
        ):
            blocked[participant_id].add(slot_id)
        for person in rows:
            cap = person.max_meetings if person.max_meetings is not None else settings.max_meetings
            # a slot with their own existing meeting stays theirs, whatever they marked since
            away = (blocked[person.id] & slot_ids) - fixed_slot_of[person.id]
            participants.append(
                {
                    "id": f"p{person.id}",
                    "mode": "online" if person.attendance == Attendance.ONLINE else "onsite",
                    "unavailable": [f"s{s.id}" for s in slots if s.id in away],
                    "max_meetings": None if cap is None else max(0, cap - outside[person.id]),
                }
            )
    built.data = {
        "slots": [
            {
                "id": f"s{slot.id}",
                "session": labels[slot.session_id],
                "start": slot.starts_at.isoformat(),
                "end": slot.ends_at.isoformat(),
            }
            for slot in slots
        ],
        "tables": settings.tables,
        "video_rooms": settings.video_rooms,
        "participants": participants,
        "meetings": meetings,
    }
    return built


async def tables_in_use(
    db: AsyncSession, fair: Fair, now: datetime | None = None
) -> dict[int, set[int]]:
    """The tables that booked meetings hold in the fair's future slots, as `build` counts them
    (`Built.tables_in_use`), without building the whole instance."""
    now = now or utcnow()
    met = (
        select(MeetingAttendee.meeting_id)
        .group_by(MeetingAttendee.meeting_id)
        .having(func.count(distinct(MeetingAttendee.participant_id)) >= 2)
    )
    rows = await db.execute(
        select(Meeting.slot_id, Meeting.table_number)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(
            Meeting.fair_id == fair.id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.active_slot_id.is_not(None),
            Meeting.table_number.is_not(None),
            Slot.starts_at > now,
            Meeting.id.in_(met),
        )
    )
    in_use: dict[int, set[int]] = {}
    for slot_id, table in rows:
        in_use.setdefault(slot_id, set()).add(table)
    return in_use
