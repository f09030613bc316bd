"""Leads: visits are recorded (unless the visitor turned sharing off) and exported."""

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booths import chat
from booths.models import Booth, BoothVisit
from server.demo import DEMO_PASSWORD
from server.fairs.models import Participant
from server.identity.models import User
from tests.support.demo import BARI, BUYER, STAFF
from tests.support.pages import log_in, submit, visible_text

BOOTH = f"/fairs/{BARI}/booths/calanques-numerique"


async def visits(db, slug: str) -> list[BoothVisit]:
    booth = await db.scalar(select(Booth.id).where(Booth.slug == slug))
    return list(await db.scalars(select(BoothVisit).where(BoothVisit.booth_id == booth)))


async def test_a_visit_is_counted_and_the_visitor_told(client, db, demo):
    await log_in(client, BUYER, DEMO_PASSWORD)
    page = await client.get(BOOTH)
    assert "This booth's staff see that you visited." in visible_text(page.text)
    await client.get(BOOTH)
    [visit] = await visits(db, "calanques-numerique")
    assert visit.count == 2 and visit.first_at <= visit.last_at


async def test_no_visit_is_recorded_when_sharing_is_off(client, db, demo):
    await log_in(client, BUYER, DEMO_PASSWORD)
    response = await submit(
        client, "/account", {"name": "Giulia Ferri", "language": "en", "time_zone": "Europe/Rome"}
    )  # box unticked
    assert response.status_code == 303
    page = await client.get(BOOTH)
    assert "see that you visited" not in visible_text(page.text)
    assert await visits(db, "calanques-numerique") == []


async def test_staff_see_their_leads_and_export_them(client, demo):
    await log_in(client, STAFF, DEMO_PASSWORD)
    page = visible_text((await client.get(f"/fairs/{BARI}/booths/sassi-digital-lab/leads")).text)
    assert "Marc Olivier" in page and "Méditerranée Invest" in page
    export = await client.get(f"/fairs/{BARI}/booths/sassi-digital-lab/leads.csv")
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    marc = next(row for row in rows if row["name"] == "Marc Olivier")
    assert marc["firm"] == "Méditerranée Invest" and marc["messages"] == "2"
    assert {row["email"] for row in rows} >= {"buyer@fiera.demo"}


async def test_chat_export_is_safe_for_spreadsheets(client, db, demo):

    booth = await db.scalar(
        select(Booth).where(Booth.slug == "sassi-digital-lab").options(selectinload(Booth.firm))
    )
    buyer = await db.scalar(select(User).where(User.email == BUYER))
    visitor = await db.scalar(
        select(Participant).where(
            Participant.user_id == buyer.id, Participant.fair_id == booth.fair_id
        )
    )
    await chat.post(
        db, booth, buyer, '=HYPERLINK("http://evil.example")', from_staff=False, visitor=visitor
    )
    await db.commit()
    await log_in(client, STAFF, DEMO_PASSWORD)
    export = await client.get(f"/fairs/{BARI}/booths/sassi-digital-lab/chats.csv")
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert rows[-1]["message"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[0]["message"] == "Bonjour! Do you also build portals in French?"


async def test_chat_export_neutralises_every_formula_start_and_leaves_empty_cells_empty(
    client, db, demo
):
    booth = await db.scalar(
        select(Booth).where(Booth.slug == "sassi-digital-lab").options(selectinload(Booth.firm))
    )
    buyer = await db.scalar(select(User).where(User.email == BUYER))
    visitor = await db.scalar(
        select(Participant).where(
            Participant.user_id == buyer.id, Participant.fair_id == booth.fair_id
        )
    )
    bodies = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "a plain -1"]
    for body in bodies:
        await chat.post(db, booth, buyer, body, from_staff=False, visitor=visitor)
    removed = await chat.post(db, booth, buyer, "=taken down", from_staff=False, visitor=visitor)
    await chat.remove(db, removed, buyer)
    await db.commit()
    await log_in(client, STAFF, DEMO_PASSWORD)
    export = await client.get(f"/fairs/{BARI}/booths/sassi-digital-lab/chats.csv")
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"), newline="")))
    shown = [row["message"] for row in rows[-len(bodies) - 1 :]]
    assert shown == [*(f"'{body}" for body in bodies[:-1]), "a plain -1", ""]
    assert rows[-1]["removed"] == "yes"
