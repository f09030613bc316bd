"""Every HTML page carries our Content-Security-Policy: scripts, styles, sockets from us only."""

import pytest

from tests.support.pages import visible_text


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in parts}


EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
}


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/", 200, "Fairs"),
        ("/login", 200, "Log in"),
        ("/signup", 200, "Sign up"),
        ("/fairs/no-such-fair", 404, "There is nothing here."),
    ],
)
async def test_html_pages_carry_the_content_security_policy(client, path, status, text):
    response = await client.get(path)
    assert (response.status_code, response.headers["content-type"]) == (
        status,
        "text/html; charset=utf-8",
    )
    assert text in visible_text(response.text)
    assert directives(response.headers["content-security-policy"]) == EXPECTED
