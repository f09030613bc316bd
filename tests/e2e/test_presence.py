"""A visitor watching a booth sees its staff stay online while they move between pages."""

import asyncio
from dataclasses import replace

import pytest

from server.app import create_app
from server.db import Database
from server.demo import DEMO_LOGINS
from tests.e2e.test_booth_chat import BOOTH, logged_in
from tests.support.live import serve
from tests.support.settings import make_settings

pytestmark = pytest.mark.browser
FAIR = "/fairs/fiera-mediterranea-b2b"

# Every status the visitor's page shows for a person, and every presence event it receives.
WATCH = """(user) => {
  window.seen = [];
  window.events = [];
  const mark = document.querySelector(`[data-presence-user="${user}"]`);
  new MutationObserver(() => window.seen.push(mark.dataset.status))
    .observe(mark, { attributes: true, subtree: true, characterData: true, childList: true });
  window.fieraPresence.on("presence", (message) => window.events.push(message));
}"""


async def until(page, predicate: str, arg=None, attempts: int = 200) -> None:
    """Poll a predicate in the page (wait_for_function evaluates strings, which the CSP forbids)."""
    for _ in range(attempts):
        if await page.evaluate(predicate, arg):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never true: {predicate}")


@pytest.fixture
async def fair_day(fresh_demo_url, var_dir):
    """The demo served with the product's presence delays (not the shortened test grace)."""
    settings = replace(make_settings(fresh_demo_url, var_dir), presence_grace_seconds=10.0)
    database = Database.from_url(fresh_demo_url)
    async with serve(create_app(settings, database)) as url:
        yield url
    await database.dispose()


async def test_staff_moving_between_pages_never_shows_away(fair_day, browser):
    url = fair_day
    staff_context, staff = await logged_in(browser, url, DEMO_LOGINS["exhibitor"])
    await staff.goto(url + BOOTH)
    buyer_context, buyer = await logged_in(browser, url, DEMO_LOGINS["buyer"])
    await buyer.goto(url + BOOTH)
    anna = buyer.locator("[data-presence-user]", has_text="Anna Colucci")
    await anna.locator(".presence-label", has_text="Online").wait_for(timeout=5000)
    anna_id = int(await anna.get_attribute("data-presence-user"))
    await buyer.evaluate(WATCH, anna_id)

    # four clicks through her pages: the booth's chats, back to the booth, the fair, her hall
    for link in (BOOTH + "/chats", BOOTH, FAIR, FAIR + "/halls/basilicata"):
        # what a desktop browser does as the page unloads (headless Chromium does not send it)
        await staff.evaluate("() => window.fieraPresence.emit('state', { state: 'away' })")
        await staff.locator(f'a[href$="{link}"]').first.click()
        await staff.wait_for_url(url + link)
        await until(staff, "() => Boolean(window.fieraPresence && window.fieraPresence.connected)")

    # someone else arrives: once the visitor hears of it, every earlier event has arrived too
    other_context, other = await logged_in(browser, url, DEMO_LOGINS["organiser"])
    await other.goto(url + FAIR)
    await until(buyer, "(anna) => window.events.some((m) => m.user !== anna)", anna_id)
    events = await buyer.evaluate("window.events")
    assert [m for m in events if m["user"] == anna_id] == []
    assert "away" not in await buyer.evaluate("window.seen")
    assert "offline" not in await buyer.evaluate("window.seen")
    assert await anna.locator(".presence-label").inner_text() == "Online"
    for context in (other_context, staff_context, buyer_context):
        await context.close()
