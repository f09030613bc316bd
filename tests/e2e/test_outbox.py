"""In development an organiser follows the e-mail the platform sent on the outbox page."""

import os
from pathlib import Path

import pytest

from server.demo import DEMO_LOGINS, DEMO_PASSWORD

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get("FIERA_SCREENSHOTS", "var/screenshots"))


async def test_an_organiser_sees_a_reset_mail_on_the_outbox_page(live, page, backend):
    url, _database, _settings = live
    await page.goto(url + "/password/forgot")
    await page.get_by_label("E-mail address").fill(DEMO_LOGINS["buyer"])
    await page.get_by_role("button", name="Send me a link").click()
    await page.get_by_role("status").wait_for()

    await page.goto(url + "/login?next=/outbox")
    await page.get_by_label("E-mail address").fill(DEMO_LOGINS["organiser"])
    await page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(url + "/outbox")
    row = page.get_by_role("row").filter(has_text=DEMO_LOGINS["buyer"])
    assert "Reset your Fiera password" in await row.inner_text()
    await row.get_by_text("Reset your Fiera password").click()  # opens the text of the mail
    assert "/password/reset/" in await row.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=SCREENSHOTS / f"outbox-{width}.png", full_page=True)
