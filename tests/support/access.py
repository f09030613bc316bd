"""Walking a hand-written table of routes × visitors and collecting what differs."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support.pages import csrf_token


async def mismatches(
    client: httpx.AsyncClient,
    table: list[tuple],
    column: int,
    names: dict,
    outcome: Callable[[httpx.Response], str],
    data: dict | None = None,
) -> list[str]:
    """Request every row's route (POSTs with a valid CSRF token); list the rows that differ."""
    token = csrf_token((await client.get("/")).text)
    found = []
    for row in table:
        method, template, expected = row[0], row[1], row[column]
        path = template.format(**names)
        if method == "GET":
            response = await client.get(path)
        else:
            response = await client.post(path, data={**(data or {}), "csrf_token": token})
        got = outcome(response)
        if got != expected:
            found.append(f"{method} {template}: expected {expected}, got {got}")
    return found
