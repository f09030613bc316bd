"""Browser contexts whose pages report every Content-Security-Policy violation to the test."""

from __future__ import annotations

from playwright.async_api import Browser, BrowserContext

# Runs in every page and frame before its own scripts: a violation is reported even when the
# page would swallow the error (a blocked websocket, an inline handler that never runs).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.fieraCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
      ` (${event.sourceFile || document.location.href}:${event.lineNumber})`
  );
});
"""

# The violations of the running test; the autouse fixture in conftest.py fails the test on any.
violations: list[str] = []


async def new_context(browser: Browser) -> BrowserContext:
    """A desktop context in English whose pages add their CSP violations to `violations`."""
    context = await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    await context.expose_binding(
        "fieraCspViolation", lambda source, text: violations.append(f"{source['page'].url}: {text}")
    )
    await context.add_init_script(REPORT_VIOLATIONS)
    return context
