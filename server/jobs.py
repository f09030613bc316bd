"""The one task runner for background work: every feature's periodic jobs, on one clock.

Each job is one pass driven by database state that claims its rows with conditional UPDATEs, so
it is idempotent and safe when several processes run it; the clock is passed in, so tests move
time instead of sleeping. A failed job is logged and tried again on the next tick; the others
run regardless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from server.db import utcnow
from server.features import Job

logger = logging.getLogger("fiera.jobs")


class JobRunner:
    """Runs every job once every `interval` seconds until stopped (a service of the app)."""

    def __init__(
        self,
        jobs: Sequence[Job],
        clock: Callable[[], datetime] = utcnow,
        interval: float = 30.0,
    ):
        self.jobs = list(jobs)
        self.clock = clock
        self.interval = interval
        self._task: asyncio.Task | None = None

    async def run_once(self) -> None:
        """One pass of every job, at the clock's time."""
        now = self.clock()
        for job in self.jobs:
            try:
                await job(now)
            except Exception:  # one failing job must not starve the others
                logger.exception("background job %s failed", getattr(job, "__name__", job))

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="fiera-jobs")

    async def _loop(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
