"""What rooms bring to the app: meetings, agendas, the optimiser, video rooms, their jobs and
demo data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from rooms import demo, jobs, pairs
from rooms.optimising.runner import SERVICE, Optimiser
from rooms.routes import routes
from rooms.video import media as video_media
from rooms.video.events import RoomsNamespace
from rooms.video.live import VideoRooms
from server import video
from server.features import Feature, Job, Platform, Service
from server.identity.passwords import Passwords

# Signalling events (join, offer, ICE candidates, state) a person may send per window: an offer
# brings a few dozen candidates at once, a reconnect another offer.
SIGNALS_PER_WINDOW = 200
SIGNAL_WINDOW_SECONDS = 10.0


def _video_rooms(platform: Platform) -> VideoRooms:
    """The one VideoRooms of this app (its namespace and the services share it)."""
    found = platform.services.get(video.SERVICE)
    if isinstance(found, VideoRooms):
        return found
    rooms = VideoRooms(platform.database, platform.settings.clock)
    video_media.attach(rooms, platform.settings)
    platform.services[video.SERVICE] = rooms
    return rooms


def _namespaces(platform: Platform) -> list[RoomsNamespace]:
    settings = platform.settings
    signals = platform.hub.rate_limit("rooms", SIGNALS_PER_WINDOW, SIGNAL_WINDOW_SECONDS)
    chat = platform.hub.rate_limit(
        "rooms-chat", settings.chat_messages_per_window, settings.chat_window_seconds
    )
    return [RoomsNamespace(_video_rooms(platform), signals, chat)]


def _services(platform: Platform) -> dict[str, Service]:
    return {
        SERVICE: Optimiser(platform.database, platform.hub, platform.settings.clock),
        pairs.SERVICE: pairs.OpenRequests(),
        video.SERVICE: _video_rooms(platform),
    }


def _jobs(platform: Platform) -> list[Job]:
    async def meeting_jobs(now: datetime) -> int:
        return await jobs.run_once(platform.database, platform.hub, now)

    return [meeting_jobs]


async def _seed_demo(db: AsyncSession, passwords: Passwords) -> None:
    await demo.seed(db)


feature = Feature(
    name="rooms",
    routes=routes,
    namespaces=_namespaces,
    services=_services,
    jobs=_jobs,
    seed_demo=_seed_demo,
)
