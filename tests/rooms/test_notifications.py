"""Notifications arrive live over Socket.IO: a new request, and the 5-minute reminder."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from rooms import jobs, queries
from rooms.models import Meeting
from server.app import create_app
from server.db import Database
from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from server.fairs.models import Fair
from server.identity.models import Firm
from tests.support.live import serve
from tests.support.pages import log_in, submit
from tests.support.settings import make_settings
from tests.support.sockets import connect_to_fair, session_cookie

BARI = "fiera-mediterranea-b2b"


@pytest.fixture
async def server(fresh_demo_url, var_dir):
    settings = make_settings(fresh_demo_url, var_dir)
    database = Database.from_url(fresh_demo_url)
    app = create_app(replace(settings, presence_grace_seconds=0.3), database)
    async with serve(app) as url:
        yield url, database, settings, app.other_asgi_app.state.platform.hub


async def next_notice(received: list, kind: str) -> dict:
    for _ in range(100):
        found = [n for n in received if n["kind"] == kind]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {kind} notification in {received}")


async def test_staff_hear_of_a_new_request_at_once(server):
    url, database, settings, _ = server
    staff, _ = await connect_to_fair(
        url, await session_cookie(database, settings, DEMO_LOGINS["exhibitor"])
    )
    received: list = []
    staff.on("notification", received.append, namespace="/fair")
    async with database.session() as db:
        firm = await db.scalar(select(Firm).where(Firm.name == "Sassi Digital Lab"))
    async with httpx.AsyncClient(base_url=url) as http:
        await log_in(http, "eleni.vlachou@buyers.fiera.demo", DEMO_PASSWORD)
        form = f"/fairs/{BARI}/meetings/new?firm={firm.id}"
        sent = await submit(
            http, form, {"firm": firm.id, "message": "Hotels"}, f"/fairs/{BARI}/meetings/new"
        )
        assert sent.status_code == 303
    notice = await next_notice(received, "meeting_request")
    assert notice["text"] == "Aegean Hotels Group asks you for a meeting."
    assert notice["fair"] == BARI
    await staff.disconnect()


async def test_the_job_runner_reminds_attendees_five_minutes_before(server):
    url, database, settings, hub = server
    buyer, _ = await connect_to_fair(
        url, await session_cookie(database, settings, DEMO_LOGINS["buyer"])
    )
    received: list = []
    buyer.on("notification", received.append, namespace="/fair")
    async with database.session() as db:
        fair = await db.scalar(select(Fair).where(Fair.slug == BARI))
        # the fair's first slot (the demo's video meeting is today, before the fair)
        first = next(s for s in await queries.slots(db, fair) if s.starts_at >= fair.starts_at)
    now = first.starts_at - timedelta(minutes=4)
    sent = await jobs.run_once(database, hub, now)
    assert sent >= 2  # both sides of each meeting in the first slot
    notice = await next_notice(received, "meeting_starting")
    assert notice["text"] == "Your meeting with Murgia Software starts in 5 minutes (table 1)."
    assert await jobs.run_once(database, hub, now) == 0  # each meeting is reminded once
    async with database.session() as db:
        reminded = await db.scalars(select(Meeting).where(Meeting.reminded_at.is_not(None)))
        assert {m.slot_id for m in reminded} == {first.id}
    await buyer.disconnect()


async def test_the_runner_runs_from_the_app_lifespan_with_its_clock(fresh_demo_url, var_dir):
    settings = make_settings(fresh_demo_url, var_dir)
    database = Database.from_url(fresh_demo_url)
    async with database.session() as session:
        fair = await session.scalar(select(Fair).where(Fair.slug == BARI))
        first = (await queries.slots(session, fair))[0]
    clock = lambda: first.starts_at - timedelta(minutes=1)  # noqa: E731
    app = create_app(replace(settings, clock=clock), database)
    async with serve(app):
        for _ in range(100):
            async with database.session() as db:
                if await db.scalar(select(Meeting.id).where(Meeting.reminded_at.is_not(None))):
                    break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the runner did not run")
