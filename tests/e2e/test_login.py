"""A person logs in as the demo buyer in a real browser and sees the demo fair."""

import os
from pathlib import Path

import pytest

from server.demo import DEMO_LOGINS, DEMO_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get("FIERA_SCREENSHOTS", "var/screenshots"))


async def test_demo_buyer_logs_in_and_sees_the_fair(live, page, backend):
    url, _, _ = live
    await page.goto(url + "/")
    await page.get_by_role("link", name="Fiera Mediterranea B2B").click()
    await page.get_by_role("link", name="Log in").first.click()
    await page.get_by_label("E-mail address").fill(DEMO_LOGINS["buyer"])
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()

    # back on the fair page the log-in came from
    await page.wait_for_url(url + "/fairs/fiera-mediterranea-b2b")
    heading = page.get_by_role("heading", level=1)
    assert await heading.inner_text() == "Fiera Mediterranea B2B"
    main = await page.get_by_role("main").inner_text()
    assert "You take part as a buyer." in main
    for hall in ("Basilicata", "Provence-Alpes-Côte d'Azur", "Attica", "Malta"):
        assert hall in main
    assert "17 exhibiting firms" in main  # the Italian firms, as in the press release
    assert "(Europe/Rome)" in main
    # the live channel connects with the same session cookie
    live_badge = page.locator("[data-live-count]")
    await live_badge.wait_for(state="visible", timeout=5000)
    assert await live_badge.inner_text() == "1 person online now"
    if backend == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENSHOTS / "fair-buyer.png", full_page=True)
