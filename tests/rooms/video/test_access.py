"""Every room page for every kind of visitor and every state of the room, against outcomes
written by hand (TESTING.md: never against values the permission code computes)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from rooms.models import Meeting, MeetingStatus
from tests.rooms.video.conftest import moments
from tests.support.factories import PASSWORD
from tests.support.pages import csrf_token, log_in, visible_text

VISITORS = ["anonymous", "stranger", "bystander", "attendee", "other", "organiser"]
STATES = ["open", "not-open", "closed", "cancelled"]

# page = 200; login = 303 to /login; done = 303 elsewhere; else the status.
# (method, path, state) -> outcome for each visitor, in the order of VISITORS
TABLE: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("GET", "/fairs/{A}/rooms/check", "open", ("login", "403", "page", "page", "page", "page")),
    ("GET", "/fairs/{A}/rooms/{room}", "open", ("login", "403", "403", "page", "page", "page")),
    ("GET", "/fairs/{A}/rooms/{room}", "not-open", ("login", "403", "403", "page", "page", "page")),
    ("GET", "/fairs/{A}/rooms/{room}", "closed", ("login", "403", "403", "410", "410", "410")),
    ("GET", "/fairs/{A}/rooms/{room}", "cancelled", ("login", "403", "403", "410", "410", "410")),
    # a guessed room, and this fair's room under another fair's address
    ("GET", "/fairs/{A}/rooms/vr-guessed", "open", ("login", "404", "404", "404", "404", "404")),
    ("GET", "/fairs/{B}/rooms/{room}", "open", ("login", "404", "404", "404", "404", "404")),
    ("POST", "/fairs/{A}/rooms/{room}/end", "closed", ("login", "403", "403", "410", "410", "410")),
    (
        "POST",
        "/fairs/{A}/rooms/{room}/end",
        "cancelled",
        ("login", "403", "403", "410", "410", "410"),
    ),
    (
        "POST",
        "/fairs/{A}/rooms/vr-guessed/end",
        "open",
        ("login", "404", "404", "404", "404", "404"),
    ),
    # last: an organiser's end closes the room for good
    ("POST", "/fairs/{A}/rooms/{room}/end", "open", ("login", "403", "403", "403", "403", "done")),
    ("GET", "/fairs/{A}/rooms/{room}", "open", ("login", "403", "403", "page", "page", "410")),
]


def outcome(response) -> str:
    if response.status_code == 303:
        return "login" if "/login" in response.headers["location"] else "done"
    return "page" if response.status_code == 200 else str(response.status_code)


@pytest.mark.parametrize("visitor", VISITORS)
async def test_every_room_route_for_every_visitor(client, db, rooms_world, clock, visitor):
    w = rooms_world
    emails = {
        "stranger": w.stranger.email,
        "bystander": w.world.users["beta"].email,
        "attendee": w.world.users["buyer"].email,
        "other": w.world.users["alpha"].email,
        "organiser": w.world.users["organiser"].email,
    }
    if visitor != "anonymous":
        await log_in(client, emails[visitor], PASSWORD)
    token = csrf_token((await client.get("/")).text)
    names = {"A": w.world.fair.slug, "B": w.other_fair, "room": w.meeting.video_room}
    at = moments(w)
    found = []
    for method, path, state, expected in TABLE:
        cancelled = state == "cancelled"
        await db.execute(
            update(Meeting)
            .where(Meeting.id == w.meeting.id)
            .values(status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED)
        )
        await db.commit()
        clock.at = at["open" if cancelled else state]
        url = path.format(**names)
        if method == "GET":
            response = await client.get(url)
        else:
            response = await client.post(url, data={"csrf_token": token})
        want = expected[VISITORS.index(visitor)]
        if outcome(response) != want:
            found.append(f"{method} {path} ({state}): expected {want}, got {outcome(response)}")
    assert found == []


async def test_the_room_page_shows_the_other_side_and_the_times(client, rooms_world, clock):
    w = rooms_world
    await log_in(client, w.world.users["buyer"].email, PASSWORD)
    page = await client.get(f"/fairs/{w.world.fair.slug}/rooms/{w.meeting.video_room}")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Video meeting with Alpha Srl" in text
    card = text.split("About the meeting")[-1] if "About the meeting" in text else text
    assert f"Alpha Srl {w.world.users['alpha'].name}" in card
    assert "You are here as a moderator" not in text
    # the times the client counts down to, as aware UTC instants
    closes = page.text.split('data-closes-at="')[1].split('"')[0]
    assert closes.startswith("2027-03-17T") and closes.endswith("+00:00")


async def test_refusals_say_why(client, rooms_world, clock):
    w = rooms_world
    await log_in(client, w.world.users["beta"].email, PASSWORD)
    page = await client.get(f"/fairs/{w.world.fair.slug}/rooms/{w.meeting.video_room}")
    assert page.status_code == 403
    assert "This room is for the people of this meeting only." in visible_text(page.text)
    client.cookies.clear()
    await log_in(client, w.world.users["buyer"].email, PASSWORD)
    clock.at = moments(w)["closed"]
    page = await client.get(f"/fairs/{w.world.fair.slug}/rooms/{w.meeting.video_room}")
    assert page.status_code == 410
    assert "This meeting's room has closed." in visible_text(page.text)


async def test_agenda_and_meetings_show_join_while_the_room_is_open(client, rooms_world, clock):
    w = rooms_world
    await log_in(client, w.world.users["buyer"].email, PASSWORD)
    room = f"/fairs/{w.world.fair.slug}/rooms/{w.meeting.video_room}"
    for state, shown in (("not-open", False), ("open", True), ("closed", False)):
        clock.at = moments(w)[state]
        agenda = await client.get(f"/fairs/{w.world.fair.slug}/agenda")
        assert (f'href="http://testserver{room}"' in agenda.text) is shown, state
        assert ("Join the video room" in visible_text(agenda.text)) is shown, state


async def test_organisers_join_open_video_meetings_as_moderators_from_their_agenda(
    client, rooms_world, clock
):
    w = rooms_world
    room = f"/fairs/{w.world.fair.slug}/rooms/{w.meeting.video_room}"
    for email, may in (
        (w.world.users["organiser"].email, True),
        (w.world.users["buyer"].email, False),
    ):
        await log_in(client, email, PASSWORD)
        for state, shown in (("not-open", False), ("open", True), ("closed", False)):
            clock.at = moments(w)[state]
            page = await client.get(f"/fairs/{w.world.fair.slug}/organise/agenda")
            if not may:
                assert page.status_code == 403
                continue
            text = visible_text(page.text)
            assert (f'href="http://testserver{room}"' in page.text) is shown, state
            assert ("Join as moderator" in text) is shown, state
            assert ("Open now" in text) is shown, state
        client.cookies.clear()
    # the organiser's room page says who they are there as, and leads back to their agenda
    await log_in(client, w.world.users["organiser"].email, PASSWORD)
    clock.at = moments(w)["open"]
    page = visible_text((await client.get(room)).text)
    assert "You are here as a moderator" in page
    assert "Meeting agenda" in page
