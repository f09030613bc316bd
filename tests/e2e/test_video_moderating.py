"""An organiser joins the demo meeting's room from the meeting agenda as a visible moderator and
ends it for everyone. WebRTC: run inside a private network namespace (tests/support/netns.py)."""

from __future__ import annotations

import asyncio

import pytest

from server.demo import DEMO_LOGINS
from tests.e2e.test_video import (
    FAIR,
    SHOTS,
    frames,
    join,
    logged_in,
    media_browser,  # noqa: F401  (a fixture)
    served,  # noqa: F401  (a fixture)
    until_frames_rise,
)

pytestmark = [pytest.mark.browser, pytest.mark.webrtc]

CLOSED = """() => {
  const pc = window.fieraRoom && window.fieraRoom.pc;
  return Boolean(pc) && pc.connectionState === "closed";
}"""


async def test_an_organiser_joins_as_moderator_and_ends_the_room_for_everyone(
    served,  # noqa: F811
    media_browser,  # noqa: F811
):
    url, room_url = served
    buyer_context, buyer = await logged_in(media_browser, url, DEMO_LOGINS["buyer"])
    staff_context, staff = await logged_in(media_browser, url, DEMO_LOGINS["exhibitor"], 390)
    organiser_context, organiser = await logged_in(media_browser, url, DEMO_LOGINS["organiser"])
    await join(buyer, room_url)
    await join(staff, room_url)
    await until_frames_rise(buyer)

    # the organiser finds the open room in the meeting agenda, beside the meeting's firms
    await organiser.goto(f"{url}{FAIR}/organise/agenda")
    row = organiser.locator("tr", has_text="Open now")
    await row.get_by_role("link", name="Join as moderator").click()
    await organiser.wait_for_url(room_url)
    await organiser.get_by_text("You are here as a moderator").wait_for()
    await organiser.get_by_role("button", name="Join the room").click()
    await until_frames_rise(organiser)

    # both attendees see her, marked as the moderator
    for page in (buyer, staff):
        paola = page.locator(".tile:not(.is-me)", has_text="Paola Organiser")
        await paola.locator("[data-role]", has_text="Moderator").wait_for(timeout=10000)
    assert await buyer.get_by_role("button", name="End for everyone").count() == 0
    # three people on a phone: the others first, one's own camera last
    await staff.wait_for_function("() => !document.querySelector('.tiles.is-pair')")
    boxes = [await t.bounding_box() for t in await staff.locator(".tile").all()]
    mine = await staff.locator(".tile.is-me").bounding_box()
    assert mine and mine["y"] == max(box["y"] for box in boxes if box)
    SHOTS.mkdir(parents=True, exist_ok=True)
    await organiser.screenshot(path=SHOTS / "room-moderator-1280.png", full_page=True)
    await staff.screenshot(path=SHOTS / "room-three-390.png", full_page=True)

    # she ends it (after the browser's confirmation): everyone is out, their connections closed
    organiser.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await organiser.get_by_role("button", name="End for everyone").click()
    for page in (buyer, staff, organiser):
        await page.get_by_text("An organiser ended this room.").wait_for(timeout=10000)
        await page.wait_for_function(CLOSED)
        assert await frames(page) == -1
        assert await page.get_by_role("button", name="Join again").is_hidden()
    await staff.screenshot(path=SHOTS / "room-ended-390.png", full_page=True)
    # and the room stays closed
    response = await buyer.goto(room_url)
    assert response is not None and response.status == 410
    for context in (buyer_context, staff_context, organiser_context):
        await context.close()
