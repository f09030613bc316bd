"""Pages run under the Content-Security-Policy: their own scripts and sockets work, nothing else."""

import asyncio

import pytest

pytestmark = [
    pytest.mark.browser,
    # the policy is the same whatever the database: one backend is enough
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]
BOOTH = "/fairs/fiera-mediterranea-b2b/booths/sassi-digital-lab"


async def test_an_injected_inline_script_is_blocked_and_reported(live, page, csp_violations):
    url, _, _ = live
    await page.goto(url + BOOTH)
    await page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "document.body.dataset.injected = 'ran'";
          document.body.append(script);
        }"""
    )
    for _ in range(50):  # the report reaches Python asynchronously
        if csp_violations:
            break
        await asyncio.sleep(0.1)
    assert await page.evaluate("document.body.dataset.injected") is None
    assert [v for v in csp_violations if "script-src-elem blocked inline" in v]
    csp_violations.clear()  # expected here; any other test fails on one


async def test_a_websocket_to_our_own_origin_opens_under_the_policy(live, page):
    url, _, _ = live
    response = await page.goto(url + BOOTH)
    assert "connect-src 'self'" in (await response.header_value("content-security-policy") or "")
    state = await page.evaluate(
        """() => new Promise((resolve) => {
          const ws = new WebSocket(
            location.origin.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket");
          ws.onopen = () => { ws.close(); resolve("open"); };
          ws.onerror = () => resolve("refused");
        })"""
    )
    assert state == "open"
