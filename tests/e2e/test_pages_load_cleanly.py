"""Every main page, for each demo role, loads in a real browser without script errors or
Content-Security-Policy violations, and every form on it carries a CSRF token."""

import pytest

from server.demo import DEMO_LOGINS
from tests.e2e.test_booth_chat import logged_in

pytestmark = pytest.mark.browser
F = "/fairs/fiera-mediterranea-b2b"
PAGES = {
    "buyer": [
        "/",
        F,
        f"{F}/halls/attica",
        f"{F}/booths",
        f"{F}/booths?q=cote",
        f"{F}/booths/sassi-digital-lab",
        f"{F}/meetings",
        f"{F}/agenda",
        "/account",
    ],
    "exhibitor": [
        F,
        f"{F}/booths/sassi-digital-lab",
        f"{F}/booths/sassi-digital-lab/edit",
        f"{F}/booths/sassi-digital-lab/chats",
        f"{F}/booths/sassi-digital-lab/leads",
        f"{F}/meetings",
        f"{F}/agenda",
    ],
    "organiser": [F, f"{F}/organise", f"{F}/organise/agenda", "/fairs/malta-mission-2027"],
}


@pytest.mark.parametrize("role", list(PAGES))
async def test_pages_load_without_errors(live, browser, role):
    url, _, _ = live
    context, page = await logged_in(browser, url, DEMO_LOGINS[role])
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"{page.url}: {message.text}"),
    )
    for path in PAGES[role]:
        response = await page.goto(url + path)
        assert response.status == 200, path
        # the page runs under the policy; anything it blocks fails the test (conftest.py)
        policy = await response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy, path
        await page.wait_for_load_state("networkidle")
        empty = await page.locator('form[method=post] input[name=csrf_token][value=""]').count()
        missing = await page.evaluate(
            "[...document.querySelectorAll('form[method=post]')]"
            ".filter(f => !f.querySelector('input[name=csrf_token]')).length"
        )
        if empty or missing:
            problems.append(f"{path}: {empty + missing} form(s) without a CSRF token")
    await context.close()
    assert problems == []
