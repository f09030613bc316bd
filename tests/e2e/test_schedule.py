"""The demo organiser schedules the Malta mission's waiting requests in a real browser."""

import os
from pathlib import Path

import pytest

from server.demo import DEMO_LOGINS, DEMO_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get("FIERA_SCREENSHOTS", "var/screenshots"))
MALTA = "/fairs/malta-mission-2027"


async def test_the_organiser_runs_the_optimiser_previews_and_publishes(live, page, backend):
    url, _, _ = live
    shots = backend == "sqlite"
    if shots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.goto(f"{url}/login?next={MALTA}")
    await page.get_by_label("E-mail address").fill(DEMO_LOGINS["organiser"])
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(url + MALTA)
    await page.get_by_role("link", name="Schedule meetings").click()
    await page.get_by_role("heading", name="Run the optimiser").wait_for()
    main = page.get_by_role("main")
    assert "47 accepted requests are waiting for a slot." in await main.inner_text()

    await page.get_by_label("Time limit").select_option("3")
    await page.get_by_role("button", name="Run the optimiser").click()
    # the page reloads by itself when the live channel says the run is over
    await page.get_by_role("heading", name="Proposed schedule").wait_for(timeout=30_000)
    text = await main.inner_text()
    assert "Meetings placed\n45" in text and "Requests waiting\n47" in text
    assert "Karen Zammit (Mdina Logistics) has reached their limit of 5 meetings." in text
    assert await page.locator("td.grid-new").count() > 0
    if shots:
        await page.screenshot(path=SCREENSHOTS / "schedule-preview.png", full_page=True)
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.screenshot(path=SCREENSHOTS / "schedule-preview-phone.png", full_page=True)
        await page.set_viewport_size({"width": 1280, "height": 900})

    await page.get_by_role("button", name="Publish").click()
    await page.get_by_text("Published: the meetings are in the agenda").wait_for()
    await page.get_by_role("link", name="Meeting agenda").click()
    await page.get_by_role("heading", name="Tables").wait_for()
    assert await page.locator("td.grid-busy").count() > 0
    grid = await page.locator(".meeting-grid").inner_text()
    assert "Valletta Blue Code" in grid and "Sassi Digital Lab" in grid
    if shots:
        await page.screenshot(path=SCREENSHOTS / "schedule-published-grid.png", full_page=True)
