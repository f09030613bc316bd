"""The feature seam: a feature's routes, services and jobs become part of the app it is given to."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from rooms.optimising.runner import SERVICE, Optimiser
from server.app import FEATURES, create_app
from server.db import Database
from server.features import Feature, Platform
from server.jobs import JobRunner
from tests.conftest import make_settings
from tests.support.live import serve

NOW = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)


class Probe:
    """A service that notes what the app did with it."""

    def __init__(self, platform: Platform):
        self.platform = platform
        self.events: list[str] = []

    def start(self) -> None:
        self.events.append("started")

    async def stop(self) -> None:
        self.events.append("stopped")


@pytest.fixture
async def database_of_its_own(fresh_url):
    """The app disposes its database when it stops: not the shared test engine."""
    database = Database.from_url(fresh_url)
    yield database
    await database.dispose()


async def test_a_features_routes_services_and_jobs_join_the_app(
    fresh_url, var_dir, database_of_its_own
):
    database = database_of_its_own
    settings = make_settings(fresh_url, var_dir)
    made: list[Probe] = []
    passes: list[datetime] = []

    def services(platform: Platform) -> dict:
        made.append(Probe(platform))
        return {"probe": made[-1]}

    def jobs(platform: Platform) -> list:
        async def count_pass(now: datetime) -> None:
            passes.append(now)

        return [count_pass]

    async def hello(request):
        return PlainTextResponse("hello from the probe")

    probe = Feature(
        name="probe",
        routes=[Route("/probe", hello)],
        services=services,
        jobs=jobs,
    )
    app = create_app(replace(settings, clock=lambda: NOW), database, features=(*FEATURES, probe))
    async with serve(app) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            response = await client.get("/probe")
        for _ in range(100):
            if passes:
                break
            await asyncio.sleep(0.02)
        platform = app.other_asgi_app.state.platform
        assert platform.service("probe", Probe) is made[0]
        assert isinstance(platform.service(SERVICE, Optimiser), Optimiser)
        with pytest.raises(TypeError, match="not Optimiser"):
            platform.service("probe", Optimiser)
    assert (response.status_code, response.text) == (200, "hello from the probe")
    assert made[0].events == ["started", "stopped"]
    assert made[0].platform.database is database
    assert passes[0] == NOW  # the one job runner ran the feature's job on the settings' clock


async def test_one_failing_job_does_not_keep_the_others_from_running(caplog):
    ran: list[str] = []

    async def broken(now: datetime) -> None:
        raise RuntimeError("this job is broken")

    async def fine(now: datetime) -> None:
        ran.append(now.isoformat())

    runner = JobRunner([broken, fine], clock=lambda: NOW)
    await runner.run_once()
    await runner.run_once()
    assert ran == [NOW.isoformat()] * 2
    assert "background job broken failed" in caplog.text
