"""Background work for meetings: expiring unanswered requests, "starting in 5 minutes", and
failing optimiser runs whose server process is gone.

Each pass is driven by database state and claims rows with a conditional UPDATE (see
`operations.expire_requests` and `operations.remind_meetings`), so several processes may run it;
the clock is passed in, so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from rooms import notices, operations
from rooms.optimising import runs
from server.db import Database, utcnow

logger = logging.getLogger("fiera.rooms.jobs")


async def run_once(database: Database, hub, now: datetime) -> int:
    """One pass of every meeting job; returns how many notices went out. The first pass, at
    start-up, also fails the optimiser runs a previous server process left running."""
    async with database.write_session() as db:
        told = await operations.expire_requests(db, now)
        told += await operations.remind_meetings(db, now)
        await runs.give_up_lost_runs(db, now)
        await db.commit()
    await notices.send(hub, told)
    return len(told)


class JobRunner:
    """Runs `run_once` every `interval` seconds until stopped (started by the app's lifespan)."""

    def __init__(
        self,
        database: Database,
        hub,
        clock: Callable[[], datetime] = utcnow,
        interval: float = 30.0,
    ):
        self.database = database
        self.hub = hub
        self.clock = clock
        self.interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="rooms-jobs")

    async def _loop(self) -> None:
        while True:
            try:
                await run_once(self.database, self.hub, self.clock())
            except Exception:  # a failed pass is logged and retried on the next tick
                logger.exception("meeting jobs failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
