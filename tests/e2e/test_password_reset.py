"""A person who forgot their password gets a link by e-mail and sets a new one in a browser."""

import os
import re
from pathlib import Path

import pytest

from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.e2e import browsing
from tests.support.smtp import bodies, serve_mailing_demo

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get("FIERA_SCREENSHOTS", "var/screenshots"))
BUYER = DEMO_LOGINS["buyer"]
LINK_RE = re.compile(r"http://127\.0\.0\.1:\d+/password/reset/[A-Za-z0-9_-]+")


async def test_a_forgotten_password_is_reset_from_the_mailed_link(
    browser, fresh_demo_url, var_dir, backend
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with serve_mailing_demo(fresh_demo_url, var_dir) as served:
        old_password = DEMO_PASSWORD
        for width, height in ((1280, 900), (390, 844)):
            new_password = f"a new passphrase at {width}"
            context = await browsing.new_context(browser)
            page = await context.new_page()
            await page.set_viewport_size({"width": width, "height": height})
            await page.goto(served.url + "/login")
            await page.get_by_role("link", name="Forgot your password?").click()
            await page.get_by_label("E-mail address").fill(BUYER)
            await page.screenshot(path=SCREENSHOTS / f"reset-ask-{width}.png", full_page=True)
            await page.get_by_role("button", name="Send me a link").click()
            status = page.get_by_role("status")
            assert f"If an account exists for {BUYER}" in await status.inner_text()
            await page.screenshot(path=SCREENSHOTS / f"reset-sent-{width}.png", full_page=True)

            plain, _html = bodies(await served.inbox.next())
            (link,) = set(LINK_RE.findall(plain))
            await page.goto(link)
            await page.get_by_label("New password", exact=True).fill("short")
            await page.get_by_role("button", name="Set the new password").click()
            assert "Use at least 10 characters." in await page.get_by_role("main").inner_text()
            await page.screenshot(path=SCREENSHOTS / f"reset-form-{width}.png", full_page=True)
            await page.get_by_label("New password", exact=True).fill(new_password)
            await page.get_by_role("button", name="Set the new password").click()
            await page.wait_for_url("**/account?saved=reset")
            assert "Your new password is set." in await page.get_by_role("main").inner_text()
            await page.screenshot(path=SCREENSHOTS / f"reset-done-{width}.png", full_page=True)

            await page.goto(link)  # a second use
            assert "already been used" in await page.get_by_role("main").inner_text()
            await page.screenshot(path=SCREENSHOTS / f"reset-used-{width}.png", full_page=True)

            # log out, then in with the new password; the old one is refused
            await page.get_by_role("button", name="Log out").click()
            await page.goto(served.url + "/login")
            await page.get_by_label("E-mail address").fill(BUYER)
            await page.get_by_label("Password", exact=True).fill(old_password)
            await page.get_by_role("button", name="Log in").click()
            assert "is not right" in await page.get_by_role("main").inner_text()
            await page.get_by_label("Password", exact=True).fill(new_password)
            await page.get_by_role("button", name="Log in").click()
            await page.wait_for_url(served.url + "/")
            old_password = new_password
            await context.close()
