"""Background work for meetings: expiring unanswered requests, "starting in 5 minutes",
failing optimiser runs whose server process is gone, and settling video meetings (held or
no-show) once their room has closed, and ad-hoc rooms nobody entered.

Each pass is driven by database state and claims rows with a conditional UPDATE (see
`operations.expire_requests` and `operations.remind_meetings`), so several processes may run it;
the clock is passed in, so tests move time instead of sleeping. The platform's job runner
(server/jobs.py) runs it; rooms/feature.py hands it over.
"""

from __future__ import annotations

from datetime import datetime

from rooms import notices, operations
from rooms.optimising import runs
from rooms.video import attendance
from server.db import Database


async def run_once(database: Database, hub, now: datetime) -> int:
    """One pass of every meeting job; returns how many notices went out. The first pass, at
    start-up, also fails the optimiser runs a previous server process left running."""
    async with database.session() as db:
        told = await operations.expire_requests(db, now)
        told += await operations.remind_meetings(db, now)
        await runs.give_up_lost_runs(db, now)
        await attendance.settle_meetings(db, now)
        await attendance.expire_calls(db, now)
        await db.commit()
    await notices.send(hub, told)
    return len(told)
