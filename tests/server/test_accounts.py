"""Sign-up, log-in, sessions, throttling and CSRF, through the real ASGI app."""

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from server.db import utcnow
from server.identity import sessions
from server.identity.models import LoginSession, User
from tests.support.factories import PASSWORD, make_user
from tests.support.pages import csrf_token, log_in, submit, visible_text


def session_cookie(response: httpx.Response) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{sessions.SESSION_COOKIE}="):
            return header
    raise AssertionError("no session cookie was set")


async def test_sign_up_logs_in_and_shows_the_account(client, db):
    response = await submit(
        client,
        "/signup",
        {
            "name": "Anna Colucci",
            "email": "Anna@Sassi.example",
            "password": "a long passphrase",
            "language": "it",
            "time_zone": "Europe/Rome",
        },
    )
    assert response.status_code == 303
    user = await db.scalar(select(User).where(User.email == "anna@sassi.example"))
    assert user is not None and user.password_hash.startswith("$argon2id$")
    page = await client.get("/account")
    text = visible_text(page.text)
    assert "anna@sassi.example" in text
    assert "Il tuo account" in text  # the chosen language applies at once


async def test_sign_up_twice_with_one_address_is_refused(client, db, app):
    await make_user(db, app.other_asgi_app.state.platform.passwords, email="taken@example.com")
    response = await submit(
        client,
        "/signup",
        {
            "name": "Someone",
            "email": "taken@example.com",
            "password": "a long passphrase",
            "language": "en",
            "time_zone": "Europe/Rome",
        },
    )
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in visible_text(response.text)
    assert await db.scalar(select(func.count()).select_from(User)) == 1


async def test_a_mistyped_address_stays_in_the_sign_up_form_to_be_corrected(client, db):
    response = await submit(
        client,
        "/signup",
        {
            "name": "Vito Lorusso",
            "email": "vito@murgia",
            "password": "a long passphrase",
            "language": "it",
            "time_zone": "Europe/Athens",
        },
    )
    assert response.status_code == 400
    assert "Enter a valid e-mail address, like name@example.com." in visible_text(response.text)
    assert 'value="vito@murgia"' in response.text
    assert 'value="Vito Lorusso"' in response.text
    assert '<option value="Europe/Athens" selected>' in response.text
    assert await db.scalar(select(func.count()).select_from(User)) == 0


async def test_login_with_a_wrong_password_says_so(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    response = await submit(client, "/login", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 400
    assert "E-mail address or password is not right." in visible_text(response.text)
    assert (await client.get("/account")).status_code == 303


async def test_login_sets_a_safe_cookie_and_rotates_the_session(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    first = session_cookie(await log_in(client, user.email, PASSWORD))
    assert "HttpOnly" in first and "SameSite=lax" in first.replace("Lax", "lax")
    assert "Secure" not in first  # served over plain http here
    # logging in again while logged in (e.g. as someone else) starts a new session
    page = await client.get("/account")
    again = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    second = session_cookie(again)
    assert first.split(";")[0] != second.split(";")[0]
    # the first session was ended when the second began
    count = select(func.count()).select_from(LoginSession).where(LoginSession.user_id == user.id)
    assert await db.scalar(count) == 1


async def test_cookie_is_secure_behind_https(settings, database, db):
    from dataclasses import replace

    from server.app import create_app

    app = create_app(replace(settings, base_url="https://fiera.example"), database)
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://fiera.example"
    ) as client:
        assert "Secure" in session_cookie(await log_in(client, user.email, PASSWORD))


async def test_logout_really_ends_the_session(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    cookie = session_cookie(await log_in(client, user.email, PASSWORD)).split(";")[0]
    page = await client.get("/account")
    await client.post("/logout", data={"csrf_token": csrf_token(page.text)})
    # replaying the old cookie no longer opens the account
    client.cookies.clear()
    name, value = cookie.split("=", 1)
    client.cookies.set(name, value)
    response = await client.get("/account")
    assert response.status_code == 303 and "/login" in response.headers["location"]


async def test_sessions_end_after_idle_and_absolute_timeouts(db, database, app, settings):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    now = utcnow()
    token = await sessions.start(db, settings, user, now=now)
    await db.commit()
    later = now + timedelta(seconds=settings.session_idle_seconds - 60)
    assert (await sessions.resolve(database, settings, token, now=later)) is not None
    idle = later + timedelta(seconds=settings.session_idle_seconds + 1)
    assert (await sessions.resolve(database, settings, token, now=idle)) is None

    token = await sessions.start(db, settings, user, now=now)
    await db.commit()
    # kept in use every half idle period, it lives until the absolute limit and no longer
    step = timedelta(seconds=settings.session_idle_seconds // 2)
    moment = now + step
    while moment < now + timedelta(seconds=settings.session_absolute_seconds):
        assert (await sessions.resolve(database, settings, token, now=moment)) is not None
        moment += step
    beyond = now + timedelta(seconds=settings.session_absolute_seconds + 1)
    assert (await sessions.resolve(database, settings, token, now=beyond)) is None


async def test_repeated_failures_are_throttled(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    limit = app.other_asgi_app.state.platform.settings.login_max_failures_per_email
    for _ in range(limit):
        response = await submit(client, "/login", {"email": user.email, "password": "nope nope"})
        assert response.status_code == 400
    response = await submit(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in visible_text(response.text)


async def test_a_form_without_its_csrf_token_is_refused(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    await client.get("/login")
    response = await client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "This form has expired" in visible_text(response.text)
    assert sessions.SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_a_post_from_another_origin_is_refused(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_next_only_goes_to_our_own_pages(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    page = await client.get("/login?next=//evil.example/")
    response = await client.post(
        "/login?next=//evil.example/",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


async def test_profile_changes_are_saved(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    await log_in(client, user.email, PASSWORD)
    response = await submit(
        client,
        "/account",
        {"name": "Nikos Georgiou", "language": "en", "time_zone": "Europe/Athens"},
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Your profile is saved." in visible_text(page.text)
    await db.refresh(user)
    assert (user.name, user.time_zone) == ("Nikos Georgiou", "Europe/Athens")


async def test_password_change_needs_the_current_password(client, db, app):
    user = await make_user(db, app.other_asgi_app.state.platform.passwords)
    await log_in(client, user.email, PASSWORD)
    response = await submit(
        client,
        "/account",
        {"current_password": "not it at all", "new_password": "a brand new passphrase"},
        action="/account/password",
    )
    assert response.status_code == 400
    assert "That is not your current password." in visible_text(response.text)
    response = await submit(
        client,
        "/account",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        action="/account/password",
    )
    assert response.status_code == 303
    client.cookies.clear()
    await log_in(client, user.email, "a brand new passphrase")
