"""Every booth route for every kind of visitor, against a table written by hand."""

import pytest
from sqlalchemy import select, update

from booths.models import Booth, BoothDocument, Conversation, Opportunity
from server.demo import DEMO_PASSWORD
from server.identity.models import Firm
from tests.support.access import mismatches
from tests.support.demo import BARI, BUYER, ORGANISER, OTHER_STAFF, STAFF
from tests.support.factories import PASSWORD
from tests.support.pages import log_in

VISITORS = ["anonymous", "buyer", "staff", "other_staff", "organiser", "other_organiser"]
F = f"/fairs/{BARI}"
B = f"{F}/booths/sassi-digital-lab"
# page: 200 HTML; login: 303 to log-in; edit: 303 back to the edit page; csv: 200 CSV
# (method, path, anonymous, buyer, staff, other_staff, organiser, other_organiser)
TABLE = [
    ("GET", f"{F}/halls/basilicata", "page", "page", "page", "page", "page", "page"),
    ("GET", f"{F}/halls/no-such-hall", "404", "404", "404", "404", "404", "404"),
    ("GET", f"{F}/booths", "page", "page", "page", "page", "page", "page"),
    (
        "GET",
        f"{F}/booths?q=%00%ff&page=-3&country=%C3%A9",
        "page",
        "page",
        "page",
        "page",
        "page",
        "page",
    ),
    ("GET", B, "page", "page", "page", "page", "page", "page"),
    ("GET", f"{F}/booths/no-such-booth", "404", "404", "404", "404", "404", "404"),
    # a hidden booth exists for its staff and the organisers only
    ("GET", f"{F}/booths/gravina-media", "404", "404", "404", "404", "page", "404"),
    ("GET", f"{F}/my-booth", "login", "404", "booth", "booth", "404", "404"),
    ("GET", f"{B}/edit", "login", "403", "page", "403", "page", "403"),
    ("POST", f"{B}/edit", "login", "403", "edit", "403", "edit", "403"),
    ("POST", f"{B}/opportunities", "login", "403", "400", "403", "400", "403"),
    (
        "POST",
        f"{B}/opportunities/{{opportunity}}/delete",
        "login",
        "403",
        "edit",
        "403",
        "edit",
        "403",
    ),
    # another booth's opportunity through this booth's URL
    (
        "POST",
        f"{B}/opportunities/{{foreign_opportunity}}/delete",
        "login",
        "403",
        "404",
        "403",
        "404",
        "403",
    ),
    ("POST", f"{B}/documents", "login", "403", "400", "403", "400", "403"),
    ("POST", f"{B}/links", "login", "403", "400", "403", "400", "403"),
    ("POST", f"{B}/visibility", "login", "403", "403", "403", "edit", "403"),
    ("GET", f"{B}/documents/{{document}}", "200", "200", "200", "200", "200", "200"),
    ("GET", f"{B}/documents/999999", "404", "404", "404", "404", "404", "404"),
    ("GET", f"{B}/chats", "login", "403", "page", "403", "page", "403"),
    ("GET", f"{B}/chats?c={{conversation}}", "login", "403", "page", "403", "page", "403"),
    ("GET", f"{B}/chats?c={{foreign_conversation}}", "login", "403", "404", "403", "404", "403"),
    ("GET", f"{B}/chats?c=99999999999&before=x", "login", "403", "page", "403", "page", "403"),
    ("GET", f"{B}/chats.csv", "login", "403", "csv", "403", "csv", "403"),
    ("GET", f"{B}/leads", "login", "403", "page", "403", "page", "403"),
    ("GET", f"{B}/leads.csv", "login", "403", "csv", "403", "csv", "403"),
    (
        "GET",
        "/fairs/{other_fair}/booths/sassi-digital-lab",
        "404",
        "404",
        "404",
        "404",
        "404",
        "404",
    ),
]


@pytest.fixture
async def ids(db, demo, settings):
    await db.execute(update(Booth).where(Booth.slug == "gravina-media").values(hidden=True))
    sassi = await db.scalar(select(Booth).where(Booth.slug == "sassi-digital-lab"))
    murgia = await db.scalar(select(Booth).where(Booth.slug == "murgia-software"))
    mine = await db.scalar(select(Opportunity.id).where(Opportunity.booth_id == sassi.id))
    theirs = await db.scalar(select(Opportunity.id).where(Opportunity.booth_id == murgia.id))
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    (settings.upload_dir / "doc-key").write_bytes(b"%PDF-1.4 test")
    document = BoothDocument(
        fair_id=sassi.fair_id,
        booth_id=sassi.id,
        kind="pdf",
        title="Brochure",
        filename="brochure.pdf",
        content_type="application/pdf",
        size=13,
        storage_key="doc-key",
    )
    db.add(document)
    conversation = await db.scalar(select(Conversation.id).where(Conversation.booth_id == sassi.id))
    foreign = Conversation(
        fair_id=murgia.fair_id,
        booth_id=murgia.id,
        visitor_id=(await db.get(Conversation, conversation)).visitor_id,
    )
    db.add(foreign)
    await db.commit()
    return {
        "opportunity": mine,
        "foreign_opportunity": theirs,
        "document": document.id,
        "conversation": conversation,
        "foreign_conversation": foreign.id,
        "other_fair": demo.other_fair,
    }


def outcome(response) -> str:
    status = response.status_code
    if status == 303:
        location = response.headers["location"]
        if "/login" in location:
            return "login"
        if location.split("?")[0].endswith("/edit"):
            return "edit"
        if "/booths/" in location:
            return "booth"
        return f"303 {location}"
    if status == 200:
        kind = response.headers["content-type"]
        if kind.startswith("text/csv"):
            return "csv"
        return "page" if kind.startswith("text/html") else "200"
    return str(status)


@pytest.mark.parametrize("visitor", VISITORS)
async def test_every_booth_route_for_every_visitor(client, ids, demo, visitor):
    emails = {
        "buyer": BUYER,
        "staff": STAFF,
        "other_staff": OTHER_STAFF,
        "organiser": ORGANISER,
        "other_organiser": demo.other_organiser,
    }
    if visitor != "anonymous":
        password = PASSWORD if visitor == "other_organiser" else DEMO_PASSWORD
        await log_in(client, emails[visitor], password)
    column = VISITORS.index(visitor) + 2
    assert await mismatches(client, TABLE, column, ids, outcome) == []


async def test_a_firms_booth_is_found_from_its_id(client, db, demo):
    firm = await db.scalar(select(Firm.id).where(Firm.name == "Murgia Software"))
    buyer = await db.scalar(select(Firm.id).where(Firm.name == "Levante Retail Group"))
    found = await client.get(f"{F}/firms/{firm}/booth")
    assert found.status_code == 303 and found.headers["location"].endswith(
        "/booths/murgia-software"
    )
    assert (await client.get(f"{F}/firms/{buyer}/booth")).status_code == 404
