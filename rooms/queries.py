"""Reads about meetings: settings, slots, free slots, requests as each side sees them, agendas."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from rooms.models import (
    AgendaSession,
    AgendaSettings,
    Meeting,
    MeetingAttendee,
    MeetingMode,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    Slot,
    UnavailableSlot,
)
from server.fairs.models import Attendance, Fair, Participant, Role
from server.fairs.queries import could_be_slug, may_see
from server.identity.models import Firm, User

MEETING_ROLES = (Role.EXHIBITOR, Role.BUYER)


async def settings_for(db: AsyncSession, fair: Fair) -> AgendaSettings:
    """The fair's agenda settings; defaults (not yet saved) when the organiser set none."""
    found = await db.scalar(select(AgendaSettings).where(AgendaSettings.fair_id == fair.id))
    if found is None:
        found = AgendaSettings(
            fair_id=fair.id,
            slot_minutes=20,
            break_minutes=0,
            tables=10,
            request_expiry_hours=72,
            room_opens_minutes=5,
            room_grace_minutes=5,
            held_minutes=3,
        )
    return found


async def sessions(db: AsyncSession, fair: Fair) -> list[AgendaSession]:
    result = await db.scalars(
        select(AgendaSession)
        .where(AgendaSession.fair_id == fair.id)
        .order_by(AgendaSession.day, AgendaSession.starts)
        .options(selectinload(AgendaSession.slots))
    )
    return list(result)


async def slots(db: AsyncSession, fair: Fair) -> list[Slot]:
    result = await db.scalars(select(Slot).where(Slot.fair_id == fair.id).order_by(Slot.starts_at))
    return list(result)


async def firm_id_of(db: AsyncSession, participant: Participant) -> int | None:
    return await db.scalar(select(User.firm_id).where(User.id == participant.user_id))


async def cap_of(db: AsyncSession, fair: Fair, participant: Participant) -> int | None:
    """How many meetings the participant may have (their own cap, else the fair's)."""
    if participant.max_meetings is not None:
        return participant.max_meetings
    return (await settings_for(db, fair)).max_meetings


async def active_meeting_count(db: AsyncSession, participant_id: int) -> int:
    return await db.scalar(
        select(func.count())
        .select_from(MeetingAttendee)
        .where(
            MeetingAttendee.participant_id == participant_id,
            MeetingAttendee.active_slot_id.is_not(None),
        )
    )


async def busy_slot_ids(db: AsyncSession, participant_ids: list[int]) -> set[int]:
    """Slots where any of these participants has a meeting or said they cannot meet."""
    booked = select(MeetingAttendee.active_slot_id.label("slot_id")).where(
        MeetingAttendee.participant_id.in_(participant_ids),
        MeetingAttendee.active_slot_id.is_not(None),
    )
    blocked = select(UnavailableSlot.slot_id.label("slot_id")).where(
        UnavailableSlot.participant_id.in_(participant_ids)
    )
    return set((await db.execute(union(booked, blocked))).scalars())


async def unavailable_slot_ids(db: AsyncSession, participant: Participant) -> set[int]:
    result = await db.scalars(
        select(UnavailableSlot.slot_id).where(UnavailableSlot.participant_id == participant.id)
    )
    return set(result)


async def tables_in_use(db: AsyncSession, slot_id: int) -> set[int]:
    result = await db.scalars(
        select(Meeting.table_number).where(
            Meeting.active_slot_id == slot_id, Meeting.table_number.is_not(None)
        )
    )
    return set(result)


async def video_rooms_in_use(db: AsyncSession, slot_id: int) -> set[int]:
    result = await db.scalars(
        select(Meeting.video_number).where(
            Meeting.active_slot_id == slot_id, Meeting.video_number.is_not(None)
        )
    )
    return set(result)


def place_mode(people: list[Participant]) -> MeetingMode:
    """A table when everyone is on site, a video room when anyone joins online."""
    if all(p.attendance == Attendance.ONSITE for p in people):
        return MeetingMode.ONSITE
    return MeetingMode.VIDEO


async def free_common_slots(
    db: AsyncSession, fair: Fair, people: list[Participant], now: datetime
) -> list[Slot]:
    """Future slots that every one of `people` has free and that have room for their meeting."""
    busy = await busy_slot_ids(db, [p.id for p in people])
    query = select(Slot).where(Slot.fair_id == fair.id, Slot.starts_at > now)
    if place_mode(people) == MeetingMode.ONSITE:
        tables = (await settings_for(db, fair)).tables
        full = (
            select(Meeting.active_slot_id)
            .where(
                Meeting.fair_id == fair.id,
                Meeting.active_slot_id.is_not(None),  # a NULL in NOT IN would hide every slot
                Meeting.table_number.is_not(None),
            )
            .group_by(Meeting.active_slot_id)
            .having(func.count() >= tables)
        )
        query = query.where(Slot.id.not_in(full))
    elif (rooms := (await settings_for(db, fair)).video_rooms) is not None:
        full = (
            select(Meeting.active_slot_id)
            .where(
                Meeting.fair_id == fair.id,
                Meeting.active_slot_id.is_not(None),
                Meeting.video_number.is_not(None),
            )
            .group_by(Meeting.active_slot_id)
            .having(func.count() >= rooms)
        )
        query = query.where(Slot.id.not_in(full))
    result = await db.scalars(query.order_by(Slot.starts_at))
    return [slot for slot in result if slot.id not in busy]


async def firms_taking_part(db: AsyncSession, fair: Fair) -> list[Firm]:
    """Firms with at least one exhibitor or buyer in the fair, by name."""
    staffed = (
        select(User.firm_id)
        .join(Participant, Participant.user_id == User.id)
        .where(Participant.fair_id == fair.id, Participant.role.in_(MEETING_ROLES))
    )
    result = await db.scalars(select(Firm).where(Firm.id.in_(staffed)).order_by(Firm.name))
    return list(result)


async def firm_staff(db: AsyncSession, fair: Fair, firm_id: int) -> list[Participant]:
    """The firm's people taking part in the fair, who may answer its requests."""
    result = await db.scalars(
        select(Participant)
        .join(User, User.id == Participant.user_id)
        .where(
            Participant.fair_id == fair.id,
            Participant.role.in_(MEETING_ROLES),
            User.firm_id == firm_id,
        )
        .options(selectinload(Participant.user))
    )
    return list(result)


def _request_options():
    return (
        selectinload(MeetingRequest.sender).selectinload(Participant.user),
        selectinload(MeetingRequest.sender_firm),
        selectinload(MeetingRequest.recipient_firm),
        selectinload(MeetingRequest.recipient).selectinload(Participant.user),
        selectinload(MeetingRequest.meeting).selectinload(Meeting.slot),
    )


def _sides(me: Participant, my_firm_id: int | None):
    """Conditions: the request was sent by me (or my firm) / addressed to my firm."""
    sent = MeetingRequest.sender_id == me.id
    if my_firm_id is not None:
        sent = or_(sent, MeetingRequest.sender_firm_id == my_firm_id)
    received = MeetingRequest.recipient_firm_id == (my_firm_id if my_firm_id is not None else -1)
    return sent, received


async def request_for(
    db: AsyncSession, fair: Fair, me: Participant, request_id: int
) -> MeetingRequest | None:
    """One request of this fair, only if the participant is on either side of it."""
    sent, received = _sides(me, await firm_id_of(db, me))
    return await db.scalar(
        select(MeetingRequest)
        .where(
            MeetingRequest.id == request_id,
            MeetingRequest.fair_id == fair.id,
            or_(sent, received),
        )
        .options(*_request_options())
        .execution_options(populate_existing=True)
    )


@dataclass
class RequestLists:
    incoming: list[MeetingRequest] = field(default_factory=list)
    outgoing: list[MeetingRequest] = field(default_factory=list)
    accepted: list[MeetingRequest] = field(default_factory=list)
    past: list[MeetingRequest] = field(default_factory=list)
    my_firm_id: int | None = None


async def requests_of(db: AsyncSession, fair: Fair, me: Participant) -> RequestLists:
    """The participant's requests: incoming and outgoing pending ones, accepted, and closed."""
    my_firm_id = await firm_id_of(db, me)
    sent, received = _sides(me, my_firm_id)
    result = await db.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.fair_id == fair.id, or_(sent, received))
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        .options(*_request_options())
    )
    lists = RequestLists(my_firm_id=my_firm_id)
    for item in result:
        if item.status == RequestStatus.PENDING:
            if my_firm_id is not None and item.recipient_firm_id == my_firm_id:
                lists.incoming.append(item)
            else:
                lists.outgoing.append(item)
        elif item.status == RequestStatus.ACCEPTED:
            lists.accepted.append(item)
        else:
            lists.past.append(item)
    return lists


def meeting_with_people():
    """Loader options for a meeting shown with its slot, request, firms and people."""
    return (
        selectinload(Meeting.slot),
        selectinload(Meeting.request),
        selectinload(Meeting.attendees).selectinload(MeetingAttendee.firm),
        selectinload(Meeting.attendees)
        .selectinload(MeetingAttendee.participant)
        .selectinload(Participant.user),
    )


async def agenda(db: AsyncSession, fair: Fair, me: Participant) -> list[Meeting]:
    """The participant's active meetings, earliest first."""
    result = await db.scalars(
        select(Meeting)
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(
            Meeting.fair_id == fair.id,
            MeetingAttendee.participant_id == me.id,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Slot.starts_at)
        .options(*meeting_with_people())
    )
    return list(result)


async def feed_meetings(db: AsyncSession, fair: Fair, participant_id: int) -> list[Meeting]:
    """Every meeting of the participant, cancelled ones included (so calendars drop them)."""
    result = await db.scalars(
        select(Meeting)
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(Meeting.fair_id == fair.id, MeetingAttendee.participant_id == participant_id)
        .order_by(Slot.starts_at)
        .options(*meeting_with_people())
    )
    return list(result)


async def feed_fair(db: AsyncSession, slug: str, participant_id: int) -> Fair | None:
    """The fair of a calendar feed, only if the participant takes part in it and may see it
    (an unpublished fair is hidden from all but its organisers, feeds included)."""
    if not could_be_slug(slug):
        return None
    row = (
        await db.execute(
            select(Fair, Participant)
            .join(Participant, Participant.fair_id == Fair.id)
            .where(Fair.slug == slug, Participant.id == participant_id)
        )
    ).first()
    if row is None or not may_see(row.Fair, row.Participant):
        return None
    return row.Fair


async def meeting_for(
    db: AsyncSession, fair: Fair, me: Participant, meeting_id: int
) -> Meeting | None:
    """One meeting of this fair, only if the participant attends it."""
    return await db.scalar(
        select(Meeting)
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .where(
            Meeting.id == meeting_id,
            Meeting.fair_id == fair.id,
            MeetingAttendee.participant_id == me.id,
        )
        .options(*meeting_with_people())
    )


async def accepted_unscheduled(db: AsyncSession, fair: Fair) -> list[MeetingRequest]:
    """Accepted requests that have no meeting yet: the optimiser's input in organiser mode."""
    result = await db.scalars(
        select(MeetingRequest)
        .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(
            MeetingRequest.fair_id == fair.id,
            MeetingRequest.status == RequestStatus.ACCEPTED,
            Meeting.id.is_(None),
        )
        .order_by(MeetingRequest.id)
        .options(*_request_options())
    )
    return list(result)


async def accepted_unscheduled_count(db: AsyncSession, fair: Fair) -> int:
    """How many accepted requests have no meeting yet (without loading them)."""
    return await db.scalar(
        select(func.count(MeetingRequest.id))
        .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(
            MeetingRequest.fair_id == fair.id,
            MeetingRequest.status == RequestStatus.ACCEPTED,
            Meeting.id.is_(None),
        )
    )


@dataclass
class Grid:
    """The organiser's view: for each slot, the meeting at each table, and the video meetings."""

    slots: list[Slot]
    tables: int
    at_table: dict[tuple[int, int], Meeting]
    video: list[Meeting]
    # the number each video meeting's room is shown by ("Video room 3"): its token is an address
    room_numbers: dict[int, int] = field(default_factory=dict)


async def grid(db: AsyncSession, fair: Fair) -> Grid:
    settings = await settings_for(db, fair)
    all_slots = await slots(db, fair)
    result = await db.scalars(
        select(Meeting)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(Meeting.fair_id == fair.id, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Slot.starts_at, Meeting.table_number)
        .options(*meeting_with_people())
    )
    at_table: dict[tuple[int, int], Meeting] = {}
    video = []
    for meeting in result:
        if meeting.table_number is not None:
            at_table[(meeting.slot_id, meeting.table_number)] = meeting
        else:
            video.append(meeting)
    tables = max([settings.tables, *(number for _, number in at_table)])
    return Grid(all_slots, tables, at_table, video, room_numbers(video))


def room_numbers(video: list[Meeting]) -> dict[int, int]:
    """Per slot, each video meeting's room number, or the lowest free one where none was kept."""
    taken: dict[int, set[int]] = {}
    for meeting in video:
        if meeting.video_number is not None:
            taken.setdefault(meeting.slot_id, set()).add(meeting.video_number)
    numbers = {}
    for meeting in sorted(video, key=lambda m: m.id):
        number = meeting.video_number
        if number is None:
            used = taken.setdefault(meeting.slot_id, set())
            number = next(n for n in range(1, len(used) + 2) if n not in used)
            used.add(number)
        numbers[meeting.id] = number
    return numbers
