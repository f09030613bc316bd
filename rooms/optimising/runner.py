"""Drives optimiser runs from the app's event loop; the solve itself runs in a worker process.

The app's lifespan owns one `Optimiser`: each started run becomes an asyncio task that builds
the instance, hands it to the worker process with `run_in_executor`, stores the result and tells
the organiser who started it. `stop()` stops the tasks and the worker at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from rooms.models import RunStatus, ScheduleRun
from rooms.optimising import instance, runs, worker
from server.db import Database, utcnow
from server.fairs.models import Fair
from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language
from server.i18n import gettext as _
from server.identity.models import User

logger = logging.getLogger("fiera.rooms.optimiser")
FINISHED = "schedule_run"
SERVICE = "optimiser"  # its name among the app's services
SOLVER_WORKERS = 2  # CP-SAT's neighbourhood search needs at least two (see DESIGN)


class Optimiser:
    """Runs queued schedule runs, one worker process for the whole app."""

    def __init__(self, database: Database, hub, clock: Callable[[], datetime] = utcnow):
        self.database = database
        self.hub = hub
        self.clock = clock
        self._executor: ProcessPoolExecutor | None = None
        self._tasks: set[asyncio.Task] = set()

    def launch(self, run_id: int) -> asyncio.Task:
        """Start a queued run in the background."""
        task = asyncio.create_task(self.execute(run_id), name=f"schedule-run-{run_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = worker.new_executor()
        return self._executor

    async def execute(self, run_id: int) -> None:
        """Claim the run, solve it in the worker, store the result, tell who started it."""
        try:
            async with self.database.session() as db:
                run = await db.get(ScheduleRun, run_id)
                fair = await db.get(Fair, run.fair_id)
                built = await instance.build(db, fair, self.clock())
                claimed = await runs.claim_run(db, run_id, built, self.clock())
                await db.commit()
            if not claimed:
                return  # another process has it
            loop = asyncio.get_running_loop()
            schedule = await loop.run_in_executor(
                self.executor(),
                worker.solve_data,
                built.data,
                float(run.time_limit),
                SOLVER_WORKERS,
            )
            async with self.database.session() as db:
                await runs.finish_run(db, run_id, schedule, self.clock())
                await db.commit()
        except asyncio.CancelledError:
            await asyncio.shield(self._fail(run_id, runs.SHUT_DOWN))
            raise
        except BrokenProcessPool:
            # The worker died (killed, out of memory): a broken pool stays broken, so the next
            # run gets a new worker instead of failing the same way.
            logger.warning("schedule run %s lost its worker process", run_id)
            self._drop_executor()
            await self._fail(run_id, runs.STOPPED)
        except Exception as exc:
            logger.exception("schedule run %s failed", run_id)
            await self._fail(run_id, f"{type(exc).__name__}: {exc}")
        await self._tell(run_id)

    def _drop_executor(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    async def _fail(self, run_id: int, error: str) -> None:
        async with self.database.session() as db:
            await runs.fail_run(db, run_id, error, self.clock())
            await db.commit()

    async def _tell(self, run_id: int) -> None:
        """Tell the organiser who started the run that it ended, in their language."""
        async with self.database.session() as db:
            run = await db.get(ScheduleRun, run_id, populate_existing=True)
            fair = await db.get(Fair, run.fair_id)
            user = await db.get(User, run.started_by_id) if run.started_by_id else None
        if user is None:
            return
        token = current_language.set(
            user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE
        )
        try:
            if run.status == RunStatus.DONE:
                figures = json.loads(run.stats)
                text = _(
                    "The optimiser finished: %(placed)d of %(requested)d meetings placed.",
                    placed=figures["placed"],
                    requested=figures["requested"],
                )
            else:
                text = _("The optimiser run failed.")
        finally:
            current_language.reset(token)
        payload = {"fair": fair.slug, "run": run.id, "status": str(run.status), "text": text}
        await self.hub.notify(user.id, FINISHED, payload)

    def start(self) -> None:
        """Nothing to start: the worker process is spawned by the first run."""

    async def stop(self) -> None:
        """Stop the runs under way (marked failed) and the worker process."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
