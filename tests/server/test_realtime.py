"""Socket.IO against the real server on port 0: who may connect, joining a fair, presence."""

import asyncio

from sqlalchemy import select

from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from server.fairs.models import Fair
from server.identity import sessions
from tests.support.sockets import connect_to_fair, session_cookie


async def test_anonymous_handshake_is_refused_with_a_reason(live):
    url, _, _ = live
    client, errors = await connect_to_fair(url)
    assert client is None
    assert errors == [{"message": "Log in to use live features.", "data": {"reason": "anonymous"}}]


async def test_a_refused_handshake_speaks_the_browsers_language(live):
    """Nobody is logged in yet: the refusal follows Accept-Language, as the pages do."""
    url, _, _ = live
    client, errors = await connect_to_fair(url, language="it-IT,it;q=0.9,en;q=0.5")
    assert client is None
    assert errors == [
        {"message": "Accedi per usare le funzioni dal vivo.", "data": {"reason": "anonymous"}}
    ]
    _, errors = await connect_to_fair(url, cookie="fiera_session=gone", language="it")
    assert errors[0]["message"] == "La tua sessione è terminata. Accedi di nuovo."


async def test_foreign_origin_is_refused_even_with_a_cookie(live):
    url, database, settings = live
    cookie = await session_cookie(database, settings, DEMO_LOGINS["buyer"])
    client, errors = await connect_to_fair(url, cookie, origin="https://evil.example")
    assert client is None
    assert errors[0]["data"] == {"reason": "origin"}


async def test_logged_in_cookie_connects_and_joins_the_fair(live):
    url, database, settings = live
    cookie = await session_cookie(database, settings, DEMO_LOGINS["buyer"])
    client, errors = await connect_to_fair(url, cookie, origin=url)
    assert client is not None and errors == []
    reply = await client.call("join", {"fair": "fiera-mediterranea-b2b"}, namespace="/fair")
    assert (reply["ok"], reply["fair"], reply["online"]) == (True, "fiera-mediterranea-b2b", 1)
    assert list(reply["present"].values()) == ["online"]  # the joiner sees who is here
    await client.disconnect()


async def test_a_logged_in_cookie_from_the_login_form_works(live):
    """The same cookie a browser gets from the log-in page opens the socket."""
    import httpx

    from tests.support.pages import log_in

    url, _, _ = live
    async with httpx.AsyncClient(base_url=url) as http:
        await log_in(http, DEMO_LOGINS["exhibitor"], DEMO_PASSWORD)
        cookie = f"{sessions.SESSION_COOKIE}={http.cookies[sessions.SESSION_COOKIE]}"
    client, errors = await connect_to_fair(url, cookie)
    assert client is not None, errors
    await client.disconnect()


async def test_joining_a_fair_one_does_not_take_part_in_is_refused(live):
    url, database, settings = live
    cookie = await session_cookie(database, settings, DEMO_LOGINS["buyer"])
    client, _ = await connect_to_fair(url, cookie)
    refusals: list = []
    client.on("error", refusals.append, namespace="/fair")
    # the demo buyer is not a participant of the Malta mission
    reply = await client.call("join", {"fair": "malta-mission-2027"}, namespace="/fair")
    assert reply["ok"] is False and reply["reason"] == "forbidden"
    bad = await client.call("join", {"fair": "x" * 500}, namespace="/fair")
    assert bad["reason"] == "invalid"
    unknown = await client.call("join", {"fair": "no-such-fair"}, namespace="/fair")
    assert unknown["reason"] == "not-found"
    await asyncio.sleep(0.1)
    assert [r["reason"] for r in refusals] == ["forbidden", "invalid", "not-found"]
    await client.disconnect()


async def test_presence_goes_offline_after_the_grace_and_survives_a_reconnect(live):
    url, database, settings = live
    async with database.session() as db:
        assert await db.scalar(select(Fair).where(Fair.slug == "fiera-mediterranea-b2b"))
    watcher, _ = await connect_to_fair(
        url, await session_cookie(database, settings, DEMO_LOGINS["buyer"])
    )
    seen: list = []
    watcher.on("presence", seen.append, namespace="/fair")
    await watcher.call("join", {"fair": "fiera-mediterranea-b2b"}, namespace="/fair")

    cookie = await session_cookie(database, settings, DEMO_LOGINS["exhibitor"])
    staff, _ = await connect_to_fair(url, cookie)
    await staff.call("join", {"fair": "fiera-mediterranea-b2b"}, namespace="/fair")
    await staff.disconnect()
    staff, _ = await connect_to_fair(url, cookie)  # back within the grace: no offline flicker
    await staff.call("join", {"fair": "fiera-mediterranea-b2b"}, namespace="/fair")
    await asyncio.sleep(0.6)
    # the watcher itself, then the staff member once; the reconnect showed no flicker
    assert [(m["status"], m["online"]) for m in seen] == [("online", 1), ("online", 2)]
    await staff.disconnect()
    for _ in range(50):
        if len(seen) == 3:
            break
        await asyncio.sleep(0.05)
    assert [(m["status"], m["online"]) for m in seen][2:] == [("offline", 1)]
    assert seen[2]["user"] == seen[1]["user"] != seen[0]["user"]
    await watcher.disconnect()
