"""What booths bring to the app: hall and booth pages, booth chat, the demo's booths."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from booths import demo
from booths.events import BoothsNamespace
from booths.routes import routes
from server.features import Feature, Platform
from server.identity.passwords import Passwords


def _namespaces(platform: Platform) -> list[BoothsNamespace]:
    settings = platform.settings
    # in Redis when the deployment has one, so that every process shares one count per user
    limit = platform.hub.rate_limit(
        "booth-chat", settings.chat_messages_per_window, settings.chat_window_seconds
    )
    return [BoothsNamespace(limit)]


async def _seed_demo(db: AsyncSession, passwords: Passwords) -> None:
    await demo.seed(db)


feature = Feature(
    name="booths",
    routes=routes,
    namespaces=_namespaces,
    seed_demo=_seed_demo,
    seed_demo_files=demo.seed_documents,
)
