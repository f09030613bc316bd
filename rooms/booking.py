"""Booking meetings into slots and places: on acceptance, or a whole schedule at once.

The database's unique constraints (a person, or a table, once per slot) decide every race; the
code here only looks for a free slot and table, and maps a clash to a clear MeetingError.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from rooms import queries
from rooms.errors import MeetingError
from rooms.models import (
    Meeting,
    MeetingAttendee,
    MeetingMode,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    Slot,
)
from server.fairs.models import Fair, Participant
from server.i18n import gettext as _

TABLE_ATTEMPTS = 5  # a lost race for a table (not for a person) is retried on the next table


async def lock_people(db: AsyncSession, people: list[Participant]) -> None:
    """Serialise bookings per person until commit, so that caps hold under concurrent accepts.

    Unique constraints stop double booking of a slot, but a cap counts meetings in *different*
    slots; on PostgreSQL the row locks (taken in id order, so two bookings cannot deadlock) make
    the second booking count after the first commits. SQLite's BEGIN IMMEDIATE already
    serialises writers, and SQLAlchemy renders no FOR UPDATE there.
    """
    ids = sorted(person.id for person in people)
    await db.execute(
        select(Participant.id)
        .where(Participant.id.in_(ids))
        .order_by(Participant.id)
        .with_for_update()
    )


async def lock_requests(db: AsyncSession, request_ids: list[int]) -> None:
    """Serialise placing and cancelling a request until commit (PostgreSQL row locks).

    Publishing reads a request as accepted and books its meeting while its sender may be
    cancelling it: without the lock, the cancel saw no meeting yet and the publish did not see
    the cancel, leaving a scheduled meeting on a cancelled request. Taken in id order, so two
    publishes cannot deadlock; SQLite's BEGIN IMMEDIATE already serialises the writers.
    """
    if request_ids:
        await db.execute(
            select(MeetingRequest.id)
            .where(MeetingRequest.id.in_(sorted(set(request_ids))))
            .order_by(MeetingRequest.id)
            .with_for_update()
        )


async def check_cap(db: AsyncSession, fair: Fair, person: Participant, me: Participant) -> None:
    """Refuse when `person` has no meeting left under their cap."""
    cap = await queries.cap_of(db, fair, person)
    if cap is not None and await queries.active_meeting_count(db, person.id) >= cap:
        if person.id == me.id:
            raise MeetingError(_("You have reached your limit of %(num)d meetings.", num=cap))
        raise MeetingError(_("The other side has reached their limit of meetings."))


async def book(
    db: AsyncSession,
    fair: Fair,
    request: MeetingRequest | None,
    people: list[Participant],
    slot: Slot,
    table_number: int | None,
    video_number: int | None = None,
) -> Meeting:
    """Insert the meeting and its attendees inside a savepoint; IntegrityError on a clash."""
    mode = MeetingMode.ONSITE if table_number is not None else MeetingMode.VIDEO
    firms = {p.id: await queries.firm_id_of(db, p) for p in people}
    async with db.begin_nested():
        meeting = Meeting(
            fair_id=fair.id,
            request_id=request.id if request else None,
            slot=slot,
            active_slot_id=slot.id,
            status=MeetingStatus.SCHEDULED,
            mode=mode,
            table_number=table_number,
            video_room=None if table_number is not None else "vr-" + secrets.token_urlsafe(12),
            video_number=None if table_number is not None else video_number,
        )
        meeting.attendees = [
            MeetingAttendee(
                fair_id=fair.id,
                participant_id=p.id,
                firm_id=firms[p.id],
                slot_id=slot.id,
                active_slot_id=slot.id,
            )
            for p in people
        ]
        db.add(meeting)
    return meeting


async def _first_free_table(db: AsyncSession, fair: Fair, slot: Slot) -> int | None:
    used = await queries.tables_in_use(db, slot.id)
    tables = (await queries.settings_for(db, fair)).tables
    return next((n for n in range(1, tables + 1) if n not in used), None)


async def first_free_video_room(db: AsyncSession, fair: Fair, slot: Slot) -> int | None:
    """The lowest video room number free in the slot, within the fair's limit (if any)."""
    used = await queries.video_rooms_in_use(db, slot.id)
    limit = (await queries.settings_for(db, fair)).video_rooms
    candidates = range(1, (limit if limit is not None else len(used) + 1) + 1)
    return next((n for n in candidates if n not in used), None)


async def book_slot(
    db: AsyncSession,
    fair: Fair,
    request: MeetingRequest | None,
    people: list[Participant],
    slot_id: int | None,
    now: datetime,
) -> Meeting:
    """Book the chosen (or first) slot free for all `people`; a clash answers with free slots."""
    for _attempt in range(TABLE_ATTEMPTS):
        free = await queries.free_common_slots(db, fair, people, now)
        if not free:
            raise MeetingError(_("There is no slot left that both sides have free."), "slot")
        slot = free[0] if slot_id is None else next((s for s in free if s.id == slot_id), None)
        if slot is None:
            raise MeetingError(
                _("That slot was just taken. Choose one of the next free ones."), "slot", free[:5]
            )
        table = video = None
        if queries.place_mode(people) == MeetingMode.ONSITE:
            table = await _first_free_table(db, fair, slot)
        else:
            video = await first_free_video_room(db, fair, slot)
        if table is None and video is None:  # filled up since free_common_slots looked
            continue
        try:
            return await book(db, fair, request, people, slot, table, video)
        except IntegrityError:
            continue  # someone took the slot or the table: look again
    free = await queries.free_common_slots(db, fair, people, now)
    raise MeetingError(
        _("That slot was just taken. Choose one of the next free ones."), "slot", free[:5]
    )


async def place_meetings(
    db: AsyncSession, fair: Fair, assignments: Sequence[tuple[int, int, int | None]]
) -> list[Meeting]:
    """Book accepted requests into (request id, slot id, table number or None for video), all
    or nothing: one clash (unknown id, request not accepted-unscheduled, double booking, a
    table past the fair's count) raises MeetingError and writes nothing."""
    settings = await queries.settings_for(db, fair)
    placed: list[Meeting] = []
    await lock_requests(db, [request_id for request_id, _slot, _table in assignments])
    async with db.begin_nested():
        for request_id, slot_id, table_number in assignments:
            request = await db.scalar(
                select(MeetingRequest)
                .where(MeetingRequest.id == request_id, MeetingRequest.fair_id == fair.id)
                .options(selectinload(MeetingRequest.meeting))
                .execution_options(populate_existing=True)  # as it is now, under the lock
            )
            if request is None or request.status != RequestStatus.ACCEPTED:
                raise MeetingError(
                    _("Request %(id)d is not an accepted request of this fair.", id=request_id)
                )
            if request.meeting is not None and request.meeting.status != MeetingStatus.CANCELLED:
                raise MeetingError(_("Request %(id)d already has a meeting.", id=request_id))
            slot = await db.scalar(select(Slot).where(Slot.id == slot_id, Slot.fair_id == fair.id))
            if slot is None:
                raise MeetingError(_("Slot %(id)d is not a slot of this fair.", id=slot_id))
            if table_number is not None and not 1 <= table_number <= settings.tables:
                raise MeetingError(_("Table %(num)d does not exist.", num=table_number))
            people = [
                await db.get(Participant, request.sender_id),
                await db.get(Participant, request.recipient_id),
            ]
            video = None
            if table_number is None:
                video = await first_free_video_room(db, fair, slot)
                if video is None:
                    raise MeetingError(
                        _("No video room is free for request %(id)d in its slot.", id=request_id)
                    )
            try:
                placed.append(await book(db, fair, request, people, slot, table_number, video))
            except IntegrityError as exc:
                raise MeetingError(
                    _("Request %(id)d clashes with another meeting in its slot.", id=request_id)
                ) from exc
    return placed
