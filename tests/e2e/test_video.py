"""Two browsers hold the demo's video meeting through the server; strangers are kept out.

Chromium's fake camera and microphone feed the calls; everything runs in a private network
namespace with nothing but loopback (tests/support/netns.py, `make test`).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from rooms.models import Meeting, MeetingMode
from server.app import create_app
from server.db import Database
from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.e2e.browsing import new_context
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_booth_chat import BOOTH
from tests.e2e.test_login import (
    SCREENSHOTS as SHOTS,
)  # FIERA_SCREENSHOTS=/tmp/shots to keep them out
from tests.support.live import serve
from tests.support.settings import make_settings

pytestmark = [pytest.mark.browser, pytest.mark.webrtc]

FAIR = "/fairs/fiera-mediterranea-b2b"
STRANGER = "murgia-software@exhibitors.fiera.demo"  # a demo exhibitor with no part in the meeting

# Frames decoded from everything this page receives (-1 before it has joined).
FRAMES = """async () => {
  const pc = window.fieraRoom && window.fieraRoom.pc;
  if (!pc || pc.connectionState === "closed") return -1;
  let frames = 0;
  (await pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0;
  });
  return frames;
}"""


@pytest.fixture
async def media_browser(browser):
    """Chromium with a fake camera and microphone, allowed to connect WebRTC over loopback."""
    launched = await browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--disable-gpu",
            "--disable-quic",
            "--use-fake-device-for-media-stream",
            # grants getDisplayMedia without a picker: Chromium's fake screen, 1280x720
            "--use-fake-ui-for-media-stream",
            "--allow-loopback-in-peer-connection",
        ],
    )
    yield launched
    await launched.close()


@pytest.fixture
async def served(fresh_demo_url, var_dir):
    """The demo served on 127.0.0.1, its media server gathering candidates on loopback only."""
    settings = replace(make_settings(fresh_demo_url, var_dir), media_addresses=("127.0.0.1",))
    database = Database.from_url(fresh_demo_url)
    async with database.read_session() as db:
        rooms = await db.scalars(
            select(Meeting.video_room)
            .where(Meeting.mode == MeetingMode.VIDEO, Meeting.video_room.is_not(None))
            .order_by(Meeting.id.desc())
        )
        room = next(iter(rooms))  # the demo's newest video meeting is the one open now
    async with serve(create_app(settings, database)) as url:
        yield url, f"{url}{FAIR}/rooms/{room}"
    await database.dispose()


async def logged_in(browser, url: str, email: str, width: int = 1280):
    context = await new_context(browser)
    await context.grant_permissions(["camera", "microphone"], origin=url)
    page = await context.new_page()
    await page.set_viewport_size({"width": width, "height": 900})
    await page.goto(url + "/login")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(url + "/")
    return context, page


# Frames decoded on the shared screen's tile (-1 while there is none), and its picture width.
SCREEN = """async () => {
  const video = document.querySelector(".tile.is-screen video");
  const track = video && video.srcObject && video.srcObject.getVideoTracks()[0];
  const pc = window.fieraRoom && window.fieraRoom.pc;
  if (!track || !pc || pc.connectionState === "closed") return [-1, 0];
  let frames = -1;
  (await pc.getStats(track)).forEach((s) => {
    if (s.type === "inbound-rtp") frames = s.framesDecoded || 0;
  });
  return [frames, video.videoWidth];
}"""


async def frames(page) -> int:
    return await page.evaluate(FRAMES)


async def until_frames_rise(page, above: int = -1, by: int = 10, tries: int = 60) -> int:
    """Wait (polling getStats from here: an async predicate would pass at once) for frames."""
    start = max(above, 0)
    for _ in range(tries):
        count = await frames(page)
        if count >= start + by:
            return count
        await asyncio.sleep(0.25)
    raise AssertionError(f"video frames did not rise past {start + by}: {count}")


async def join(page, room_url: str) -> None:
    await page.goto(room_url)
    await page.get_by_role("button", name="Join the room").click()


async def test_two_browsers_hold_the_demo_meeting_and_come_back_after_a_drop(served, media_browser):
    url, room_url = served
    buyer_context, buyer = await logged_in(media_browser, url, DEMO_LOGINS["buyer"])
    staff_context, staff = await logged_in(media_browser, url, DEMO_LOGINS["exhibitor"], 390)
    await join(buyer, room_url)
    await join(staff, room_url)

    # each sees the other's video flowing, and the other's name and firm on the tile
    seen_by_buyer = await until_frames_rise(buyer)
    await until_frames_rise(staff)
    assert await until_frames_rise(buyer, above=seen_by_buyer) > seen_by_buyer
    anna = buyer.locator(".tile:not(.is-me)", has_text="Anna Colucci")
    await anna.get_by_text("Sassi Digital Lab").wait_for()
    # the other firm's card is beside the video
    assert "Sassi Digital Lab" in await buyer.locator(".firm-card").inner_text()

    # the exhibitor mutes: the buyer sees it; a chat message arrives
    await staff.get_by_role("button", name="Mute").click()
    assert await staff.get_by_role("button", name="Mute").get_attribute("aria-pressed") == "true"
    await anna.locator("[data-mic-off]").wait_for(state="visible", timeout=5000)
    await buyer.get_by_label("Your message").fill("Buongiorno! <b>Shall we start?</b>")
    await buyer.get_by_role("button", name="Send").click()
    message = staff.locator(".room-chat-message", has_text="Buongiorno! <b>Shall we start?</b>")
    await message.wait_for(timeout=5000)

    # a 1:1 call: the other person large, one's own camera a small picture inside that picture
    for page in (buyer, staff):
        other = await page.locator(".tile:not(.is-me)").bounding_box()
        me = await page.locator(".tile.is-me").bounding_box()
        assert other and me and me["width"] * 2.5 < other["width"]
        assert other["x"] <= me["x"] and me["x"] + me["width"] <= other["x"] + other["width"]
        assert other["y"] <= me["y"] and me["y"] + me["height"] <= other["y"] + other["height"]

    SHOTS.mkdir(parents=True, exist_ok=True)
    await buyer.screenshot(path=SHOTS / "room-1280.png", full_page=True)
    await staff.screenshot(path=SHOTS / "room-390.png", full_page=True)

    # the exhibitor's connection drops: the page says so and comes back into the room by itself
    await staff.evaluate("() => window.fieraRoom.socket.io.engine.close()")
    await staff.get_by_text("Reconnecting…").wait_for(timeout=5000)
    await staff.locator("[data-room-status]").wait_for(state="hidden", timeout=20000)
    await until_frames_rise(staff, by=10)
    before = await frames(buyer)
    assert await until_frames_rise(buyer, above=before) > before
    await staff.screenshot(path=SHOTS / "room-390-after-drop.png", full_page=True)

    # leaving says so and offers to join again
    await staff.get_by_role("button", name="Leave").click()
    await staff.get_by_text("You left the room.").wait_for()
    await staff.get_by_role("button", name="Join again").wait_for()
    await buyer.get_by_text("Waiting for the others to join…").wait_for(timeout=5000)
    await buyer_context.close()
    await staff_context.close()


async def test_someone_else_is_kept_out_of_the_meeting(served, media_browser):
    url, room_url = served
    context, page = await logged_in(media_browser, url, STRANGER)
    response = await page.goto(room_url)
    # the page itself refuses, with a reason, and offers no way to join or to negotiate media
    assert response is not None and response.status in (403, 404)
    assert await page.get_by_role("button", name="Join the room").count() == 0
    assert await page.evaluate("() => window.fieraRoom === undefined")
    await context.close()


async def test_the_device_check_shows_the_returned_video(served, media_browser):
    url, _ = served
    context, page = await logged_in(media_browser, url, DEMO_LOGINS["buyer"])
    await page.goto(f"{url}{FAIR}/rooms/check")
    await page.get_by_role("button", name="Start the check").click()
    verdict = page.locator("[data-verdict]")
    await verdict.wait_for(state="visible", timeout=20000)
    assert await verdict.inner_text() == "Your camera, microphone and connection work."
    assert (
        await page.evaluate("() => document.querySelector('[data-returned]').videoWidth") == 640
    )  # the fake camera's picture, back from the server
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / "device-check-1280.png", full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SHOTS / "device-check-390.png", full_page=True)
    await context.close()


async def screen_frames_rise(page, by: int = 10, tries: int = 60) -> tuple[int, int]:
    """Poll until the screen tile's video decoded `by` frames; its count and picture width."""
    first = None
    for _ in range(tries):
        count, width = await page.evaluate(SCREEN)
        if count >= 0 and first is None:
            first = count
        if first is not None and count >= first + by:
            return count, width
        await asyncio.sleep(0.25)
    raise AssertionError(f"no frames rose on the shared screen's tile: {count}")


async def test_a_shared_screen_is_shown_large_to_the_other_side(served, media_browser):
    url, room_url = served
    buyer_context, buyer = await logged_in(media_browser, url, DEMO_LOGINS["buyer"])
    staff_context, staff = await logged_in(media_browser, url, DEMO_LOGINS["exhibitor"], 390)
    await join(buyer, room_url)
    await join(staff, room_url)
    await until_frames_rise(buyer)
    assert await buyer.locator(".tile.is-screen").count() == 0

    share = staff.get_by_role("button", name="Share screen")
    await share.click()
    await staff.wait_for_function(
        "() => document.querySelector('[data-share]').getAttribute('aria-pressed') === 'true'"
    )
    # the buyer sees Anna's screen as its own large tile, named as a shared screen
    screen = buyer.locator(".tile.is-screen")
    await screen.get_by_text("Screen shared by Anna Colucci").wait_for(timeout=10000)
    _, width = await screen_frames_rise(buyer)
    # the picture Anna shares (headless Chromium's fake screen is her own 390 px page), not her
    # 640 px camera
    shared = await staff.evaluate(
        "() => document.querySelector('.tile.is-screen video').srcObject"
        ".getVideoTracks()[0].getSettings().width"
    )
    assert width == shared != 640
    assert await buyer.locator(".tiles.has-screen").count() == 1
    assert await screen.locator("video").get_attribute("aria-label") == (
        "Screen shared by Anna Colucci"
    )
    # the stage is the screen: wider than the person's tile beside it
    screen_box = await screen.bounding_box()
    anna_box = await buyer.locator(".tile:not(.is-screen):not(.is-me)").bounding_box()
    assert screen_box and anna_box and screen_box["width"] > anna_box["width"]
    # and Anna's camera still comes through on its own tile
    before = await frames(buyer)
    assert await until_frames_rise(buyer, above=before) > before
    # the sharer sees what it shares
    await staff.locator(".tile.is-screen", has_text="Your shared screen").wait_for()

    SHOTS.mkdir(parents=True, exist_ok=True)
    await buyer.screenshot(path=SHOTS / "room-screen-1280.png", full_page=True)
    await staff.screenshot(path=SHOTS / "room-screen-390.png", full_page=True)

    # stopping the share takes the screen away on both sides
    await share.click()
    await buyer.locator(".tile.is-screen").wait_for(state="detached", timeout=5000)
    await staff.locator(".tile.is-screen").wait_for(state="detached", timeout=5000)
    await buyer_context.close()
    await staff_context.close()


# The audio sender's track and the local offer, to show a change needs no renegotiation.
SENDING = """() => {
  const pc = window.fieraRoom.pc;
  const audio = pc.getTransceivers()[0].sender.track;
  return { audio: audio && audio.label, sdp: pc.localDescription.sdp, state: pc.signalingState };
}"""


async def test_the_microphone_changes_during_the_call_from_the_keyboard(served, media_browser):
    url, room_url = served
    buyer_context, buyer = await logged_in(media_browser, url, DEMO_LOGINS["buyer"])
    staff_context, staff = await logged_in(media_browser, url, DEMO_LOGINS["exhibitor"])
    await join(buyer, room_url)
    await join(staff, room_url)
    await until_frames_rise(buyer)
    before = await buyer.evaluate(SENDING)

    devices = buyer.get_by_role("button", name="Devices")
    await devices.focus()
    await buyer.keyboard.press("Enter")
    # the menu opens and takes the focus (waited for: the page answers the key in its own time)
    await expect(devices).to_have_attribute("aria-expanded", "true")
    menu = buyer.get_by_role("group", name="Camera and microphone")
    camera = menu.get_by_label("Camera", exact=True)
    await expect(camera).to_be_focused()
    microphone = menu.get_by_label("Microphone", exact=True)
    labels = await microphone.locator("option").all_inner_texts()
    assert len(labels) >= 2, labels  # Chromium's fake microphones
    other = next(label for label in labels if label != before["audio"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    await buyer.screenshot(path=SHOTS / "room-devices-1280.png", full_page=True)
    await microphone.select_option(label=other)
    for _ in range(40):
        after = await buyer.evaluate(SENDING)
        if after["audio"] == other:
            break
        await asyncio.sleep(0.25)
    assert after["audio"] == other
    assert (after["sdp"], after["state"]) == (before["sdp"], "stable")  # no renegotiation
    # the call goes on: the other side still gets video
    seen = await frames(staff)
    assert await until_frames_rise(staff, above=seen) > seen
    await buyer.keyboard.press("Escape")
    await expect(devices).to_have_attribute("aria-expanded", "false")
    await expect(devices).to_be_focused()
    await buyer_context.close()
    await staff_context.close()


async def test_a_talk_now_call_between_two_browsers_carries_video(served, media_browser):
    """The demo buyer rings the exhibitor's booth; once accepted, both see each other's video."""
    url, _ = served
    staff_context, staff = await logged_in(media_browser, url, DEMO_LOGINS["exhibitor"])
    buyer_context, buyer = await logged_in(media_browser, url, DEMO_LOGINS["buyer"], 390)
    await staff.goto(url + FAIR + "/booths")  # any page of the fair rings
    await buyer.goto(url + BOOTH)
    talk = buyer.get_by_role("link", name="Talk now")
    await talk.wait_for(state="visible", timeout=10000)  # shown once the exhibitor is online
    await talk.click()
    dialog = staff.get_by_role("alertdialog", name="Talk now")
    await dialog.get_by_role("button", name="Accept").click(timeout=10000)

    room = re.compile(r".*/fairs/fiera-mediterranea-b2b/rooms/call-[\w-]+$")
    await staff.wait_for_url(room, timeout=10000)
    await buyer.wait_for_url(room, timeout=10000)
    assert staff.url == buyer.url
    await staff.get_by_role("button", name="Join the room").click()
    await buyer.get_by_role("button", name="Join the room").click()
    seen_by_buyer = await until_frames_rise(buyer)
    await until_frames_rise(staff)
    assert await until_frames_rise(buyer, above=seen_by_buyer) > seen_by_buyer
    await buyer.locator(".tile:not(.is-me)", has_text="Anna Colucci").wait_for()
    await buyer_context.close()
    await staff_context.close()
