"""The development outbox page: organisers see every message, its status and its last error."""

from dataclasses import replace
from datetime import UTC, datetime

import httpx

from server.app import create_app
from server.fairs.models import Role
from server.mail.models import MailStatus
from server.mail.outbox import compose, enqueue
from tests.support.factories import PASSWORD, make_fair, make_participant, make_user
from tests.support.pages import log_in, visible_text

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


async def _people(db, app):
    passwords = app.other_asgi_app.state.platform.passwords
    fair = await make_fair(db)
    organiser = await make_user(db, passwords, email="org@example.com")
    await make_participant(db, fair, organiser, Role.ORGANISER)
    buyer = await make_user(db, passwords, email="buyer@example.com")
    await make_participant(db, fair, buyer, Role.BUYER)
    mail = compose("password-reset", "en", name="Anna", link="http://x.test/r/1", minutes=60)
    failed = enqueue(db, recipient="anna@example.com", mail=mail, kind="password-reset", now=NOW)
    failed.status, failed.attempts = MailStatus.FAILED, 8
    failed.last_error = "SMTPDataError: 554 5.7.1 Rejected"
    enqueue(db, recipient="vito@example.com", mail=mail, kind="password-reset", now=NOW)
    await db.commit()


async def test_an_organiser_sees_each_message_with_its_status_and_error(client, db, app):
    await _people(db, app)
    await log_in(client, "org@example.com", PASSWORD)
    page = await client.get("/outbox")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "anna@example.com Reset your Fiera password password-reset" in text
    assert "failed 8 attempts SMTPDataError: 554 5.7.1 Rejected" in text
    assert "vito@example.com" in text and "queued 0 attempts" in text
    assert "http://x.test/r/1" in text  # the body, for following links in development


async def test_others_are_refused_the_outbox(client, db, app):
    await _people(db, app)
    anonymous = await client.get("/outbox")
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    await log_in(client, "buyer@example.com", PASSWORD)
    refused = await client.get("/outbox")
    assert refused.status_code == 403
    assert "may not open this page" in visible_text(refused.text)
    assert "anna@example.com" not in refused.text


async def test_with_an_smtp_server_there_is_no_outbox_page(db, settings, database, app):
    await _people(db, app)
    with_smtp = create_app(replace(settings, smtp_host="127.0.0.1"), database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=with_smtp), base_url="http://testserver"
    ) as client:
        await log_in(client, "org@example.com", PASSWORD)
        page = await client.get("/outbox")
    assert page.status_code == 404
    assert "anna@example.com" not in page.text
