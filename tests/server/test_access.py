"""Every route for every kind of visitor, against a table of outcomes written by hand."""

import pytest

from server.fairs.models import Role
from tests.support.access import mismatches
from tests.support.factories import PASSWORD, make_fair, make_participant, make_user
from tests.support.pages import log_in

VISITORS = ["anonymous", "buyer", "exhibitor", "organiser", "other_organiser"]

# page = 200 with HTML; login = 303 to /login; home / fair = 303 elsewhere; 403; 404; json = 200
# (method, path, anonymous, buyer, exhibitor, organiser, other_organiser)
TABLE = [
    ("GET", "/", "page", "page", "page", "page", "page"),
    ("GET", "/healthz", "json", "json", "json", "json", "json"),
    ("GET", "/login", "page", "home", "home", "home", "home"),
    ("GET", "/signup", "page", "home", "home", "home", "home"),
    ("GET", "/account", "login", "page", "page", "page", "page"),
    ("GET", "/fairs/{A}", "page", "page", "page", "page", "page"),
    ("GET", "/fairs/{B}", "page", "page", "page", "page", "page"),
    ("GET", "/fairs/no-such-fair", "404", "404", "404", "404", "404"),
    ("GET", "/fairs/{A}/organise", "login", "403", "403", "page", "403"),
    ("GET", "/fairs/{B}/organise", "login", "403", "403", "403", "page"),
    ("GET", "/fairs/{A}/organise/participants/{A_buyer}", "login", "403", "403", "page", "403"),
    # another fair's participant through this fair's URL
    ("GET", "/fairs/{A}/organise/participants/{B_buyer}", "login", "403", "403", "404", "403"),
    ("GET", "/fairs/{B}/organise/participants/{A_buyer}", "login", "403", "403", "403", "404"),
    ("GET", "/fairs/{A}/organise/participants/999999", "login", "403", "403", "404", "403"),
    # an unpublished fair exists only for its organisers
    ("GET", "/fairs/{H}", "404", "404", "404", "page", "404"),
    ("GET", "/fairs/{H}/organise", "login", "404", "404", "page", "404"),
    ("POST", "/fairs/{A}/join", "login", "fair", "fair", "fair", "fair"),
    ("POST", "/fairs/{H}/join", "login", "404", "404", "fair", "404"),
    ("POST", "/account", "login", "400", "400", "400", "400"),
]


@pytest.fixture
async def world(db, app):
    passwords = app.other_asgi_app.state.platform.passwords
    fair_a = await make_fair(db)
    fair_b = await make_fair(db)
    hidden = await make_fair(db, published=False)
    users = {role: await make_user(db, passwords) for role in VISITORS[1:]}
    await make_participant(db, fair_a, users["organiser"], Role.ORGANISER)
    await make_participant(db, hidden, users["organiser"], Role.ORGANISER)
    await make_participant(db, fair_b, users["other_organiser"], Role.ORGANISER)
    await make_participant(db, fair_a, users["exhibitor"], Role.EXHIBITOR)
    a_buyer = await make_participant(db, fair_a, users["buyer"], Role.BUYER)
    b_buyer = await make_participant(db, fair_b, await make_user(db, passwords), Role.BUYER)
    names = {
        "A": fair_a.slug,
        "B": fair_b.slug,
        "H": hidden.slug,
        "A_buyer": a_buyer.id,
        "B_buyer": b_buyer.id,
    }
    return users, names


def outcome(response) -> str:
    path = response.request.url.path
    fair_slug = path.split("/")[2] if path.startswith("/fairs/") else ""
    status = response.status_code
    if status == 303:
        location = response.headers["location"]
        if location.startswith("http://testserver/login") or location.startswith("/login"):
            return "login"
        if location in ("/", "http://testserver/"):
            return "home"
        if location.endswith(f"/fairs/{fair_slug}"):
            return "fair"
        return f"303 {location}"
    if status == 200:
        kind = response.headers["content-type"]
        return "json" if kind.startswith("application/json") else "page"
    return str(status)


@pytest.mark.parametrize("visitor", VISITORS)
async def test_every_route_for_every_visitor(client, world, visitor):
    users, names = world
    if visitor != "anonymous":
        await log_in(client, users[visitor].email, PASSWORD)
    column = VISITORS.index(visitor) + 2
    assert await mismatches(client, TABLE, column, names, outcome) == []
