"""Every meeting route for every kind of visitor, against outcomes written by hand; ids of
someone else's request or meeting, or of another fair, answer 404."""

import pytest

from rooms import ics, operations
from tests.rooms.conftest import NOW, build_world
from tests.support.access import mismatches
from tests.support.factories import PASSWORD
from tests.support.pages import log_in

VISITORS = ["anonymous", "buyer", "alpha", "beta", "organiser"]

# page = 200 HTML; ics = 200 calendar; login = 303 to /login; back = 303 to the same area;
# 403; 404; 409 = a refusal shown on the page
# (method, path, anonymous, buyer (sender), alpha (addressed firm), beta (stranger), organiser)
TABLE = [
    ("GET", "/fairs/{A}/meetings", "login", "page", "page", "page", "403"),
    ("GET", "/fairs/{A}/meetings/new?firm={alpha_firm}", "login", "page", "page", "page", "403"),
    ("GET", "/fairs/{A}/agenda", "login", "page", "page", "page", "403"),
    ("GET", "/fairs/{A}/organise/agenda", "login", "403", "403", "403", "page"),
    ("GET", "/fairs/{B}/organise/agenda", "login", "403", "403", "403", "403"),
    ("GET", "/fairs/{A}/meetings/{meeting}/calendar.ics", "login", "ics", "404", "404", "403"),
    ("GET", "/fairs/{B}/meetings/{meeting}/calendar.ics", "login", "403", "403", "403", "403"),
    ("GET", "/fairs/{A}/meetings/{B_meeting}/calendar.ics", "login", "404", "404", "404", "403"),
    ("GET", "/fairs/{A}/agenda/feed/{buyer}/{buyer_token}.ics", "ics", "ics", "ics", "ics", "ics"),
    ("GET", "/fairs/{A}/agenda/feed/{buyer}/{bad_token}.ics", "404", "404", "404", "404", "404"),
    ("GET", "/fairs/{B}/agenda/feed/{buyer}/{buyer_token}.ics", "404", "404", "404", "404", "404"),
    # someone else's pending request: only the addressed firm may decline it
    (
        "POST",
        "/fairs/{A}/meetings/requests/{pending}/decline",
        "login",
        "409",
        "back",
        "404",
        "403",
    ),
    (
        "POST",
        "/fairs/{A}/meetings/requests/{B_pending}/decline",
        "login",
        "404",
        "404",
        "404",
        "403",
    ),
    (
        "POST",
        "/fairs/{A}/meetings/requests/{B_pending}/accept",
        "login",
        "404",
        "404",
        "404",
        "403",
    ),
    (
        "POST",
        "/fairs/{A}/meetings/requests/{B_pending}/cancel",
        "login",
        "404",
        "404",
        "404",
        "403",
    ),
    ("POST", "/fairs/{A}/meetings/{B_meeting}/cancel", "login", "404", "404", "404", "403"),
    ("POST", "/fairs/{A}/meetings/{meeting}/cancel", "login", "back", "404", "404", "403"),
    (
        "POST",
        "/fairs/{A}/organise/agenda/sessions/{B_session}/delete",
        "login",
        "403",
        "403",
        "403",
        "404",
    ),
]


@pytest.fixture
async def names(db, passwords):
    a = await build_world(db, passwords)
    b = await build_world(db, passwords)
    pending = await operations.send_request(
        db, a.fair, a.buyer, a.firms["Alpha Srl"].id, "", now=NOW
    )
    booked = await operations.send_request(db, a.fair, a.buyer, a.firms["Beta Ltd"].id, "", now=NOW)
    await db.commit()
    meeting = await operations.accept_request(db, a.fair, a.beta, booked.request.id, now=NOW)
    b_pending = await operations.send_request(
        db, b.fair, b.buyer, b.firms["Alpha Srl"].id, "", now=NOW
    )
    b_booked = await operations.send_request(
        db, b.fair, b.buyer, b.firms["Beta Ltd"].id, "", now=NOW
    )
    await db.commit()
    b_meeting = await operations.accept_request(db, b.fair, b.beta, b_booked.request.id, now=NOW)
    await db.commit()
    # the visitors of fair A, and the same people log in under these keys
    users = {
        "buyer": a.users["buyer"],
        "alpha": a.users["alpha"],
        "beta": a.users["outsider"],  # a stranger to both requests
        "organiser": a.users["organiser"],
    }
    secret = "test-secret-key-not-for-production"
    values = {
        "A": a.fair.slug,
        "B": b.fair.slug,
        "alpha_firm": a.firms["Alpha Srl"].id,
        "pending": pending.request.id,
        "B_pending": b_pending.request.id,
        "meeting": meeting.meeting.id,
        "B_meeting": b_meeting.meeting.id,
        "B_session": b.slots[0].session_id,
        "buyer": a.buyer.id,
        "buyer_token": ics.feed_token(secret, a.fair.id, a.buyer.id),
        "bad_token": "0" * 32,
    }
    return users, values


def outcome(response) -> str:
    status = response.status_code
    if status == 303:
        location = response.headers["location"]
        return "login" if "/login" in location else "back"
    if status == 200:
        kind = response.headers["content-type"]
        return "ics" if kind.startswith("text/calendar") else "page"
    return str(status)


@pytest.mark.parametrize("visitor", VISITORS)
async def test_every_meeting_route_for_every_visitor(client, names, visitor):
    users, values = names
    if visitor != "anonymous":
        await log_in(client, users[visitor].email, PASSWORD)
    column = VISITORS.index(visitor) + 2
    assert await mismatches(client, TABLE, column, values, outcome) == []
