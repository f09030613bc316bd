"""Talk now in two browsers: the buyer rings the exhibitor's booth, the exhibitor accepts, and
both land on the room page; the same call with video flowing both ways is in test_video.py."""

import re

import pytest
from sqlalchemy import select

from rooms.models import VideoRoom
from server.demo import DEMO_LOGINS
from tests.e2e.test_booth_chat import BOOTH, logged_in
from tests.e2e.test_login import SCREENSHOTS

pytestmark = pytest.mark.browser
ROOM = re.compile(r".*/fairs/fiera-mediterranea-b2b/rooms/[\w-]+$")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def screenshots(page, name: str) -> None:
    """The page at desktop and phone widths, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        await page.set_viewport_size(size)
        await page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png")
    await page.set_viewport_size(DESKTOP)


async def test_a_buyer_talks_now_with_the_exhibitor(live, browser, backend):
    url, database, _ = live
    staff_context, staff = await logged_in(browser, url, DEMO_LOGINS["exhibitor"])
    buyer_context, buyer = await logged_in(browser, url, DEMO_LOGINS["buyer"])
    await staff.goto(url + "/fairs/fiera-mediterranea-b2b/booths")  # any fair page rings
    await buyer.goto(url + BOOTH)

    talk = buyer.get_by_role("link", name="Talk now")
    await talk.wait_for(state="visible", timeout=5000)  # the exhibitor is online
    await talk.click()
    await buyer.locator('[data-call-state="ringing"]').wait_for(timeout=5000)
    await buyer.get_by_text("Ringing 1 staff member.").wait_for(timeout=5000)

    dialog = staff.get_by_role("alertdialog", name="Talk now")
    await dialog.wait_for(timeout=5000)
    assert "Giulia Ferri from Levante Retail Group wants to talk now." in (
        await dialog.inner_text()
    )
    accept = dialog.get_by_role("button", name="Accept")
    assert await accept.evaluate("button => document.activeElement === button")
    if backend == "sqlite":
        await screenshots(staff, "talk-now-ring")
        await screenshots(buyer, "talk-now-waiting")

    await staff.keyboard.press("Enter")  # the focused Accept, by keyboard
    await staff.wait_for_url(ROOM, timeout=5000)
    await buyer.wait_for_url(ROOM, timeout=5000)
    assert staff.url == buyer.url
    async with database.read_session() as db:
        [token] = await db.scalars(select(VideoRoom.token))
    assert staff.url.endswith(token)
    heading = await buyer.get_by_role("heading", level=1).inner_text()
    assert "Sassi Digital Lab" in heading, heading
    await staff_context.close()
    await buyer_context.close()


async def test_a_call_nobody_answers_offers_chat_and_a_meeting(live, browser, backend):
    url, _, _ = live
    buyer_context, buyer = await logged_in(browser, url, DEMO_LOGINS["buyer"])
    staff_context, staff = await logged_in(browser, url, DEMO_LOGINS["exhibitor"])
    await staff.goto(url + BOOTH)
    await buyer.goto(url + BOOTH)
    await buyer.get_by_role("link", name="Talk now").click()  # once the exhibitor is online
    await buyer.locator('[data-call-state="ringing"]').wait_for(timeout=5000)
    dialog = staff.get_by_role("alertdialog", name="Talk now")
    await dialog.wait_for(timeout=5000)
    await dialog.get_by_role("button", name="Decline").click()
    await dialog.wait_for(state="hidden", timeout=5000)
    await buyer.get_by_text("Nobody could take your call just now.").wait_for(timeout=5000)
    assert await buyer.get_by_role("link", name="Chat with us").is_visible()
    # the ended call can be tried again, and the button says so
    assert await buyer.get_by_role("button", name="Call again").is_visible()
    assert await buyer.get_by_role("button", name="Call now").count() == 0
    if backend == "sqlite":
        await screenshots(buyer, "talk-now-declined")
    await buyer.get_by_role("button", name="Call again").click()
    await dialog.wait_for(timeout=5000)
    await buyer.get_by_role("button", name="Hang up").click()
    await buyer.get_by_role("button", name="Call again").wait_for(timeout=5000)
    await staff_context.close()
    await buyer_context.close()
