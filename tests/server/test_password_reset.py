"""Password reset by e-mail through a running server and a real SMTP server."""

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from server.app import create_app
from server.db import Database
from server.demo import DEMO_PASSWORD
from server.mail.models import OutboxMessage
from tests.support.pages import csrf_token, submit, visible_text
from tests.support.settings import make_settings
from tests.support.smtp import bodies, serve_mailing_demo

BUYER = "buyer@fiera.demo"
NEW_PASSWORD = "a brand new passphrase"
LINK_RE = re.compile(r"http://127\.0\.0\.1:\d+/password/reset/[A-Za-z0-9_-]+")


@pytest.fixture
async def mailing(fresh_demo_url, var_dir):
    """The demo served for real, sending through an SMTP server of the test."""
    async with serve_mailing_demo(fresh_demo_url, var_dir) as served:
        yield served.url, served.inbox, served.clock, served.database


async def ask_for_link(url: str, email: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as client:
        return await submit(client, "/password/forgot", {"email": email})


async def log_in_status(url: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await submit(client, "/login", {"email": BUYER, "password": password})
        return response.status_code


async def outbox_count(database: Database, recipient: str) -> int:
    async with database.read_session() as db:
        return await db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
        )


async def test_a_forgotten_password_is_reset_through_the_mailed_link(mailing):
    url, inbox, _clock, _database = mailing
    async with httpx.AsyncClient(base_url=url) as elsewhere:  # logged in before the reset
        await submit(elsewhere, "/login", {"email": BUYER, "password": DEMO_PASSWORD})
        assert (await elsewhere.get("/account")).status_code == 200

        answer = await ask_for_link(url, BUYER)
        assert answer.status_code == 200
        assert f"If an account exists for {BUYER}, we have sent it a link" in visible_text(
            answer.text
        )
        mail = await inbox.next()
        assert mail["To"] == BUYER and mail["Subject"] == "Reset your Fiera password"
        plain, html = bodies(mail)
        (link,) = set(LINK_RE.findall(plain))
        assert f'href="{link}"' in html

        async with httpx.AsyncClient(base_url=url) as client:
            form = await client.get(link)
            assert "Choose a new password" in visible_text(form.text)
            too_short = await client.post(
                link, data={"password": "short", "csrf_token": csrf_token(form.text)}
            )
            assert too_short.status_code == 400
            assert "Use at least 10 characters." in visible_text(too_short.text)
            done = await client.post(
                link, data={"password": NEW_PASSWORD, "csrf_token": csrf_token(form.text)}
            )
            assert done.status_code == 303 and done.headers["location"] == "/account?saved=reset"
            account_page = (await client.get(done.headers["location"])).text
            account = visible_text(account_page)
            assert "Your new password is set." in account and BUYER in account

            again = await client.get(link)
            assert again.status_code == 400
            assert "This link has already been used" in visible_text(again.text)
            reused = await client.post(
                link,
                data={"password": "yet another passphrase", "csrf_token": csrf_token(account_page)},
            )
            assert "This link has already been used" in visible_text(reused.text)

        # the session opened with the old password has ended
        ended = await elsewhere.get("/account")
        assert ended.status_code == 303 and "/login?next=" in ended.headers["location"]
    assert await log_in_status(url, DEMO_PASSWORD) == 400
    assert await log_in_status(url, NEW_PASSWORD) == 303
    assert await log_in_status(url, "yet another passphrase") == 400


async def test_the_log_in_page_offers_a_new_password(client):
    page = await client.get("/login")
    assert "Forgot your password?" in visible_text(page.text)
    assert 'href="http://testserver/password/forgot"' in page.text


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(mailing):
    url, inbox, _clock, database = mailing
    known = visible_text((await ask_for_link(url, BUYER)).text)
    unknown = visible_text((await ask_for_link(url, "nobody@fiera.demo")).text)
    assert unknown == known.replace(BUYER, "nobody@fiera.demo")
    await inbox.next()  # the known address's mail
    assert await outbox_count(database, "nobody@fiera.demo") == 0
    assert await outbox_count(database, BUYER) == 1


async def test_an_old_link_is_refused_and_the_password_stays(mailing):
    url, inbox, clock, _database = mailing
    await ask_for_link(url, BUYER)
    (link,) = set(LINK_RE.findall(bodies(await inbox.next())[0]))
    clock.offset = timedelta(hours=1)
    async with httpx.AsyncClient(base_url=url) as client:
        page = await client.get(link)
        assert page.status_code == 400
        assert "This link has expired." in visible_text(page.text)
        refused = await client.post(
            link, data={"password": NEW_PASSWORD, "csrf_token": csrf_token(page.text)}
        )
        assert "This link has expired." in visible_text(refused.text)
        unknown = await client.get("/password/reset/not-a-token")
        assert "This link to reset a password is not valid." in visible_text(unknown.text)
    assert await log_in_status(url, DEMO_PASSWORD) == 303


async def test_asking_for_links_is_throttled_per_address_and_per_client(fresh_demo_url, var_dir):
    settings = make_settings(fresh_demo_url, var_dir, reset_max_per_email=2, reset_max_per_ip=4)
    database = Database.from_url(fresh_demo_url)
    app = create_app(settings, database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for email in (BUYER, "nobody@fiera.demo"):  # an unknown address is throttled alike
            for _ in range(2):
                answer = await submit(client, "/password/forgot", {"email": email})
                assert answer.status_code == 200
            throttled = await submit(client, "/password/forgot", {"email": email})
            assert throttled.status_code == 429
            assert "Too many requests for a link. Try again in 60 minutes." in visible_text(
                throttled.text
            )
        # four requests from this client: a fifth address is refused too
        other = await submit(client, "/password/forgot", {"email": "third@fiera.demo"})
        assert other.status_code == 429
    async with database.read_session() as db:
        queued = await db.scalar(select(func.count()).select_from(OutboxMessage))
    await database.dispose()
    assert queued == 2  # the buyer's two links; nothing for the unknown addresses


async def test_a_malformed_address_is_asked_again(client):
    response = await submit(client, "/password/forgot", {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid e-mail address, like name@example.com." in visible_text(response.text)
