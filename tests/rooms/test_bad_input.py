"""Input a browser would never send, typed or crafted: a page with a message next to the field,
a 404, or the value ignored, never a 500 and never half a save (on both databases)."""

import pytest
from sqlalchemy import select

from rooms import ics, operations
from rooms.models import AgendaSession, MeetingRequest, UnavailableSlot
from server.fairs.models import BookingMode
from tests.rooms.conftest import NOW, build_world
from tests.support.factories import PASSWORD
from tests.support.pages import log_in, submit, visible_text

UNICODE_DIGITS = ["²", "٣", "１２"]  # superscript, Arabic-Indic and full-width digits


def feed_path(world, participant, token: str) -> str:
    return f"/fairs/{world.fair.slug}/agenda/feed/{participant.id}/{token}.ics"


async def test_a_non_ascii_feed_token_is_not_found(client, world):
    response = await client.get(feed_path(world, world.buyer, "%C3%A9"))
    assert response.status_code == 404
    assert "Page not found" in visible_text(response.text)


async def test_the_feed_of_an_unpublished_fair_is_not_found(client, db, world):
    token = ics.feed_token("test-secret-key-not-for-production", world.fair.id, world.buyer.id)
    assert (await client.get(feed_path(world, world.buyer, token))).status_code == 200
    world.fair.published = False
    await db.commit()
    response = await client.get(feed_path(world, world.buyer, token))
    assert response.status_code == 404
    assert "BEGIN:VCALENDAR" not in response.text


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
async def test_unicode_digits_in_the_firm_query_are_ignored(client, world, digits):
    await log_in(client, world.users["buyer"].email, PASSWORD)
    page = await client.get(f"/fairs/{world.fair.slug}/meetings/new?firm={digits}")
    assert page.status_code == 200
    assert "Ask for a meeting Firm" in visible_text(page.text)


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
async def test_unicode_digits_among_unavailable_slots_are_ignored(client, db, world, digits):
    await log_in(client, world.users["buyer"].email, PASSWORD)
    agenda = f"/fairs/{world.fair.slug}/agenda"
    data = {"attendance": "onsite", "unavailable": [str(world.slots[0].id), digits]}
    saved = await submit(client, agenda, data, action=f"{agenda}/availability")
    assert saved.status_code == 303
    page = visible_text((await client.get(saved.headers["location"])).text)
    assert "Your availability is saved." in page
    blocked = await db.scalars(
        select(UnavailableSlot.slot_id).where(UnavailableSlot.participant_id == world.buyer.id)
    )
    assert list(blocked) == [world.slots[0].id]


async def test_unicode_digits_as_the_chosen_slot_book_the_first_free_one(client, db, world):
    sent = await operations.send_request(
        db, world.fair, world.buyer, world.firms["Alpha Srl"].id, "", now=NOW
    )
    await db.commit()
    await log_in(client, world.users["alpha"].email, PASSWORD)
    meetings = f"/fairs/{world.fair.slug}/meetings"
    accept = f"{meetings}/requests/{sent.request.id}/accept"
    accepted = await submit(client, meetings, {"slot": "²"}, action=accept)
    assert accepted.status_code == 303
    page = visible_text((await client.get(accepted.headers["location"])).text)
    assert "Accepted. The meeting is in your agenda." in page


SETTINGS = {
    "slot_minutes": "20",
    "break_minutes": "0",
    "tables": "2",
    "request_expiry_hours": "48",
    "max_meetings": "",
    "video_rooms": "",
    "booking_mode": "on_acceptance",
}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("tables", "Enter a whole number."),
        ("break_minutes", "Enter a whole number."),
        ("request_expiry_hours", "Enter a whole number."),
        ("max_meetings", "Enter a whole number, or leave it empty."),
        ("video_rooms", "Enter a whole number, or leave it empty."),
    ],
)
async def test_unicode_digits_in_agenda_settings_are_refused_next_to_the_field(
    client, world, field, message
):
    await log_in(client, world.users["organiser"].email, PASSWORD)
    agenda = f"/fairs/{world.fair.slug}/organise/agenda"
    refused = await submit(client, agenda, SETTINGS | {field: "²"}, action=f"{agenda}/settings")
    assert refused.status_code == 400
    assert f'<p class="field-error" id="error-{field}">{message}</p>' in refused.text


@pytest.mark.parametrize("limit", ["²", "٣", "7", "１０"])
async def test_an_odd_time_limit_is_refused_next_to_the_field(client, db, passwords, limit):
    w = await build_world(db, passwords, booking_mode=BookingMode.ORGANISER)
    sent = await operations.send_request(db, w.fair, w.buyer, w.firms["Alpha Srl"].id, "", now=NOW)
    await operations.accept_request(db, w.fair, w.alpha, sent.request.id, now=NOW)
    await db.commit()
    await log_in(client, w.users["organiser"].email, PASSWORD)
    page_url = f"/fairs/{w.fair.slug}/organise/schedule"
    refused = await submit(client, page_url, {"time_limit": limit}, action=f"{page_url}/runs")
    assert refused.status_code == 400
    assert (
        '<p class="field-error" id="error-time_limit">Choose one of the offered time limits.</p>'
        in refused.text
    )
    assert "1 accepted request is waiting for a slot." in visible_text(refused.text)


@pytest.mark.parametrize("field", ["starts", "ends"])
@pytest.mark.parametrize("typed", ["09:00+05:00", "09:00Z"])
async def test_a_session_time_with_an_offset_is_refused_next_to_the_field(
    client, db, world, field, typed
):
    await log_in(client, world.users["organiser"].email, PASSWORD)
    agenda = f"/fairs/{world.fair.slug}/organise/agenda"
    data = {"day": "2027-03-18", "starts": "09:30", "ends": "12:00", "label": "Second"}
    refused = await submit(client, agenda, data | {field: typed}, action=f"{agenda}/sessions")
    assert refused.status_code == 400
    example = "09:30" if field == "starts" else "13:00"
    message = f"Enter a time like {example}, in the fair&#39;s time zone."
    assert f'<p class="field-error" id="error-{field}">{message}</p>' in refused.text
    labels = await db.scalars(
        select(AgendaSession.label).where(AgendaSession.fair_id == world.fair.id)
    )
    assert list(labels) == ["Morning"]  # nothing half-saved


async def test_nul_in_a_request_message_is_dropped(client, db, world):
    await log_in(client, world.users["buyer"].email, PASSWORD)
    form_url = f"/fairs/{world.fair.slug}/meetings/new"
    data = {"firm": str(world.firms["Alpha Srl"].id), "message": "Prices\x00 and terms"}
    sent = await submit(client, form_url, data)
    assert sent.status_code == 303
    page = visible_text((await client.get(sent.headers["location"])).text)
    assert "Your request is sent." in page and "Prices and terms" in page
    stored = await db.scalar(
        select(MeetingRequest.message).where(MeetingRequest.fair_id == world.fair.id)
    )
    assert stored == "Prices and terms"


@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_nul_in_a_reason_is_dropped(client, db, world, action):
    sent = await operations.send_request(
        db, world.fair, world.buyer, world.firms["Alpha Srl"].id, "", now=NOW
    )
    await db.commit()
    # the firm declines; the sender withdraws
    await log_in(client, world.users["alpha" if action == "decline" else "buyer"].email, PASSWORD)
    meetings = f"/fairs/{world.fair.slug}/meetings"
    url = f"{meetings}/requests/{sent.request.id}/{action}"
    done = await submit(client, meetings, {"reason": "Not\x00 now"}, action=url)
    assert done.status_code == 303
    page = visible_text((await client.get(done.headers["location"])).text)
    assert "Reason: Not now" in page


async def test_nul_in_a_session_label_is_dropped(client, db, world):
    await log_in(client, world.users["organiser"].email, PASSWORD)
    agenda = f"/fairs/{world.fair.slug}/organise/agenda"
    data = {"day": "2027-03-18", "starts": "09:30", "ends": "12:00", "label": "After\x00noon"}
    saved = await submit(client, agenda, data, action=f"{agenda}/sessions")
    assert saved.status_code == 303
    assert "Afternoon" in visible_text((await client.get(agenda)).text)
