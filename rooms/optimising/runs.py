"""The record of each optimiser run: start (one at a time per fair), finish, publish, discard.

A run is claimed and closed with conditional UPDATEs on its status, so a page reload, a second
click or a second server process never runs or publishes it twice.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from rooms import booking, notices
from rooms.errors import MeetingError
from rooms.models import (
    ACTIVE_RUN,
    Meeting,
    MeetingAttendee,
    MeetingRequest,
    RequestStatus,
    RunStatus,
    ScheduleRun,
)
from rooms.notices import Notice
from rooms.optimising import instance
from rooms.scheduling import parse_instance, validate_schedule
from rooms.scheduling.validate import recompute_stats
from server.db import utcnow
from server.fairs.models import Fair, Participant
from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language
from server.i18n import gettext as _
from server.identity.models import User

TIME_LIMITS = (3, 10, 20, 60)
DEFAULT_TIME_LIMIT = 20
# A run whose server process is gone is failed at once when that process was on this host; a
# run of another host's process is given up this long after its time limit.
LOST_AFTER = timedelta(minutes=3)
SCHEDULED = "meeting_scheduled"
# Stored as the error of a run that lost its server or its solver; shown in the viewer's language
STOPPED = "The optimiser stopped unexpectedly; start it again."
SHUT_DOWN = "The server stopped during the run."

_process_token: dict[int, str] = {}  # pid -> a token told apart from an earlier same pid's


def this_process() -> str:
    """This server process as a run's owner: host, pid, and a token unique to this process."""
    pid = os.getpid()
    token = _process_token.setdefault(pid, secrets.token_hex(6))
    return f"{socket.gethostname()}:{pid}:{token}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, alive
    try:  # a killed process not yet reaped by its parent is a zombie: gone for us
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc here: kill(0) is all we know


def owner_gone(owner: str) -> bool | None:
    """Whether the owning process has ended; None when this process cannot tell (another
    host, or a run from before owners were recorded)."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isascii() or not parts[1].isdigit():
        return None
    host, pid = parts[0], int(parts[1])
    if host != socket.gethostname():
        return None
    if pid == os.getpid():
        return owner != this_process()  # an earlier process that had the same pid
    return not _pid_alive(pid)


def is_lost(run: ScheduleRun, now: datetime) -> bool:
    """Whether a queued or running run has no process left to finish it."""
    if run.status not in ACTIVE_RUN:
        return False
    gone = owner_gone(run.owner or "")
    if gone is not None:
        return gone
    since = run.started_at or run.created_at
    return since + timedelta(seconds=run.time_limit) + LOST_AFTER < now


class RunError(Exception):
    """A refusal to show the organiser; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Published:
    meetings: list[Meeting] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    skipped: list[MeetingRequest] = field(default_factory=list)  # cancelled since the run


async def latest_run(db: AsyncSession, fair: Fair) -> ScheduleRun | None:
    return await db.scalar(
        select(ScheduleRun)
        .where(ScheduleRun.fair_id == fair.id)
        .order_by(ScheduleRun.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


async def run_of(db: AsyncSession, fair: Fair, run_id: int) -> ScheduleRun | None:
    """One run of this fair (another fair's id finds nothing)."""
    return await db.scalar(
        select(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.fair_id == fair.id)
        .execution_options(populate_existing=True)
    )


async def _set(db: AsyncSession, run_id: int, statuses, **values) -> bool:
    """Move a run on if it is in one of `statuses`; False when someone else got there first."""
    result = await db.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == run_id, ScheduleRun.status.in_(list(statuses)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, result).rowcount == 1


async def give_up_lost_runs(db: AsyncSession, now: datetime, fair: Fair | None = None) -> int:
    """Fail the queued or running runs (of one fair, or all) whose process is gone."""
    query = select(ScheduleRun).where(ScheduleRun.status.in_(list(ACTIVE_RUN)))
    if fair is not None:
        query = query.where(ScheduleRun.fair_id == fair.id)
    failed = 0
    for run in list(await db.scalars(query.execution_options(populate_existing=True))):
        if is_lost(run, now) and await fail_run(db, run.id, STOPPED, now):
            failed += 1
    return failed


async def start_run(
    db: AsyncSession, fair: Fair, user: User, time_limit: int, waiting: int, now=None
) -> ScheduleRun:
    """Queue a run of the optimiser; the database refuses a second one while one is under way."""
    now = now or utcnow()
    if time_limit not in TIME_LIMITS:
        raise RunError(_("Choose one of the offered time limits."))
    if waiting == 0:
        raise RunError(_("No accepted request is waiting for a slot."))
    await give_up_lost_runs(db, now, fair)
    run = ScheduleRun(
        fair_id=fair.id,
        active_fair_id=fair.id,
        status=RunStatus.QUEUED,
        started_by_id=user.id,
        time_limit=time_limit,
        created_at=now,
        error="",
        owner=this_process(),  # the caller launches it here, in this process
    )
    try:
        async with db.begin_nested():
            db.add(run)
    except IntegrityError:
        raise RunError(
            _("The optimiser is already running for this fair. Wait for its result.")
        ) from None
    return run


async def claim_run(db: AsyncSession, run_id: int, built: instance.Built, now=None) -> bool:
    """Mark a queued run running, with the instance it solves; False if it was not queued."""
    return await _set(
        db,
        run_id,
        [RunStatus.QUEUED],
        status=RunStatus.RUNNING,
        started_at=now or utcnow(),
        instance=json.dumps(built.data),
    )


def figures(built_data: dict, schedule: dict) -> dict[str, Any]:
    """What the preview shows about the requests (existing meetings left out of the counts)."""
    stats = schedule["stats"]
    requested = [m["id"] for m in built_data["meetings"] if m["id"].startswith("r")]
    fixed_kept = sum(1 for a in schedule["assignments"] if a["meeting"].startswith("m"))
    placed = sum(1 for a in schedule["assignments"] if a["meeting"].startswith("r"))
    bound = min(len(requested), max(placed, stats.get("upper_bound", placed) - fixed_kept))
    return {
        "requested": len(requested),
        "placed": placed,
        "upper_bound": bound,
        "fixed": sum(1 for m in built_data["meetings"] if m["id"].startswith("m")),
        "idle_gaps": stats.get("idle_gaps", 0),
        "solve_seconds": stats.get("solve_seconds", 0.0),
        "status": stats.get("status", "feasible"),
        "unplaced": {
            key: text
            for key, text in stats.get("unscheduled_reasons", {}).items()
            if key.startswith("r")
        },
    }


async def finish_run(db: AsyncSession, run_id: int, schedule: dict, now=None) -> bool:
    """Store the proposed schedule of a running run; the preview is ready."""
    stored = await db.scalar(select(ScheduleRun.instance).where(ScheduleRun.id == run_id))
    built_data = json.loads(stored or '{"meetings": []}')
    return await _set(
        db,
        run_id,
        [RunStatus.RUNNING],
        status=RunStatus.DONE,
        active_fair_id=None,
        finished_at=now or utcnow(),
        result=json.dumps(schedule),
        stats=json.dumps(figures(built_data, schedule)),
    )


async def fail_run(db: AsyncSession, run_id: int, error: str, now=None) -> bool:
    """Close a queued or running run as failed, freeing the fair for another run."""
    return await _set(
        db,
        run_id,
        ACTIVE_RUN,
        status=RunStatus.FAILED,
        active_fair_id=None,
        finished_at=now or utcnow(),
        error=error[:2000],
    )


async def discard_run(db: AsyncSession, fair: Fair, run_id: int) -> None:
    """Drop a preview without publishing it."""
    run = await run_of(db, fair, run_id)
    if run is None:
        raise LookupError(run_id)
    if run.status in ACTIVE_RUN:
        raise RunError(_("The optimiser has not finished yet."))
    if not await _set(db, run.id, [RunStatus.DONE], status=RunStatus.DISCARDED):
        raise RunError(_("This preview was already published or discarded."))


def _numbered(
    rows: list[tuple[str, int, bool]],
    built: instance.Built,
) -> list[tuple[str, int, int | None]]:
    """Tables for the rows (meeting key, slot id, on site): existing meetings keep theirs, new
    on-site ones take the lowest table no existing meeting holds in that slot."""
    taken: dict[int, set[int]] = defaultdict(set)
    for slot_id, tables in built.tables_in_use.items():
        taken[slot_id] |= tables
    result = []
    for key, slot_id, onsite in rows:
        table = None
        if key in built.fixed:
            table = built.fixed_tables[key] if onsite else None
            if onsite and table is None:  # booked by video, everyone on site now
                table = min(set(range(1, 10_000)) - taken[slot_id])
                taken[slot_id].add(table)
        elif onsite:
            table = min(set(range(1, 10_000)) - taken[slot_id])
            taken[slot_id].add(table)
        result.append((key, slot_id, table))
    return result


def proposed_tables(run: ScheduleRun, built: instance.Built) -> dict[str, int | None]:
    """The table each proposed meeting would get now (None: a video room)."""
    schedule = json.loads(run.result or "{}")
    onsite = {
        m["id"]: all(
            p["mode"] == "onsite"
            for p in json.loads(run.instance)["participants"]
            if p["id"] in m["participants"]
        )
        for m in json.loads(run.instance)["meetings"]
    }
    rows = [
        (a["meeting"], instance.key_id(a["slot"]), onsite[a["meeting"]])
        for a in schedule.get("assignments", [])
        if a["meeting"].startswith("r")
    ]
    return {key: table for key, _slot, table in _numbered(rows, built)}


def _stale() -> RunError:
    return RunError(
        _(
            "The requests or agendas changed since this run (a request was placed, or "
            "someone's availability changed). Nothing was published: run the optimiser "
            "again."
        )
    )


async def publish_run(db: AsyncSession, fair: Fair, run_id: int, now=None) -> Published:
    """Book every meeting of a preview, all or nothing, if nothing it relies on has changed."""
    now = now or utcnow()
    run = await run_of(db, fair, run_id)
    if run is None:
        raise LookupError(run_id)
    if run.status in ACTIVE_RUN:
        raise RunError(_("The optimiser has not finished yet."))
    if run.status != RunStatus.DONE:
        raise RunError(_("This preview was already published or discarded."))
    schedule = json.loads(run.result)
    proposal = [
        (a["meeting"], a["slot"]) for a in schedule["assignments"] if a["meeting"].startswith("r")
    ]
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
    rows = [
        (key, instance.key_id(m["fixed_slot"]), current.onsite(key))
        for m in current.data["meetings"]
        if (key := m["id"]) in current.fixed
    ] + [(key, instance.key_id(slot), current.onsite(key)) for key, slot in proposal]
    numbered = _numbered(rows, current)
    assignments = [
        {"meeting": key, "slot": f"s{slot_id}", "table": table} for key, slot_id, table in numbered
    ]
    parsed = parse_instance(current.data)
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
    if not await _set(db, run.id, [RunStatus.DONE], status=RunStatus.PUBLISHED):
        raise RunError(_("This preview was already published or discarded."))
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
        .options(
            selectinload(Meeting.slot),
            selectinload(Meeting.attendees).selectinload(MeetingAttendee.firm),
            selectinload(Meeting.attendees)
            .selectinload(MeetingAttendee.participant)
            .selectinload(Participant.user),
        )
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
