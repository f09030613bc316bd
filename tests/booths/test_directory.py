"""The booth directory: filters with shareable URLs, accent- and case-insensitive search."""

import re

import pytest
from sqlalchemy import select, update

from booths import operations
from booths.models import Booth
from booths.queries import booth_in
from booths.search import fold
from server.fairs.queries import fair_for
from tests.support.demo import BARI
from tests.support.pages import visible_text

DIRECTORY = f"/fairs/{BARI}/booths"


def test_fold_drops_accents_and_case_in_every_script():
    assert fold("Provence-Alpes-Côte d'Azur") == "provence-alpes-cote d'azur"
    assert fold("ΨΗΦΙΑΚΉ Αθήνα") == "ψηφιακη αθηνα"
    assert fold("Phocée Interactive") == "phocee interactive"
    assert fold("Straße") == "strasse"


def firms_on(page: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("numerique", ["Calanques Numérique"]),
        ("NUMÉRIQUE", ["Calanques Numérique"]),
        ("αθηνα", ["Ψηφιακή Αθήνα Media"]),
        ("ΑΘΉΝΑ", ["Ψηφιακή Αθήνα Media"]),
        ("xr heritage", ["Matera Heritage XR"]),
        ("iGaming", ["Valletta Blue Code"]),  # in the booth text, not the name
        ("investment robots", []),  # every word must match
        ("50%_", []),  # LIKE wildcards are searched for literally
    ],
)
async def test_search_is_accent_and_case_insensitive(client, demo, query, expected):
    response = await client.get(DIRECTORY, params={"q": query})
    assert response.status_code == 200
    found = firms_on(response.text)
    assert sorted(found) == sorted(expected), found


@pytest.mark.parametrize(
    ("query", "hall"),
    [
        ("Provence", "paca"),
        ("côte d'azur", "paca"),
        ("cote", "paca"),
        ("ATTICA", "attica"),
        ("Malta", "malta"),
        ("basilicata", "basilicata"),
        ("Grecia", "attica"),  # the country in Italian,
        ("ελλαδα", "attica"),  # in Greek, accents folded,
        ("Greece", "attica"),  # and in English
        ("francia", "paca"),
    ],
)
async def test_search_finds_a_place_by_its_name(client, demo, query, hall):
    by_hall = firms_on((await client.get(DIRECTORY, params={"hall": hall})).text)
    by_name = firms_on((await client.get(DIRECTORY, params={"q": query})).text)
    # every firm of the place, and beside them at most a firm that mentions it (Sassi Digital
    # Lab works with Provence)
    assert by_hall and set(by_hall) <= set(by_name), by_name
    assert len(by_name) <= len(by_hall) + 1, by_name


async def test_a_place_narrows_a_search(client, demo):
    response = await client.get(DIRECTORY, params={"q": "robots basilicata"})
    assert firms_on(response.text) == ["Metapontum Robotics"]


async def test_filters_combine_and_have_a_url(client, demo):
    response = await client.get(DIRECTORY, params={"country": "gr", "sector": "culture-media"})
    assert firms_on(response.text) == ["Ψηφιακή Αθήνα Media"]
    text = visible_text(response.text)
    assert "1 booth found" in text
    # the form shows the filters in force, so the URL can be shared and refined
    assert '<option value="GR" selected>Greece</option>' in response.text
    by_hall = await client.get(DIRECTORY, params={"hall": "paca"})
    assert len(firms_on(by_hall.text)) == 5
    assert "5 booths found" in visible_text(by_hall.text)


async def test_pages_of_the_directory(client, demo):
    first = await client.get(DIRECTORY)
    assert "27 booths found" in visible_text(first.text)
    assert len(firms_on(first.text)) == 24
    assert "Page 1 of 2" in visible_text(first.text)
    second = await client.get(DIRECTORY, params={"page": "2"})
    assert len(firms_on(second.text)) == 3
    beyond = await client.get(DIRECTORY, params={"page": "99"})
    assert firms_on(beyond.text) == firms_on(second.text)


async def test_hidden_booths_are_left_out_for_visitors(client, db, demo):
    await db.execute(update(Booth).where(Booth.slug == "valletta-blue-code").values(hidden=True))
    await db.commit()
    response = await client.get(DIRECTORY, params={"q": "valletta"})
    assert firms_on(response.text) == []
    malta = await client.get(f"/fairs/{BARI}/halls/malta")
    assert "No booths in this hall yet." in visible_text(malta.text)


async def test_a_profile_edit_is_found_by_the_search(client, db, demo):
    fair, _ = await fair_for(db, BARI, None)
    booth = await booth_in(db, fair, "lucania-cloud")
    await operations.update_profile(
        db, booth, headline="Backups à Potenza", description="", website="", sector_ids=[]
    )
    await db.commit()
    response = await client.get(DIRECTORY, params={"q": "backups a potenza"})
    assert firms_on(response.text) == ["Lucania Cloud Services"]
    assert (await db.scalar(select(Booth.search_text).where(Booth.id == booth.id))).startswith(
        "lucania cloud services"
    )
