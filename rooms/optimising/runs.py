"""The record of each optimiser run: start (one at a time per fair), finish, discard; what a
finished run proposes, read back as the scheduler's typed dataclasses.

A run is claimed and closed with conditional UPDATEs on its status, so a page reload, a second
click or a second server process never runs or publishes it twice (publishing: `publish`).
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rooms.models import ACTIVE_RUN, RunStatus, ScheduleRun
from rooms.optimising import instance
from rooms.scheduling import Instance, Schedule, parse_instance, parse_schedule
from server.db import utcnow
from server.fairs.models import Fair
from server.i18n import gettext as _
from server.identity.models import User

TIME_LIMITS = (3, 10, 20, 60)
DEFAULT_TIME_LIMIT = 20
# A run whose server process is gone is failed at once when that process was on this host; a
# run of another host's process is given up this long after its time limit.
LOST_AFTER = timedelta(minutes=3)
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


async def advance(db: AsyncSession, run_id: int, statuses, **values) -> bool:
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
    return await advance(
        db,
        run_id,
        [RunStatus.QUEUED],
        status=RunStatus.RUNNING,
        started_at=now or utcnow(),
        instance=json.dumps(built.data),
    )


def proposal(run: ScheduleRun) -> tuple[Instance, Schedule]:
    """The instance a finished run solved and the schedule it proposes, parsed once (read-only:
    the same objects serve every reload of the preview)."""
    return _parsed(run.instance or "{}", run.result or "{}")


# A finished run's texts never change, and an organiser reloads a waiting preview: parsing a
# big fair's instance costs about 100 ms. Keyed on the texts themselves, so that runs of other
# databases (tests) or a run written again can never be served another's proposal.
@functools.lru_cache(maxsize=4)
def _parsed(instance_text: str, result_text: str) -> tuple[Instance, Schedule]:
    return parse_instance(json.loads(instance_text)), parse_schedule(json.loads(result_text))


def figures(built_data: dict, schedule: dict) -> dict[str, Any]:
    """What the preview shows about the requests (existing meetings left out of the counts)."""
    stats = schedule["stats"]
    requested = [m["id"] for m in built_data["meetings"] if instance.is_request(m["id"])]
    placed = sum(1 for a in schedule["assignments"] if instance.is_request(a["meeting"]))
    fixed_kept = len(schedule["assignments"]) - placed
    bound = min(len(requested), max(placed, stats.get("upper_bound", placed) - fixed_kept))
    return {
        "requested": len(requested),
        "placed": placed,
        "upper_bound": bound,
        "fixed": len(built_data["meetings"]) - len(requested),
        "idle_gaps": stats.get("idle_gaps", 0),
        "solve_seconds": stats.get("solve_seconds", 0.0),
        "status": stats.get("status", "feasible"),
        "unplaced": {
            key: text
            for key, text in stats.get("unscheduled_reasons", {}).items()
            if instance.is_request(key)
        },
    }


async def finish_run(db: AsyncSession, run_id: int, schedule: dict, now=None) -> bool:
    """Store the proposed schedule of a running run; the preview is ready."""
    stored = await db.scalar(select(ScheduleRun.instance).where(ScheduleRun.id == run_id))
    built_data = json.loads(stored or '{"meetings": []}')
    return await advance(
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
    return await advance(
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
    if not await advance(db, run.id, [RunStatus.DONE], status=RunStatus.DISCARDED):
        raise RunError(_("This preview was already published or discarded."))
