"""Hostile values in booth URLs and the booth editor answer 404 or a saved form; never a 500."""

import re

import pytest
from sqlalchemy import select

from server.demo import DEMO_PASSWORD
from server.fairs.models import Fair, Sector
from tests.support.demo import BARI, STAFF
from tests.support.pages import log_in, submit, visible_text

BOOTH = f"/fairs/{BARI}/booths/sassi-digital-lab"
EDIT = f"{BOOTH}/edit"


@pytest.fixture
async def staff(client, demo):
    await log_in(client, STAFF, DEMO_PASSWORD)
    return client


async def bari_sector(db, slug: str) -> Sector:
    return await db.scalar(
        select(Sector)
        .join(Fair, Sector.fair_id == Fair.id)
        .where(Fair.slug == BARI, Sector.slug == slug)
    )


def profile(**changes) -> dict:
    values = {"headline": "Open data for towns", "description": "Portals for every town."}
    return {**values, "website": "", **changes}


@pytest.mark.parametrize(
    "path",
    [
        f"/fairs/{BARI}/halls/%00",
        f"/fairs/{BARI}/halls/basilicata%00",
        f"/fairs/{BARI}/booths/%00",
        f"/fairs/{BARI}/booths/sassi-digital-lab%00/edit",
    ],
)
async def test_a_control_character_in_a_hall_or_booth_path_is_not_found(staff, path):
    response = await staff.get(path)
    assert response.status_code == 404
    assert "There is nothing here. The link may be old or mistyped." in visible_text(response.text)


@pytest.mark.parametrize(
    "bad_id",
    ["²", "99999999999", "1" * 20],
    ids=["superscript", "past-int32", "twenty-digits"],
)
async def test_a_bad_or_unknown_sector_id_is_left_out_and_the_rest_saved(staff, db, bad_id):
    design = await bari_sector(db, "design")
    unknown = "424242"  # a whole number, but no sector of this fair
    response = await submit(
        staff, EDIT, profile(sectors=[str(design.id), bad_id, unknown, "1" * 9])
    )
    assert response.status_code == 303, visible_text(response.text)
    page = (await staff.get(BOOTH)).text
    assert "Open data for towns" in visible_text(page)
    # only the real sector was kept: one chip, the design one
    assert re.findall(r'<li class="chip">([^<]+)</li>', page) == [design.name]


@pytest.mark.parametrize("field", ["website", "url"])
async def test_a_nul_in_a_web_address_is_dropped_not_a_500(staff, field):
    if field == "website":
        response = await submit(staff, EDIT, profile(website="https://sassi.example/\x00open"))
    else:
        response = await submit(
            staff,
            EDIT,
            {"link_title": "Open data\x00 portal", "url": "https://sassi.example/\x00portal"},
            action=f"{BOOTH}/links",
        )
    assert response.status_code == 303, visible_text(response.text)
    page = (await staff.get(BOOTH)).text
    assert "\x00" not in page
    expected = "https://sassi.example/open" if field == "website" else "Open data portal"
    assert expected in visible_text(page)


async def test_a_unicode_digit_in_the_staff_inbox_query_opens_the_newest_chat(staff):
    response = await staff.get(f"{BOOTH}/chats?c=²&before=²")
    assert response.status_code == 200
    assert "Chats" in visible_text(response.text)
