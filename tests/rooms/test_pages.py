"""The meeting pages as people see them, on the seeded demo fair."""

import re

import pytest

from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.support.pages import csrf_token, log_in, submit, visible_text

BARI = "/fairs/fiera-mediterranea-b2b"


# Every test here reads the demo, seeded once per backend; each test's changes roll back.
@pytest.fixture
def connection(demo_connection):
    return demo_connection


@pytest.fixture
def settings(demo_settings):
    return demo_settings


@pytest.fixture
def demo(seeded_demo):
    """The demo world the test runs in (already seeded: asking for it documents the need)."""
    return seeded_demo.world


async def test_the_buyer_sees_requests_in_every_state(client, demo):
    await log_in(client, DEMO_LOGINS["buyer"], DEMO_PASSWORD)
    page = visible_text((await client.get(f"{BARI}/meetings")).text)
    assert "Times in Central European Standard Time (Europe/Rome)" in page
    for words in (
        "Basento Design Studio Waiting for an answer",
        "Murgia Software Accepted",
        "Vulture Data Declined",
        "Reason: We only work with manufacturers for now.",
        "Lucania Cloud Services Cancelled",
        "Pollino Interactive Expired",
        "Wednesday 17 March, 09:30 · Table 1",
        "Azur Design Collectif Accepted",
        "Video room",
    ):
        assert words in page, words


async def test_the_exhibitor_accepts_an_offered_slot_and_finds_it_in_the_agenda(client, demo):
    await log_in(client, DEMO_LOGINS["exhibitor"], DEMO_PASSWORD)
    page = (await client.get(f"{BARI}/meetings")).text
    assert "Incoming 1" in visible_text(page)
    request_id = re.search(r"/meetings/requests/(\d+)/accept", page).group(1)
    slot_id = re.search(rf'id="slot-{request_id}" name="slot">\s*<option value="(\d+)"', page)
    response = await client.post(
        f"{BARI}/meetings/requests/{request_id}/accept",
        data={"slot": slot_id.group(1), "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 303
    done = visible_text((await client.get(response.headers["location"])).text)
    assert "Accepted. The meeting is in your agenda." in done
    agenda = visible_text((await client.get(f"{BARI}/agenda")).text)
    # the one incoming request is Puglia Innovation Hub's
    assert "Puglia Innovation Hub" in agenda and "Méditerranée Invest" in agenda


async def test_the_organiser_sees_the_grid_and_the_video_meetings(client, demo):
    await log_in(client, DEMO_LOGINS["organiser"], DEMO_PASSWORD)
    page = visible_text((await client.get(f"{BARI}/organise/agenda")).text)
    assert "Table 14" in page and "Video meetings" in page
    assert "Wed 17 Mar, 09:30 Levante Retail Group Murgia Software" in page
    # a video meeting's room is named by its number; its token is its address, not its name
    assert "Video room 1" in page and "vr-" not in page


async def test_asking_a_firm_for_a_meeting_and_a_duplicate_is_refused(client, demo, db):
    from sqlalchemy import select

    from rooms.models import MeetingRequest
    from server.identity.models import Firm

    firm = await db.scalar(select(Firm).where(Firm.name == "Gravina Media"))
    await log_in(client, DEMO_LOGINS["buyer"], DEMO_PASSWORD)
    form_url = f"{BARI}/meetings/new?firm={firm.id}"
    assert "Ask Gravina Media for a meeting" in visible_text((await client.get(form_url)).text)
    data = {"firm": str(firm.id), "message": "Video for our stores"}
    sent = await submit(client, form_url, data, action=f"{BARI}/meetings/new")
    assert sent.status_code == 303
    page = visible_text((await client.get(sent.headers["location"])).text)
    assert "Your request is sent." in page and "Gravina Media Waiting for an answer" in page
    open_id = await db.scalar(
        select(MeetingRequest.id).where(
            MeetingRequest.recipient_firm_id == firm.id, MeetingRequest.open_pair.is_not(None)
        )
    )
    link = f'{BARI}/meetings#request-{open_id}"'
    # the form says at once that a request is open, and links to it
    form_page = (await client.get(form_url)).text
    assert "You already have an open request with Gravina Media." in visible_text(form_page)
    assert link in form_page
    again = await submit(client, form_url, data, action=f"{BARI}/meetings/new")
    assert again.status_code == 400
    assert (
        "You already have an open request with Gravina Media: answer or cancel it first."
        in visible_text(again.text)
    )
    # the firm chosen was right: the field is not marked, and the open request is linked
    assert 'aria-invalid="true"' not in again.text and "has-error" not in again.text
    assert link in again.text


async def test_the_booth_page_shows_an_open_request_instead_of_the_button(client, demo):
    await log_in(client, DEMO_LOGINS["buyer"], DEMO_PASSWORD)
    asked = visible_text((await client.get(f"{BARI}/booths/basento-design")).text)
    assert "Meeting requested: see the request" in asked and "Request a meeting" not in asked
    # the demo booth (Sassi Digital Lab) has no request open with the demo buyer: ask it
    page = (await client.get(f"{BARI}/booths/sassi-digital-lab")).text
    assert "Request a meeting" in visible_text(page)
    form_url = re.search(r'href="([^"]+/meetings/new\?firm=\d+)"', page).group(1)
    firm = form_url.rsplit("=", 1)[1]
    data = {"firm": firm, "message": "An open data portal for our shopping centres?"}
    sent = await submit(client, form_url, data, action=f"{BARI}/meetings/new")
    assert sent.status_code == 303
    after = visible_text((await client.get(f"{BARI}/booths/sassi-digital-lab")).text)
    assert "Meeting requested: see the request" in after


async def test_the_agenda_links_to_the_other_firms_booth(client, demo):
    await log_in(client, "buyer@fiera.demo", DEMO_PASSWORD)
    page = await client.get("/fairs/fiera-mediterranea-b2b/agenda")
    assert "Visit the booth of" in visible_text(page.text)


async def test_the_organiser_limits_video_rooms(client, demo):
    await log_in(client, "organiser@fiera.demo", DEMO_PASSWORD)
    agenda = "/fairs/fiera-mediterranea-b2b/organise/agenda"
    page = await client.get(agenda)
    values = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page.text))
    form = {
        name: values.get(name, "")
        for name in (
            "slot_minutes",
            "break_minutes",
            "tables",
            "request_expiry_hours",
            "max_meetings",
        )
    }
    form.update(slot_minutes="20", booking_mode="on_acceptance", video_rooms="abc")
    refused = await submit(client, agenda, form, action=f"{agenda}/settings")
    assert "Enter a whole number, or leave it empty." in visible_text(refused.text)
    form["video_rooms"] = "12"
    saved = await submit(client, agenda, form, action=f"{agenda}/settings")
    assert saved.status_code == 303
    assert 'name="video_rooms"' in (await client.get(agenda)).text
    assert re.search(r'name="video_rooms"[^>]*value="12"', (await client.get(agenda)).text)


def test_video_rooms_keep_their_number_and_the_others_take_the_lowest_free_one():
    from types import SimpleNamespace

    from rooms.queries import room_numbers

    def meeting(id, slot, number):
        return SimpleNamespace(id=id, slot_id=slot, video_number=number)

    video = [meeting(1, 10, None), meeting(2, 10, 1), meeting(3, 10, None), meeting(4, 11, None)]
    assert room_numbers(video) == {1: 2, 2: 1, 3: 3, 4: 1}  # type: ignore[arg-type]
