"""What booths bring to the app: hall and booth pages, booth chat, talk now, the demo's booths."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from booths import calls, demo
from booths.call_events import CallsNamespace, expire_and_tell
from booths.events import BoothsNamespace
from booths.routes import routes
from server.features import Feature, Job, Platform
from server.identity.passwords import Passwords
from server.realtime.hub import AuthenticatedNamespace


def _namespaces(platform: Platform) -> list[AuthenticatedNamespace]:
    settings = platform.settings
    # in Redis when the deployment has one, so that every process shares one count per user
    limit = platform.hub.rate_limit(
        "booth-chat", settings.chat_messages_per_window, settings.chat_window_seconds
    )
    rings = platform.hub.rate_limit(
        "booth-calls", settings.call_rings_per_window, settings.call_window_seconds
    )
    return [BoothsNamespace(limit), CallsNamespace(platform, rings)]


def _jobs(platform: Platform) -> list[Job]:
    async def missed_calls(now: datetime) -> int:
        """Calls still ringing past their time (their timer died with a process) are missed."""
        async with platform.database.read_session() as db:
            due = await calls.due(db, now)
        return sum([await expire_and_tell(platform, call_id) for call_id in due])

    return [missed_calls]


async def _seed_demo(db: AsyncSession, passwords: Passwords) -> None:
    await demo.seed(db)


feature = Feature(
    name="booths",
    routes=routes,
    namespaces=_namespaces,
    jobs=_jobs,
    seed_demo=_seed_demo,
    seed_demo_files=demo.seed_documents,
)
