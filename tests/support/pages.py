"""Reading pages as a browser would: the CSRF token of a form, the text a person sees."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import httpx

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TAG_RE = re.compile(r"<[^>]+>")


def csrf_token(page: str) -> str:
    match = CSRF_RE.search(page)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def visible_text(page: str) -> str:
    """The page's text with tags removed and white space folded."""
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(TAG_RE.sub(" ", body)).split())


FORM_RE = re.compile(r'<form\b[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>', re.S)


def form_token(page: str, action: str) -> str:
    """The CSRF token inside the page's form that posts to `action`, as a browser would send."""
    wanted = urlsplit(action).path
    for target, body in FORM_RE.findall(page):
        if urlsplit(html.unescape(target)).path == wanted:
            return csrf_token(body)
    raise AssertionError(f"the page has no form posting to {action}")


async def submit(client: httpx.AsyncClient, form_url: str, data: dict, action: str | None = None):
    """GET the page with the form, then POST `data` with that form's CSRF token."""
    page = await client.get(form_url)
    action = action or urlsplit(form_url).path
    return await client.post(action, data={**data, "csrf_token": form_token(page.text, action)})


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    response = await submit(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, visible_text(response.text)
    return response
