"""Publishing a run's preview: every proposed meeting booked, all or nothing, and both sides
told; refused as stale when the requests or agendas changed since the run."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rooms import booking, notices, queries
from rooms.errors import MeetingError
from rooms.models import (
    ACTIVE_RUN,
    Meeting,
    MeetingRequest,
    RequestStatus,
    RunStatus,
)
from rooms.notices import Notice
from rooms.optimising import instance, runs, tables
from rooms.scheduling import validate_schedule
from rooms.scheduling.validate import recompute_stats
from server.db import utcnow
from server.fairs.models import Fair
from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language
from server.i18n import gettext as _

SCHEDULED = "meeting_scheduled"


@dataclass
class Published:
    meetings: list[Meeting] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    skipped: list[MeetingRequest] = field(default_factory=list)  # cancelled since the run


def _stale() -> runs.RunError:
    return runs.RunError(
        _(
            "The requests or agendas changed since this run (a request was placed, or "
            "someone's availability changed). Nothing was published: run the optimiser "
            "again."
        )
    )


async def publish_run(db: AsyncSession, fair: Fair, run_id: int, now=None) -> Published:
    """Book every meeting of a preview, all or nothing, if nothing it relies on has changed."""
    now = now or utcnow()
    run = await runs.run_of(db, fair, run_id)
    if run is None:
        raise LookupError(run_id)
    if run.status in ACTIVE_RUN:
        raise runs.RunError(_("The optimiser has not finished yet."))
    if run.status != RunStatus.DONE:
        raise runs.RunError(_("This preview was already published or discarded."))
    _solved, schedule = runs.proposal(run)
    proposal = [(a.meeting, a.slot) for a in schedule.assignments if instance.is_request(a.meeting)]
    # Lock the proposed requests before reading them: a cancel now waits for this publish, or
    # has committed and is seen below (see booking.lock_requests).
    await booking.lock_requests(db, [instance.key_id(key) for key, _slot in proposal])
    current = await instance.build(db, fair, now)
    # A request cancelled since the run only frees its slot: the rest of the preview still
    # holds, and an organiser on a busy day wants it published rather than re-run (a re-run
    # takes up to a minute, during which more requests may be cancelled). Anything else that
    # changed may clash with the preview, so it is refused as stale.
    cancelled = await _cancelled_since(
        db, fair, [instance.key_id(k) for k, _slot in proposal if k not in current.requests]
    )
    proposal = [(k, slot) for k, slot in proposal if instance.key_id(k) not in cancelled]
    if any(key not in current.requests for key, _slot in proposal):
        raise _stale()
    # Check the proposal against today's agenda with the independent validator.
    parsed = current.parsed
    rows = [
        (m.id, instance.key_id(m.fixed_slot), parsed.at_table(m.id))
        for m in parsed.meetings
        if m.id in current.fixed and m.fixed_slot is not None
    ] + [(key, instance.key_id(slot), parsed.at_table(key)) for key, slot in proposal]
    numbered = tables.number(rows, current.tables_in_use, current.fixed_tables)
    assignments = [
        {"meeting": key, "slot": f"s{slot_id}", "table": table} for key, slot_id, table in numbered
    ]
    placed_keys = {row["meeting"] for row in assignments}
    unscheduled = [m.id for m in parsed.meetings if m.id not in placed_keys]
    check = {
        "assignments": assignments,
        "unscheduled": unscheduled,
        "stats": recompute_stats(parsed, assignments)
        | {
            "upper_bound": len(parsed.meetings),
            "status": "feasible",
            "unscheduled_reasons": {key: "waiting" for key in unscheduled},
        },
    }
    if validate_schedule(parsed, check):
        raise _stale()
    wanted = [
        (current.requests[key], slot_id, table)
        for key, slot_id, table in numbered
        if key in current.requests
    ]
    try:
        placed = await booking.place_meetings(db, fair, wanted)
    except MeetingError:
        raise _stale() from None
    if not await runs.advance(db, run.id, [RunStatus.DONE], status=RunStatus.PUBLISHED):
        raise runs.RunError(_("This preview was already published or discarded."))
    skipped = [cancelled[request_id] for request_id in sorted(cancelled)]
    return Published(placed, await _scheduled_notices(db, fair, placed), skipped)


async def _cancelled_since(
    db: AsyncSession, fair: Fair, request_ids: list[int]
) -> dict[int, MeetingRequest]:
    """Those of the fair's requests that are cancelled now, by id."""
    if not request_ids:
        return {}
    rows = await db.scalars(
        select(MeetingRequest).where(
            MeetingRequest.id.in_(request_ids),
            MeetingRequest.fair_id == fair.id,
            MeetingRequest.status == RequestStatus.CANCELLED,
        )
    )
    return {row.id: row for row in rows}


async def _scheduled_notices(db: AsyncSession, fair: Fair, placed: list[Meeting]) -> list[Notice]:
    """Tell both sides of every new meeting when and where it is."""
    if not placed:
        return []
    meetings = await db.scalars(
        select(Meeting)
        .where(Meeting.id.in_([m.id for m in placed]))
        .options(*queries.meeting_with_people())
        .execution_options(populate_existing=True)
    )
    told = []
    for meeting in meetings:
        for attendee in meeting.attendees:
            user = attendee.participant.user
            others = ", ".join(
                a.firm.name if a.firm else a.participant.user.name
                for a in meeting.attendees
                if a.id != attendee.id
            )
            token = current_language.set(
                user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE
            )
            try:
                text = _(
                    "Your meeting with %(firm)s is scheduled (%(place)s).",
                    firm=others,
                    place=notices.place_label(meeting.table_number),
                )
            finally:
                current_language.reset(token)
            payload = {
                "fair": fair.slug,
                "text": text,
                "meeting": meeting.id,
                "starts_at": meeting.slot.starts_at.isoformat(),
            }
            told.append(Notice(user.id, SCHEDULED, payload))
    return told
