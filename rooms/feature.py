"""What rooms bring to the app: meetings, agendas, the optimiser, their jobs and demo data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from rooms import demo, jobs, pairs
from rooms.optimising.runner import SERVICE, Optimiser
from rooms.routes import routes
from server.features import Feature, Job, Platform, Service
from server.identity.passwords import Passwords


def _services(platform: Platform) -> dict[str, Service]:
    return {
        SERVICE: Optimiser(platform.database, platform.hub, platform.settings.clock),
        pairs.SERVICE: pairs.OpenRequests(),
    }


def _jobs(platform: Platform) -> list[Job]:
    async def meeting_jobs(now: datetime) -> int:
        return await jobs.run_once(platform.database, platform.hub, now)

    return [meeting_jobs]


async def _seed_demo(db: AsyncSession, passwords: Passwords) -> None:
    await demo.seed(db)


feature = Feature(name="rooms", routes=routes, services=_services, jobs=_jobs, seed_demo=_seed_demo)
