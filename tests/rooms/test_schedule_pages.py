"""The organiser's schedule pages: a whole run through a real server on both databases, a
stale preview refused on the page, and every route for every kind of visitor."""

import asyncio
import json

import httpx
import pytest
from sqlalchemy import func, select

from rooms import booking, operations
from rooms.models import Meeting, RunStatus, ScheduleRun
from rooms.scheduling import parse_instance, validate_schedule
from server.app import create_app
from server.db import Database
from server.fairs.models import BookingMode
from server.identity.passwords import Passwords
from tests.rooms.conftest import NOW, build_world
from tests.support import sockets
from tests.support.access import mismatches
from tests.support.factories import PASSWORD
from tests.support.live import serve
from tests.support.pages import csrf_token, log_in, submit, visible_text
from tests.support.settings import make_settings

SCHEDULE = "/fairs/{}/organise/schedule"


@pytest.fixture
async def served(fresh_url, var_dir):
    """An organiser-mode fair with three accepted requests, served for real."""
    settings = make_settings(fresh_url, var_dir)
    database = Database.from_url(fresh_url)
    async with database.session() as db:
        w = await build_world(db, Passwords(settings), booking_mode=BookingMode.ORGANISER)
        for sender, firm_name, answerer in [
            (w.buyer, "Alpha Srl", w.alpha),
            (w.buyer, "Beta Ltd", w.beta),
            (w.outsider, "Beta Ltd", w.beta),
        ]:
            sent = await operations.send_request(
                db, w.fair, sender, w.firms[firm_name].id, "", now=NOW
            )
            await operations.accept_request(db, w.fair, answerer, sent.request.id, now=NOW)
        await db.commit()
    async with serve(create_app(settings, database)) as url:
        yield url, database, settings, w


async def test_the_organiser_runs_previews_and_publishes(served):
    url, database, settings, w = served
    page_url = SCHEDULE.format(w.fair.slug)
    organiser = await sockets.connect(url, database, settings, w.users["organiser"].email, "/fair")
    buyer = await sockets.connect(url, database, settings, w.users["buyer"].email, "/fair")
    async with httpx.AsyncClient(base_url=url) as client:
        await log_in(client, w.users["organiser"].email, PASSWORD)
        page = await client.get(page_url)
        assert "3 accepted requests are waiting for a slot." in visible_text(page.text)
        token = csrf_token(page.text)
        # two clicks at once: the database lets one run start
        first, second = await asyncio.gather(
            *(
                client.post(f"{page_url}/runs", data={"time_limit": "3", "csrf_token": token})
                for _ in range(2)
            )
        )
        assert sorted([first.status_code, second.status_code]) == [303, 409]
        refused = first if first.status_code == 409 else second
        assert "already running for this fair" in visible_text(refused.text)

        for _ in range(300):  # a plain reload shows where the run is
            text = visible_text((await client.get(page_url)).text)
            if "Proposed schedule" in text:
                break
            assert "The optimiser is" in text and "of at most 3 s" in text
            await asyncio.sleep(0.1)
        assert "Meetings placed 3 Requests waiting 3 At most placeable 3" in text
        assert "Idle gaps in agendas 0" in text and "Optimal" in text
        assert "Levante Retail Alpha Srl" in text and "Every waiting request is placed." in text
        told = await organiser.wait_for("notification")
        assert told[0]["kind"] == "schedule_run"
        assert told[0]["text"] == "The optimiser finished: 3 of 3 meetings placed."

        page = await client.get(page_url)
        run_id = int(page.text.split("/runs/")[1].split("/")[0])
        published = await submit(client, page_url, {}, action=f"{page_url}/runs/{run_id}/publish")
        assert published.status_code == 303
        done = visible_text((await client.get(published.headers["location"])).text)
        assert "Published: the meetings are in the agenda" in done
        grid = visible_text((await client.get(f"/fairs/{w.fair.slug}/organise/agenda")).text)
        assert "Levante Retail Alpha Srl" in grid and "Gamma Spa Beta Ltd" in grid
    scheduled = await buyer.wait_for("notification", count=2)
    assert {n["kind"] for n in scheduled} == {"meeting_scheduled"}
    await organiser.close()
    await buyer.close()
    async with database.session() as db:
        run = await db.get(ScheduleRun, run_id)
        assert run.status == RunStatus.PUBLISHED
        assert (
            validate_schedule(parse_instance(json.loads(run.instance)), json.loads(run.result))
            == []
        )
        assert await db.scalar(select(func.count()).select_from(Meeting)) == 3
    await database.dispose()


async def test_publishing_names_the_requests_cancelled_since_the_run(
    client, db, organised, finished_run
):
    w = organised
    run, _built, _schedule = finished_run
    await operations.cancel_request(db, w.fair, w.buyer, w.requests[0].id, "", now=NOW)
    await db.commit()
    await log_in(client, w.users["organiser"].email, PASSWORD)
    page_url = SCHEDULE.format(w.fair.slug)
    published = await submit(client, page_url, {}, action=f"{page_url}/runs/{run.id}/publish")
    assert published.status_code == 303
    text = visible_text((await client.get(published.headers["location"])).text)
    assert "Published: the meetings are in the agenda" in text
    assert (
        "This request was cancelled after the run and was left out: "
        "Levante Retail with Alpha Srl" in text
    )
    grid = visible_text((await client.get(f"/fairs/{w.fair.slug}/organise/agenda")).text)
    assert "Levante Retail Beta Ltd" in grid and "Levante Retail Alpha Srl" not in grid


async def test_publishing_a_stale_preview_is_refused_on_the_page(
    client, db, organised, finished_run
):
    w = organised
    run, _built, _schedule = finished_run
    await booking.place_meetings(db, w.fair, [(w.requests[0].id, w.slots[9].id, 2)])
    await db.commit()
    await log_in(client, w.users["organiser"].email, PASSWORD)
    page_url = SCHEDULE.format(w.fair.slug)
    refused = await submit(client, page_url, {}, action=f"{page_url}/runs/{run.id}/publish")
    assert refused.status_code == 409
    text = visible_text(refused.text)
    assert "changed since this run" in text and "Nothing was published" in text
    assert "Proposed schedule" in text  # the preview is still there to discard


VISITORS = ["anonymous", "buyer", "alpha", "beta", "organiser"]
# page = 200; login = 303 to /login; 403; 404; 409 = a refusal shown on the page
TABLE = [
    ("GET", "/fairs/{A}/organise/schedule", "login", "403", "403", "403", "page"),
    ("GET", "/fairs/{B}/organise/schedule", "login", "403", "403", "403", "403"),
    ("GET", "/fairs/no-such-fair/organise/schedule", "login", "404", "404", "404", "404"),
    ("POST", "/fairs/{A}/organise/schedule/runs", "login", "403", "403", "403", "409"),
    ("POST", "/fairs/{B}/organise/schedule/runs", "login", "403", "403", "403", "403"),
    (
        "POST",
        "/fairs/{A}/organise/schedule/runs/{A_run}/publish",
        "login",
        "403",
        "403",
        "403",
        "409",
    ),
    (
        "POST",
        "/fairs/{A}/organise/schedule/runs/{A_run}/discard",
        "login",
        "403",
        "403",
        "403",
        "409",
    ),
    (
        "POST",
        "/fairs/{A}/organise/schedule/runs/{B_run}/publish",
        "login",
        "403",
        "403",
        "403",
        "404",
    ),
    (
        "POST",
        "/fairs/{A}/organise/schedule/runs/{B_run}/discard",
        "login",
        "403",
        "403",
        "403",
        "404",
    ),
    (
        "POST",
        "/fairs/{B}/organise/schedule/runs/{B_run}/publish",
        "login",
        "403",
        "403",
        "403",
        "403",
    ),
]


@pytest.fixture
async def names(db, passwords):
    a = await build_world(db, passwords, booking_mode=BookingMode.ORGANISER)
    b = await build_world(db, passwords, booking_mode=BookingMode.ORGANISER)
    sent = await operations.send_request(db, a.fair, a.buyer, a.firms["Alpha Srl"].id, "", now=NOW)
    await operations.accept_request(db, a.fair, a.alpha, sent.request.id, now=NOW)
    runs = {}
    for key, world in (("A_run", a), ("B_run", b)):
        # a run under way: starting another, publishing or discarding it are refused
        run = ScheduleRun(
            fair_id=world.fair.id,
            active_fair_id=world.fair.id,
            status=RunStatus.RUNNING,
            time_limit=3,
            error="",
        )
        db.add(run)
        await db.flush()
        runs[key] = run.id
    await db.commit()
    users = {
        "buyer": a.users["buyer"],
        "alpha": a.users["alpha"],
        "beta": a.users["outsider"],
        "organiser": a.users["organiser"],
    }
    return users, {"A": a.fair.slug, "B": b.fair.slug, **runs}


def outcome(response) -> str:
    if response.status_code == 303:
        return "login" if "/login" in response.headers["location"] else "back"
    return "page" if response.status_code == 200 else str(response.status_code)


@pytest.mark.parametrize("visitor", VISITORS)
async def test_every_schedule_route_for_every_visitor(client, names, visitor):
    users, values = names
    if visitor != "anonymous":
        await log_in(client, users[visitor].email, PASSWORD)
    column = VISITORS.index(visitor) + 2
    found = await mismatches(client, TABLE, column, values, outcome, {"time_limit": "3"})
    assert found == []
