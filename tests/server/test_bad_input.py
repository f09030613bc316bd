"""Hostile and unusual values in account forms answer a form error or work; never a 500."""

import pytest
from sqlalchemy import func, select

from server.identity.models import User
from tests.support.pages import csrf_token, submit, visible_text

BAD_VALUES = {
    "empty": "",
    "oversized": "x" * 10_000,
    "nul": "abc\x00def",
    "rtl": "\u202eكلمة مرور\u202c",
    "emoji": "🎪🤝🇮🇹",
}


@pytest.mark.parametrize("kind", BAD_VALUES)
@pytest.mark.parametrize("field", ["name", "email", "password"])
async def test_sign_up_with_bad_values(client, db, field, kind):
    values = {
        "name": "Vito Lorusso",
        "email": "vito@murgia.example",
        "password": "a long passphrase",
        "language": "en",
        "time_zone": "Europe/Rome",
    }
    values[field] = BAD_VALUES[kind]
    response = await submit(client, "/signup", values)
    text = visible_text(response.text)
    users = await db.scalar(select(func.count()).select_from(User))
    if field == "name" and kind in ("rtl", "emoji"):
        # real names come in every script: these are accepted and shown as typed
        assert response.status_code == 303
        assert users == 1
        account = visible_text((await client.get("/account")).text)
        assert BAD_VALUES[kind].strip() in account or "كلمة مرور" in account
        return
    if field == "name" and kind == "nul":
        # control characters are dropped from typed text (PostgreSQL refuses NUL): kept as "abcdef"
        assert response.status_code == 303
        assert "abcdef" in visible_text((await client.get("/account")).text)
        return
    if field == "password" and kind == "rtl":
        # a long enough passphrase in any script is a good password
        assert response.status_code == 303
        return
    assert response.status_code == 400, text
    assert "Please correct the marked fields." in text
    assert users == 0
    # what was typed correctly is kept in the form
    if field != "email":
        assert 'value="vito@murgia.example"' in response.text


@pytest.mark.parametrize("kind", BAD_VALUES)
@pytest.mark.parametrize("field", ["email", "password"])
async def test_log_in_with_bad_values(client, field, kind):
    values = {"email": "vito@murgia.example", "password": "a long passphrase"}
    values[field] = BAD_VALUES[kind]
    response = await submit(client, "/login", values)
    assert response.status_code == 400
    text = visible_text(response.text)
    assert (
        "E-mail address or password is not right." in text
        or "Enter a valid e-mail address" in text
        or "Enter your e-mail address." in text
        or "Enter your password." in text
    )


async def test_unknown_language_and_time_zone_are_form_errors(client):
    response = await submit(
        client,
        "/signup",
        {
            "name": "Léa Fabre",
            "email": "lea@phocee.example",
            "password": "a long passphrase",
            "language": "xx\x00",
            "time_zone": "Mars/Olympus",
        },
    )
    text = visible_text(response.text)
    assert response.status_code == 400
    assert "Choose one of the offered languages." in text
    assert "Choose a time zone from the list." in text


async def test_a_huge_form_body_is_refused_politely(client):
    page = await client.get("/login")
    response = await client.post(
        "/login", data={"email": "a" * 2_000_000, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 413
    assert "larger than this page accepts" in visible_text(response.text)


@pytest.mark.parametrize(
    "path", ["/fairs/%00/booths", "/fairs/fiera%00", "/fairs/fiera%00/halls/basilicata"]
)
async def test_a_control_character_in_a_fair_path_is_not_found(client, path):
    response = await client.get(path)
    assert response.status_code == 404
    assert "There is nothing here. The link may be old or mistyped." in visible_text(response.text)
