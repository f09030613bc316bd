"""The seam between the platform and its features: what each feature brings to the app.

A feature package (booths, rooms, later the media server) describes itself with one `Feature`
in its `feature.py`: its routes, its Socket.IO namespaces, its long-lived services (started and
stopped with the app), its periodic jobs (run by the one job runner) and its demo seed.
`server/app.py` composes a list of features; nothing else imports a feature package.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute
from starlette.templating import Jinja2Templates

from server.db import Database
from server.identity.passwords import Passwords
from server.settings import Settings

if TYPE_CHECKING:
    from server.realtime.hub import AuthenticatedNamespace, Hub


class Service(Protocol):
    """Something long-lived a feature runs beside the requests (the optimiser, the media server)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


# A periodic job: one pass at the given time, driven by database state (see server/jobs.py).
Job = Callable[[datetime], Awaitable[object]]
ServiceT = TypeVar("ServiceT")


@dataclass
class Platform:
    """What the platform gives every feature, and what a request reaches as `app.state.platform`."""

    settings: Settings
    database: Database
    hub: Hub
    passwords: Passwords
    templates: Jinja2Templates
    services: dict[str, Service] = field(default_factory=dict)

    def service(self, name: str, kind: type[ServiceT]) -> ServiceT:
        """A feature's service by name, checked to be of the kind the caller expects."""
        found = self.services[name]
        if not isinstance(found, kind):
            raise TypeError(f"service {name!r} is a {type(found).__name__}, not {kind.__name__}")
        return found


def platform(connection: HTTPConnection) -> Platform:
    """The platform behind a request."""
    return connection.app.state.platform


def _nothing(platform: Platform) -> Sequence:
    return ()


def _no_services(platform: Platform) -> Mapping[str, Service]:
    return {}


@dataclass(frozen=True)
class Feature:
    """What one feature package brings to the app."""

    name: str
    routes: Sequence[BaseRoute] = ()
    namespaces: Callable[[Platform], Sequence[AuthenticatedNamespace]] = _nothing
    services: Callable[[Platform], Mapping[str, Service]] = _no_services
    jobs: Callable[[Platform], Sequence[Job]] = _nothing
    seed_demo: Callable[[AsyncSession, Passwords], Awaitable[None]] | None = None
    # the files the demo's rows point to (booth documents), written under the upload directory
    seed_demo_files: Callable[[AsyncSession, Path], Awaitable[None]] | None = None
