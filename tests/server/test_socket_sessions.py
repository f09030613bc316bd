"""Live connections end with the login session they were opened under, and every event answers."""

import asyncio

import httpx
import pytest
from sqlalchemy import delete, select

from booths.models import Booth, ChatMessage
from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from server.identity import sessions
from server.identity.models import LoginSession
from tests.support.pages import csrf_token, log_in, submit
from tests.support.sockets import Client, session_cookie

BARI = "fiera-mediterranea-b2b"
BUYER = DEMO_LOGINS["buyer"]


async def _browser_session(url: str) -> tuple[httpx.AsyncClient, str]:
    """A logged-in HTTP client as a browser would hold it, and its cookie for sockets."""
    http = httpx.AsyncClient(base_url=url, timeout=30)
    await log_in(http, BUYER, DEMO_PASSWORD)
    return http, f"{sessions.SESSION_COOKIE}={http.cookies[sessions.SESSION_COOKIE]}"


async def _gone(client: Client, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if not client.sio.connected:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_log_out_closes_that_sessions_live_connections_only(live):
    url, _database, _settings = live
    http, cookie = await _browser_session(url)
    other_http, other_cookie = await _browser_session(url)  # the same person on another device
    fair = await Client("/fair").connect(url, cookie)
    chat = await Client("/booths").connect(url, cookie)
    elsewhere = await Client("/fair").connect(url, other_cookie)
    try:
        assert (await fair.call("join", {"fair": BARI}))["ok"]
        page = await http.get("/account")
        response = await http.post("/logout", data={"csrf_token": csrf_token(page.text)})
        assert response.status_code == 303
        assert await _gone(fair) and await _gone(chat)
        assert elsewhere.sio.connected
        assert (await elsewhere.call("join", {"fair": BARI}))["ok"]
        # and the old cookie cannot open a new one
        with pytest.raises(Exception, match=r"Connection refused|One or more namespaces"):
            await Client("/booths").connect(url, cookie)
    finally:
        for client in (fair, chat, elsewhere):
            await client.close()
        await http.aclose()
        await other_http.aclose()


async def test_a_password_change_ends_every_other_session_and_all_live_connections(live):
    url, _database, _settings = live
    here, here_cookie = await _browser_session(url)
    there, there_cookie = await _browser_session(url)
    mine = await Client("/fair").connect(url, here_cookie)
    theirs = await Client("/booths").connect(url, there_cookie)
    try:
        response = await submit(
            here,
            "/account",
            {"current_password": DEMO_PASSWORD, "new_password": "a brand new passphrase"},
            action="/account/password",
        )
        assert response.status_code == 303
        assert await _gone(theirs) and await _gone(mine)
        # the other device is logged out; this one stays and reconnects
        assert (await there.get("/account")).status_code == 303
        assert (await here.get("/account")).status_code == 200
        again = await Client("/fair").connect(url, here_cookie)
        assert (await again.call("join", {"fair": BARI}))["ok"]
        await again.close()
    finally:
        for client in (mine, theirs):
            await client.close()
        await here.aclose()
        await there.aclose()


async def test_events_are_refused_once_the_session_is_gone_elsewhere(live):
    """Another process (or an administrator) ended the session: the next event finds out."""
    url, database, settings = live
    cookie = await session_cookie(database, settings, BUYER)
    chat = await Client("/booths").connect(url, cookie)
    async with database.read_session() as db:
        booth = await db.scalar(select(Booth.id).where(Booth.slug == "sassi-digital-lab"))
    assert (await chat.call("open", {"booth": booth}))["ok"]
    token = cookie.split("=", 1)[1]
    async with database.session() as db:
        await db.execute(
            delete(LoginSession).where(LoginSession.token_hash == sessions.hash_token(token))
        )
        await db.commit()
    reply = await chat.call("send", {"booth": booth, "body": "still here?"})
    assert (reply["ok"], reply["reason"]) == (False, "session")
    assert reply["message"] == "Your session has ended. Log in again."
    assert await _gone(chat)
    async with database.read_session() as db:
        assert await db.scalar(select(ChatMessage).where(ChatMessage.body == "still here?")) is None


BIG = [2**31, 2**63, 2**70]


async def test_every_socket_event_answers_whatever_it_is_sent(live):
    url, database, settings = live
    cookie = await session_cookie(database, settings, BUYER)
    async with database.read_session() as db:
        booth = await db.scalar(select(Booth.id).where(Booth.slug == "sassi-digital-lab"))
    chat = await Client("/booths").connect(url, cookie)
    fair = await Client("/fair").connect(url, cookie)
    refused = [
        *((chat, "open", {"booth": big}) for big in BIG),
        *((chat, "history", {"booth": booth, "conversation": big}) for big in BIG),
        (chat, "history", {"booth": booth, "conversation": 1, "before": 2**63}),
        *((chat, "send", {"booth": big, "body": "hello"}) for big in BIG),
        (chat, "send", {"booth": booth, "conversation": 2**63, "body": "hello"}),
        (chat, "send", {"booth": booth, "body": "\x00"}),
        (chat, "read", {"booth": booth, "conversation": 1, "last": 2**64}),
        (chat, "remove", {"message": 1, "fair": "\x00"}),
        (chat, "remove", {"message": 1, "fair": "bari\x00; drop"}),
        (chat, "remove", {"message": 2**63, "fair": BARI}),
        (chat, "staff_join", {"booth": 2**63}),
        (chat, "send", "just a string"),
        (chat, "send", [1, 2, 3]),
        (chat, "send", None),
        (chat, "no_such_event", {"booth": booth}),
        (fair, "join", {"fair": "\x00"}),
        (fair, "join", {"fair": "fiera\x00mediterranea"}),
        (fair, "state", {"state": "\x00"}),
        (fair, "no_such_event", {}),
    ]
    try:
        for client, event, payload in refused:
            reply = await client.call(event, payload)
            assert reply["ok"] is False, (event, payload, reply)
            assert reply["message"], (event, payload, reply)
        # a NUL inside a message is dropped, the rest is stored and acknowledged
        reply = await chat.call("send", {"booth": booth, "body": "ciao\x00 a tutti"})
        assert reply["ok"] and reply["message"]["body"] == "ciao a tutti"
        # and the connection still works for what is right
        assert (await fair.call("join", {"fair": BARI}))["ok"]
    finally:
        await chat.close()
        await fair.close()
