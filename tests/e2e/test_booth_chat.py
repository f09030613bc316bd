"""A buyer chats with a booth; the exhibitor sees it live, and sees who is there."""

import pytest

from server.demo import DEMO_LOGINS, DEMO_PASSWORD
from tests.e2e.browsing import new_context
from tests.e2e.test_login import SCREENSHOTS

pytestmark = pytest.mark.browser
BOOTH = "/fairs/fiera-mediterranea-b2b/booths/sassi-digital-lab"


async def logged_in(browser, url: str, email: str):
    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(url + "/login")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(url + "/")
    return context, page


async def test_a_chat_message_appears_for_the_exhibitor_without_reloading(live, browser, backend):
    url, _, _ = live
    staff_context, staff = await logged_in(browser, url, DEMO_LOGINS["exhibitor"])
    buyer_context, buyer = await logged_in(browser, url, DEMO_LOGINS["buyer"])
    await staff.goto(url + BOOTH + "/chats")
    await buyer.goto(url + BOOTH)

    # the buyer sees that the exhibitor is at the booth right now
    anna = buyer.locator("[data-presence-user]", has_text="Anna Colucci")
    await anna.locator(".presence-label", has_text="Online").wait_for(timeout=5000)

    await buyer.get_by_label("Your message").fill("<img src=x onerror=alert(1)> Can we meet?")
    await buyer.get_by_role("button", name="Send").click()

    # it arrives in the exhibitor's inbox, as text, without a reload
    item = staff.locator("[data-conversation-item]", has_text="Giulia Ferri")
    await item.wait_for(timeout=5000)
    assert "<img src=x onerror=alert(1)> Can we meet?" in await item.inner_text()
    assert await staff.locator("[data-conversation-list] img").count() == 0
    await item.locator("[data-unread]").wait_for(state="visible")
    assert await item.locator("[data-unread]").inner_text() == "1"

    # the exhibitor opens the conversation and answers; the buyer sees it live
    await item.get_by_role("link").click()
    await staff.get_by_label("Your answer").fill("Certo! Table 4 at 10:00?")
    await staff.get_by_role("button", name="Send").click()
    assert not await item.locator("[data-unread]").is_visible()  # opened, so read
    answer = buyer.locator(".chat-message.from-staff", has_text="Certo! Table 4 at 10:00?")
    await answer.wait_for(timeout=5000)
    if backend == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await buyer.screenshot(path=SCREENSHOTS / "booth-chat-buyer.png", full_page=True)
        await staff.screenshot(path=SCREENSHOTS / "booth-chat-staff.png", full_page=True)

    # the exhibitor closes the tab: the buyer sees them go offline within seconds
    await staff_context.close()
    await anna.locator(".presence-label", has_text="Offline").wait_for(timeout=5000)
    await buyer_context.close()
