"""What people see on the home, fair and error pages."""

from dataclasses import replace
from datetime import UTC, datetime

import httpx

from server.app import create_app
from server.fairs.models import Role
from tests.support.factories import PASSWORD, make_fair, make_participant, make_user
from tests.support.pages import log_in, submit, visible_text


async def test_home_lists_published_fairs_only(client, db):
    await make_fair(db, name="Fiera Mediterranea B2B")
    await make_fair(db, name="Secret Draft Fair", published=False)
    text = visible_text((await client.get("/")).text)
    assert "Fiera Mediterranea B2B" in text
    assert "Secret Draft Fair" not in text


async def test_fair_page_shows_times_in_the_fair_zone_for_visitors(client, db):
    fair = await make_fair(
        db,
        name="Fiera Mediterranea B2B",
        starts_at=datetime(2027, 3, 17, 8, 30, tzinfo=UTC),
        ends_at=datetime(2027, 3, 18, 17, 0, tzinfo=UTC),
    )
    text = visible_text((await client.get(f"/fairs/{fair.slug}")).text)
    assert "Wednesday 17 March 2027, 09:30" in text
    assert "Thursday 18 March 2027, 18:00" in text
    assert "Central European Standard Time (Europe/Rome)" in text
    assert "Basilicata" in text and "Attica" in text and "ICT" in text


async def test_fair_page_shows_times_in_the_viewers_zone(client, db, app):
    fair = await make_fair(db, starts_at=datetime(2027, 3, 17, 8, 30, tzinfo=UTC))
    user = await make_user(
        db, app.other_asgi_app.state.platform.passwords, time_zone="Europe/Athens"
    )
    await log_in(client, user.email, PASSWORD)
    text = visible_text((await client.get(f"/fairs/{fair.slug}")).text)
    assert "Wednesday 17 March 2027, 10:30" in text  # Athens is an hour ahead of Bari
    assert "Eastern European Standard Time (Europe/Athens)" in text


async def test_a_visitor_joins_a_fair_as_buyer(client, db, app):
    fair = await make_fair(db)
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    await log_in(client, user.email, PASSWORD)
    assert "Join this fair" in visible_text((await client.get(f"/fairs/{fair.slug}")).text)
    response = await submit(
        client, f"/fairs/{fair.slug}", {"attendance": "online"}, action=f"/fairs/{fair.slug}/join"
    )
    assert response.status_code == 303
    text = visible_text((await client.get(f"/fairs/{fair.slug}")).text)
    assert "You take part as a buyer." in text and "You join online." in text


async def test_organiser_sees_the_participants(client, db, app):
    passwords = app.other_asgi_app.state.platform.passwords
    fair = await make_fair(db)
    organiser = await make_user(db, passwords)
    buyer = await make_user(db, passwords, name="Giulia Ferri", firm="Levante Retail Group")
    await make_participant(db, fair, organiser, Role.ORGANISER)
    await make_participant(db, fair, buyer, Role.BUYER)
    await log_in(client, organiser.email, PASSWORD)
    text = visible_text((await client.get(f"/fairs/{fair.slug}/organise")).text)
    assert "Giulia Ferri Levante Retail Group Buyer On site" in text


async def test_italian_pages(client, db):
    fair = await make_fair(db, starts_at=datetime(2027, 3, 17, 8, 30, tzinfo=UTC))
    response = await submit(
        client, "/", {"language": "it", "next": f"/fairs/{fair.slug}"}, action="/language"
    )
    assert response.headers["location"] == f"/fairs/{fair.slug}"
    text = visible_text((await client.get(f"/fairs/{fair.slug}")).text)
    assert "mercoledì 17 marzo 2027, 09:30" in text
    assert "Padiglioni" in text and "Accedi" in text


async def test_accept_language_picks_italian(client):
    text = visible_text((await client.get("/", headers={"accept-language": "it-IT,it;q=0.9"})).text)
    assert "Fiere" in text


async def test_friendly_not_found_page(client):
    response = await client.get("/fairs/no-such-fair")
    assert response.status_code == 404
    assert "There is nothing here." in visible_text(response.text)
    api = await client.get("/fairs/no-such-fair", headers={"accept": "application/json"})
    assert api.json()["error"] == "Page not found"


async def test_healthz_reports_the_database(client):
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_pages_carry_security_headers(client):
    response = await client.get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_broken_database_gives_a_friendly_500_and_a_failing_health_check(
    settings, tmp_path
):
    # a directory where the SQLite file should be: every query fails
    broken = tmp_path / "not-a-database"
    broken.mkdir()
    app = create_app(replace(settings, database_url=f"sqlite+aiosqlite:///{broken}"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        health = await client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["database"].startswith("error")
        page = await client.get("/")
        assert page.status_code == 500
        assert "Something went wrong" in visible_text(page.text)
