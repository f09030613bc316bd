"""A buyer asks a booth for a meeting; the exhibitor accepts and picks a slot; both see it."""

import pytest

from tests.e2e.test_booth_chat import logged_in
from tests.e2e.test_login import SCREENSHOTS

pytestmark = pytest.mark.browser
FAIR = "/fairs/fiera-mediterranea-b2b"


async def test_request_accept_and_both_agendas(live, browser, backend):
    url, _, _ = live
    buyer_context, buyer = await logged_in(browser, url, "karen.zammit@buyers.fiera.demo")
    # Karen (Mdina Logistics, joining online) has not yet asked Matera Heritage XR for anything
    await buyer.goto(url + FAIR + "/booths/matera-heritage-xr")
    await buyer.get_by_role("link", name="Request a meeting").click()
    await buyer.get_by_label("Message").fill("An XR tour for our incubator's open day?")
    await buyer.get_by_role("button", name="Send request").click()
    await buyer.get_by_text("An XR tour for our incubator's open day?").wait_for()

    staff_context, staff = await logged_in(browser, url, "matera-heritage-xr@exhibitors.fiera.demo")
    await staff.goto(url + FAIR + "/meetings")
    card = staff.locator(".request-card", has_text="An XR tour for our incubator's open day?")
    # Sara's pages are in Italian (her profile's language): find the form by its fields
    slot = card.locator("select[name=slot]")
    chosen = await slot.locator("option").nth(2).inner_text()
    await slot.select_option(index=2)
    await card.locator(".accept-form button[type=submit]").click()
    await staff.wait_for_load_state()

    _day, times = chosen.rsplit(", ", 1)
    start = times.split("–")[0]
    await staff.goto(url + FAIR + "/agenda")
    staff_agenda = await staff.get_by_role("main").inner_text()
    assert "Mdina Logistics" in staff_agenda and start in staff_agenda
    await buyer.goto(url + FAIR + "/agenda")
    buyer_agenda = await buyer.get_by_role("main").inner_text()
    assert "Matera Heritage XR" in buyer_agenda and start in buyer_agenda
    assert "Video room" in buyer_agenda  # Karen joins online, so the meeting is by video
    # the calendar file of the meeting is there to download
    async with buyer.expect_download() as download:
        await buyer.get_by_role("link", name="Add to calendar").first.click()
    assert (await download.value).suggested_filename.endswith(".ics")
    if backend == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await buyer.screenshot(path=SCREENSHOTS / "agenda-buyer.png", full_page=True)
    await staff_context.close()
    await buyer_context.close()
