"""What a newcomer to the demo sees: a region searched, a live inbox, the organiser's grid."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server.demo import DEMO_LOGINS
from tests.e2e.test_booth_chat import BOOTH, logged_in
from tests.e2e.test_login import SCREENSHOTS

pytestmark = pytest.mark.browser
FAIR = "/fairs/fiera-mediterranea-b2b"
WIDTHS = (1280, 390)


async def shoot(page, name: str, backend: str) -> None:
    """Screenshots at desktop and phone width (once, on SQLite); nothing wider than the phone."""
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        scroll = await page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"{name} is {scroll} px wide at {width}"
        if backend == "sqlite":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_a_buyer_finds_the_booths_of_a_region_by_its_name(live, browser, backend):
    url, _, _ = live
    context, buyer = await logged_in(browser, url, DEMO_LOGINS["buyer"])
    await buyer.goto(url + FAIR + "/booths")
    await buyer.get_by_role("searchbox").fill("Provence")
    await buyer.get_by_role("searchbox").press("Enter")
    await buyer.wait_for_url(re.compile(r"q=Provence"))
    names = await buyer.locator(".booth-grid h3").all_inner_texts()
    for firm in ("Azur Design Collectif", "Calanques Numérique", "Phocée Interactive"):
        assert firm in names
    await shoot(buyer, "directory-provence", backend)
    await context.close()


async def test_a_new_conversation_arrives_in_the_inbox_with_firm_and_times(live, browser, backend):
    url, _, _ = live
    staff_context, staff = await logged_in(browser, url, DEMO_LOGINS["exhibitor"])
    buyer_context, buyer = await logged_in(browser, url, DEMO_LOGINS["buyer"])
    await staff.goto(url + BOOTH + "/chats")
    await buyer.goto(url + BOOTH)
    # the exhibitor's inbox is live (her connection is in) before the buyer writes
    anna = buyer.locator("[data-presence-user]", has_text="Anna Colucci")
    await anna.locator(".presence-label", has_text="Online").wait_for(timeout=10000)
    await buyer.get_by_label("Your message").fill("Do you build portals for shopping centres?")
    await buyer.get_by_role("button", name="Send").click()

    item = staff.locator("[data-conversation-item]", has_text="Giulia Ferri")
    await item.wait_for(timeout=10000)
    # the firm line a reload would show, there at once
    assert "Levante Retail Group" in await item.inner_text()
    await staff.reload()
    assert "Levante Retail Group" in await item.inner_text()

    await item.get_by_role("link").click()
    await staff.locator(".chat-message .chat-time").first.wait_for()
    await staff.get_by_label("Your answer").fill("Yes, with open data inside.")
    await staff.get_by_role("button", name="Send").click()
    answer = buyer.locator(".chat-message", has_text="Yes, with open data inside.")
    await answer.wait_for(timeout=5000)
    # each side sees when every message was sent, in its own time zone (both: Europe/Rome)
    for page in (buyer, staff):
        times = page.locator(".chat-message .chat-time")
        assert await times.count() >= 2
        for time in await times.all():
            sent = datetime.fromisoformat(await time.get_attribute("datetime"))
            shown = sent.astimezone(ZoneInfo("Europe/Rome")).strftime("%H:%M")
            assert await time.inner_text() == shown
    await shoot(staff, "inbox", backend)
    await staff_context.close()
    await buyer_context.close()


async def test_the_organiser_grid_names_video_rooms(live, browser, backend):
    url, _, _ = live
    context, organiser = await logged_in(browser, url, DEMO_LOGINS["organiser"])
    await organiser.goto(url + FAIR + "/organise/agenda")
    video = await organiser.locator("section[aria-labelledby=video-title]").inner_text()
    assert "Video room 1" in video and "vr-" not in video
    await shoot(organiser, "organiser-grid", backend)
    await context.close()


def contrast(rgb: str) -> float:
    """WCAG contrast of a CSS colour against white."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


async def test_navigation_names_the_hall_keeps_the_tabs_in_a_row_and_shows_the_legend(
    live, browser
):
    url, _, _ = live
    context, buyer = await logged_in(browser, url, DEMO_LOGINS["buyer"])
    await buyer.goto(url + FAIR + "/halls/malta")
    crumbs = await buyer.get_by_role("navigation", name="Breadcrumbs").inner_text()
    assert crumbs.split() == ["Fiera", "Mediterranea", "B2B", "›", "Halls", "›", "Malta"]
    await (
        buyer.get_by_role("navigation", name="Breadcrumbs")
        .get_by_role("link", name="Halls")
        .click()
    )
    await buyer.get_by_role("heading", name="Halls").wait_for()

    await buyer.goto(url + FAIR + "/meetings/new")
    tops = await buyer.locator(".tabs li").evaluate_all(
        "(items) => items.map((item) => item.getBoundingClientRect().top)"
    )
    assert len(tops) == 3 and len(set(tops)) == 1, tops  # one row at desktop width

    # the schedule preview's legend, as the stylesheet draws it: swatches that stand out (3:1)
    borders = await buyer.evaluate(
        """() => ["legend-new", "legend-busy"].map((name) => {
          const legend = document.createElement("p");
          legend.className = "legend";
          const swatch = document.createElement("span");
          swatch.className = name;
          legend.append(swatch);
          document.body.append(legend);
          const colour = getComputedStyle(swatch).borderTopColor;
          const width = getComputedStyle(swatch).borderTopWidth;
          legend.remove();
          return [colour, width];
        })"""
    )
    for colour, width in borders:
        assert contrast(colour) >= 3 and float(width.removesuffix("px")) >= 1, (colour, width)
    await context.close()
