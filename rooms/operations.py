"""Meeting actions: ask, accept (and book), decline, cancel, expire, remind, place.

Callers run the competing ones (accept, place) in `Database.session()`, commit, and then
send the notices returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from rooms import booking, notices, queries
from rooms.errors import MeetingError, NotFound
from rooms.models import (
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    MeetingStatus,
    RequestStatus,
    Slot,
)
from rooms.notices import Notice
from rooms.pairs import pair_key
from server.db import utcnow
from server.fairs.models import BookingMode, Fair, Participant
from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language
from server.i18n import gettext as _
from server.identity.models import Firm, User

MESSAGE_MAX = 2000
REASON_MAX = 500


@dataclass
class Outcome:
    request: MeetingRequest | None = None
    meeting: Meeting | None = None
    notices: list[Notice] = field(default_factory=list)


async def _firm_name(db: AsyncSession, firm_id: int | None, fallback: str = "") -> str:
    if firm_id is None:
        return fallback
    return await db.scalar(select(Firm.name).where(Firm.id == firm_id)) or fallback


def _notice(user: User, kind: str, fair: Fair, firm: str, place: str = "", **extra) -> Notice:
    text = notices.in_language(user.language, kind, firm, place)
    return Notice(user.id, kind, {"fair": fair.slug, "text": text, **extra})


async def _sender_side_users(db: AsyncSession, request: MeetingRequest) -> list[User]:
    sender = await db.get(User, request.sender.user_id)
    return [sender] if sender else []


async def _recipient_side_users(
    db: AsyncSession, fair: Fair, request: MeetingRequest
) -> list[User]:
    if request.recipient_id is not None and request.recipient is not None:
        return [await db.get(User, request.recipient.user_id)]
    return [p.user for p in await queries.firm_staff(db, fair, request.recipient_firm_id)]


async def send_request(
    db: AsyncSession, fair: Fair, me: Participant, firm_id: int, message: str, now=None
) -> Outcome:
    """Ask a firm of the fair for a meeting; its staff are told."""
    now = now or utcnow()
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise MeetingError(_("Use at most %(max)d characters.", max=MESSAGE_MAX), "message")
    if me.role not in queries.MEETING_ROLES:
        raise MeetingError(_("Only exhibitors and buyers ask for meetings."))
    staff = await queries.firm_staff(db, fair, firm_id)
    if not staff:
        raise MeetingError(_("Choose a firm that takes part in this fair."), "firm")
    my_firm_id = await queries.firm_id_of(db, me)
    if my_firm_id == firm_id:
        raise MeetingError(_("You cannot ask your own firm for a meeting."), "firm")
    firm_name = await _firm_name(db, firm_id)
    key = pair_key(me.id, my_firm_id, firm_id)
    duplicate = _(
        "You already have an open request with %(firm)s: answer or cancel it first.",
        firm=firm_name,
    )
    if open_id := await db.scalar(
        select(MeetingRequest.id).where(
            MeetingRequest.fair_id == fair.id, MeetingRequest.open_pair == key
        )
    ):
        # not the firm's fault: the request is there already, and the page links to it
        raise MeetingError(duplicate, open_request=open_id)
    settings = await queries.settings_for(db, fair)
    request = MeetingRequest(
        fair_id=fair.id,
        sender_id=me.id,
        sender_firm_id=my_firm_id,
        recipient_firm_id=firm_id,
        message=message,
        status=RequestStatus.PENDING,
        reason="",
        open_pair=key,
        created_at=now,
        expires_at=now + timedelta(hours=settings.request_expiry_hours),
    )
    try:
        async with db.begin_nested():
            db.add(request)
    except IntegrityError as exc:  # two requests between the same pair, at the same moment
        raise MeetingError(duplicate) from exc
    sender_user = await db.get(User, me.user_id)
    sender_firm = await _firm_name(db, my_firm_id, sender_user.name)
    return Outcome(
        request,
        notices=[
            _notice(p.user, notices.NEW_REQUEST, fair, sender_firm, request=request.id)
            for p in staff
        ],
    )


async def _answerable(
    db: AsyncSession, fair: Fair, me: Participant, request_id: int, now: datetime
) -> MeetingRequest:
    """A pending request addressed to my firm; NotFound unless I may see it at all."""
    request = await queries.request_for(db, fair, me, request_id)
    if request is None:
        raise NotFound()
    my_firm_id = await queries.firm_id_of(db, me)
    if my_firm_id is None or request.recipient_firm_id != my_firm_id:
        raise MeetingError(_("Only the firm the request was sent to can answer it."))
    _check_pending(request, now)
    return request


def _check_pending(request: MeetingRequest, now: datetime) -> None:
    if request.status == RequestStatus.PENDING and request.expires_at <= now:
        raise MeetingError(_("This request has expired."))
    if request.status != RequestStatus.PENDING:
        raise MeetingError(_("This request was already answered or withdrawn."))


async def _claim(
    db: AsyncSession, request: MeetingRequest, status: RequestStatus, now: datetime, **values
) -> None:
    """Move a pending request on, only if nobody else did meanwhile."""
    result = await db.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == request.id, MeetingRequest.status == RequestStatus.PENDING)
        .values(
            status=status,
            answered_at=now,
            open_pair=request.open_pair if status == RequestStatus.ACCEPTED else None,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, result).rowcount != 1:
        raise MeetingError(_("This request was already answered or withdrawn."))
    await db.refresh(request)


async def accept_request(
    db: AsyncSession,
    fair: Fair,
    me: Participant,
    request_id: int,
    slot_id: int | None = None,
    now=None,
) -> Outcome:
    """Accept a request to my firm; on-acceptance fairs book a slot and a place at once."""
    now = now or utcnow()
    request = await _answerable(db, fair, me, request_id, now)
    sender = request.sender
    meeting = None
    if fair.booking_mode == BookingMode.ON_ACCEPTANCE:
        await booking.lock_people(db, [sender, me])
        await booking.check_cap(db, fair, me, me)
        await booking.check_cap(db, fair, sender, me)
        meeting = await booking.book_slot(db, fair, request, [sender, me], slot_id, now)
    await _claim(db, request, RequestStatus.ACCEPTED, now, recipient_id=me.id)
    my_firm = await _firm_name(db, request.recipient_firm_id)
    extra: dict[str, Any] = {"request": request.id}
    place = ""
    if meeting is not None:
        extra |= {"meeting": meeting.id, "starts_at": meeting.slot.starts_at.isoformat()}
        place = notices.place_label(meeting.table_number)
    told = [
        _notice(user, notices.ACCEPTED, fair, my_firm, place, **extra)
        for user in await _sender_side_users(db, request)
    ]
    return Outcome(request, meeting, told)


async def decline_request(
    db: AsyncSession, fair: Fair, me: Participant, request_id: int, reason: str, now=None
) -> Outcome:
    """Decline a request to my firm, with a reason the sender sees."""
    now = now or utcnow()
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise MeetingError(_("Use at most %(max)d characters.", max=REASON_MAX), "reason")
    request = await _answerable(db, fair, me, request_id, now)
    await _claim(
        db,
        request,
        RequestStatus.DECLINED,
        now,
        recipient_id=me.id,
        reason=reason,
        closed_by_id=me.id,
    )
    my_firm = await _firm_name(db, request.recipient_firm_id)
    told = [
        _notice(user, notices.DECLINED, fair, my_firm, request=request.id, reason=reason)
        for user in await _sender_side_users(db, request)
    ]
    return Outcome(request, notices=told)


async def cancel_request(
    db: AsyncSession, fair: Fair, me: Participant, request_id: int, reason: str = "", now=None
) -> Outcome:
    """Withdraw a pending request I sent, or call off an accepted one (and its meeting)."""
    now = now or utcnow()
    reason = reason.strip()[:REASON_MAX]
    # Under the lock, a publish placing this request has either committed its meeting (seen
    # below, and freed) or waits until the cancel commits (and then skips the request).
    await booking.lock_requests(db, [request_id])
    request = await queries.request_for(db, fair, me, request_id)
    if request is None:
        raise NotFound()
    my_firm_id = await queries.firm_id_of(db, me)
    on_sender_side = request.sender_id == me.id or (
        my_firm_id is not None and request.sender_firm_id == my_firm_id
    )
    if request.status == RequestStatus.PENDING and not on_sender_side:
        raise MeetingError(_("Decline the request instead: only its sender can withdraw it."))
    if request.status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise MeetingError(_("This request is already closed."))
    meeting = request.meeting
    if meeting is not None and meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError(_("This meeting has already taken place."))
    result = await db.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == request.id, MeetingRequest.status == request.status)
        .values(status=RequestStatus.CANCELLED, open_pair=None, reason=reason, closed_by_id=me.id)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult, result).rowcount != 1:
        raise MeetingError(_("This request was already answered or withdrawn."))
    if meeting is not None:
        await _free_meeting(db, meeting, now)
    await db.refresh(request)
    if on_sender_side:
        name = await _firm_name(db, request.sender_firm_id, request.sender.user.name)
        others = await _recipient_side_users(db, fair, request)
    else:
        name = await _firm_name(db, request.recipient_firm_id)
        others = await _sender_side_users(db, request)
    extra: dict[str, Any] = {"request": request.id} | ({"meeting": meeting.id} if meeting else {})
    told = [_notice(user, notices.CANCELLED, fair, name, **extra) for user in others]
    return Outcome(request, meeting, told)


async def _free_meeting(db: AsyncSession, meeting: Meeting, now: datetime) -> None:
    """Cancel a meeting: its slot, its table and its attendees' slots become free again."""
    await db.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(status=MeetingStatus.CANCELLED, active_slot_id=None, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    await db.execute(
        update(MeetingAttendee)
        .where(MeetingAttendee.meeting_id == meeting.id)
        .values(active_slot_id=None)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(meeting)


async def cancel_meeting(
    db: AsyncSession, fair: Fair, me: Participant, meeting_id: int, reason: str = "", now=None
) -> Outcome:
    """Call off a meeting I attend; the other side is told and the slot is free again."""
    meeting = await queries.meeting_for(db, fair, me, meeting_id)
    if meeting is None:
        raise NotFound()
    if meeting.request_id is not None:
        return await cancel_request(db, fair, me, meeting.request_id, reason, now)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError(_("This meeting can no longer be cancelled."))
    await _free_meeting(db, meeting, now or utcnow())
    return Outcome(meeting=meeting)


async def expire_requests(db: AsyncSession, now: datetime) -> list[Notice]:
    """Close every pending request past its expiry; each is claimed once, whoever runs this."""
    due = await db.scalars(
        select(MeetingRequest.id).where(
            MeetingRequest.status == RequestStatus.PENDING, MeetingRequest.expires_at <= now
        )
    )
    told: list[Notice] = []
    for request_id in list(due):
        result = await db.execute(
            update(MeetingRequest)
            .where(MeetingRequest.id == request_id, MeetingRequest.status == RequestStatus.PENDING)
            .values(status=RequestStatus.EXPIRED, open_pair=None)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult, result).rowcount != 1:
            continue  # another runner got it
        request = await db.scalar(
            select(MeetingRequest)
            .where(MeetingRequest.id == request_id)
            .options(selectinload(MeetingRequest.sender).selectinload(Participant.user))
        )
        fair = await db.get(Fair, request.fair_id)
        firm = await _firm_name(db, request.recipient_firm_id)
        told.append(_notice(request.sender.user, notices.EXPIRED, fair, firm, request=request.id))
    return told


async def remind_meetings(db: AsyncSession, now: datetime, lead_minutes: int = 5) -> list[Notice]:
    """Tell attendees of meetings starting within `lead_minutes`; each meeting once."""
    due = await db.scalars(
        select(Meeting.id)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.reminded_at.is_(None),
            Slot.starts_at > now,
            Slot.starts_at <= now + timedelta(minutes=lead_minutes),
        )
    )
    told: list[Notice] = []
    for meeting_id in list(due):
        result = await db.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id, Meeting.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult, result).rowcount != 1:
            continue
        meeting = await db.scalar(
            select(Meeting).where(Meeting.id == meeting_id).options(*queries.meeting_with_people())
        )
        fair = await db.get(Fair, meeting.fair_id)
        for attendee in meeting.attendees:
            others = [a for a in meeting.attendees if a.id != attendee.id]
            firm = ", ".join(a.firm.name if a.firm else a.participant.user.name for a in others)
            user = attendee.participant.user
            place = _place_in(user.language, meeting.table_number)
            told.append(
                _notice(
                    user,
                    notices.STARTING,
                    fair,
                    firm,
                    place,
                    meeting=meeting.id,
                    starts_at=meeting.slot.starts_at.isoformat(),
                    # a video meeting's room opens now: the notice links to it
                    room=meeting.video_room,
                )
            )
    return told


def _place_in(language: str, table_number: int | None) -> str:
    token = current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        return notices.place_label(table_number)
    finally:
        current_language.reset(token)
