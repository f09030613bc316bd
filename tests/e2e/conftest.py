"""Headless Debian Chromium through Playwright (never a browser download of its own)."""

import os
import shutil

import pytest
from playwright.async_api import async_playwright

from tests.e2e import browsing
from tests.support.settings import IN_CI

CHROMIUM = os.environ.get("FIERA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
async def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--disable-gpu", "--disable-quic"]
        )
        yield browser
        await browser.close()


@pytest.fixture(autouse=True)
def csp_violations():
    """The Content-Security-Policy violations of the test's pages: any one fails the test."""
    browsing.violations.clear()
    yield browsing.violations
    found, browsing.violations[:] = list(browsing.violations), []
    assert found == [], "the Content-Security-Policy blocked something a page needs"


@pytest.fixture
async def page(browser):
    context = await browsing.new_context(browser)
    page = await context.new_page()
    yield page
    await context.close()
