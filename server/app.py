"""The application factory: one ASGI app serving pages, static files and Socket.IO."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

import socketio
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from booths import demo as booths_demo
from booths import routes as booth_routes
from booths.events import BoothsNamespace
from rooms import demo as rooms_demo
from rooms import routes as rooms_routes
from rooms.jobs import JobRunner
from rooms.optimising.runner import Optimiser
from server import demo, errors, health
from server.db import Database, DatabaseBusy, utcnow
from server.fairs import routes as fair_routes
from server.identity import routes as identity_routes
from server.identity.passwords import Passwords
from server.middleware import RequestContextMiddleware
from server.realtime.fair import FairNamespace
from server.realtime.hub import Hub
from server.realtime.ratelimit import RateLimit
from server.refusals import Denied
from server.security import SecurityHeadersMiddleware
from server.settings import WEB_DIR, Settings
from server.templating import create_templates

logger = logging.getLogger("fiera")


async def seed_demo(db: AsyncSession, passwords: Passwords) -> None:
    """The whole demo: fairs and people, then what each feature shows of them."""
    await demo.seed(db, passwords)
    await booths_demo.seed(db)
    await rooms_demo.seed(db)


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    presence_grace_seconds: float = 10.0,
    chat_rate_limit: RateLimit | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> ASGIApp:
    """Build the whole application; `database` lets tests bind it to their own connection."""
    settings = settings or Settings.from_env()
    database = database or Database.from_url(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )
    hub = Hub(settings, database, presence_grace_seconds)
    hub.register(FairNamespace())
    hub.register(BoothsNamespace(chat_rate_limit))
    meeting_jobs = JobRunner(database, hub, clock)
    optimiser = Optimiser(database, hub, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        meeting_jobs.start()
        yield
        await meeting_jobs.stop()
        await optimiser.close()
        await hub.close()
        await database.dispose()

    routes = [
        *health.routes,
        *identity_routes.routes,
        *fair_routes.routes,
        *booth_routes.routes,
        *rooms_routes.routes,
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
    app.state.settings = settings
    app.state.database = database
    app.state.templates = create_templates()
    app.state.passwords = Passwords(settings)
    app.state.hub = hub
    app.state.meeting_jobs = meeting_jobs
    app.state.optimiser = optimiser
    return socketio.ASGIApp(hub.sio, other_asgi_app=app, socketio_path="socket.io")
