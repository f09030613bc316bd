"""The application factory: one ASGI app serving pages, static files and Socket.IO."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path

import socketio
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from booths.feature import feature as booths
from rooms.feature import feature as rooms
from server import core, errors
from server.db import Database, DatabaseBusy
from server.features import Feature, Platform
from server.identity.passwords import Passwords
from server.jobs import JobRunner
from server.middleware import RequestContextMiddleware
from server.realtime.hub import Hub
from server.refusals import Denied
from server.security import SecurityHeadersMiddleware
from server.settings import WEB_DIR, Settings
from server.templating import create_templates

logger = logging.getLogger("fiera")

# The features the app is composed of, in the order their routes match and their demo is seeded.
FEATURES: tuple[Feature, ...] = (core.feature, booths, rooms)
JOBS = "jobs"


async def seed_demo(db: AsyncSession, passwords: Passwords, upload_dir: Path | None = None) -> None:
    """The whole demo: fairs and people, then what each feature shows of them, and its files."""
    for feature in FEATURES:
        if feature.seed_demo is not None:
            await feature.seed_demo(db, passwords)
    for feature in FEATURES:
        if feature.seed_demo_files is not None and upload_dir is not None:
            await feature.seed_demo_files(db, upload_dir)


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    features: Sequence[Feature] = FEATURES,
) -> ASGIApp:
    """Build the whole application from its features; `database` lets tests bind it to their own
    connection, and `settings` carries every knob (clocks included)."""
    settings = settings or Settings.from_env()
    database = database or Database.from_url(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    platform = Platform(
        settings=settings,
        database=database,
        hub=Hub(settings, database),
        passwords=Passwords(settings),
        templates=create_templates(),
    )
    for feature in features:
        for namespace in feature.namespaces(platform):
            platform.hub.register(namespace)
        platform.services.update(feature.services(platform))
    jobs = [job for feature in features for job in feature.jobs(platform)]
    platform.services[JOBS] = JobRunner(jobs, settings.clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        for service in platform.services.values():
            service.start()
        yield
        for service in reversed(list(platform.services.values())):
            await service.stop()
        await platform.hub.close()
        await database.dispose()

    routes = [
        *(route for feature in features for route in feature.routes),
        Mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static"),
    ]
    app = Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(RequestContextMiddleware),
        ],
        exception_handlers={
            HTTPException: errors.http_exception,
            errors.LoginRequired: errors.login_required,
            Denied: errors.refused,
            DatabaseBusy: errors.database_busy,
            Exception: errors.server_error,
        },
        lifespan=lifespan,
    )
    app.state.platform = platform  # requests reach it with `server.features.platform(request)`
    return socketio.ASGIApp(platform.hub.sio, other_asgi_app=app, socketio_path="socket.io")
