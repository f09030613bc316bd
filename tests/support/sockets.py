"""Real Socket.IO clients for tests: connect with a user's session cookie, collect events."""

from __future__ import annotations

import asyncio

import socketio
from sqlalchemy import select

from server.identity import sessions
from server.identity.models import User


async def session_cookie(database, settings, email: str) -> str:
    """A logged-in session cookie for `email`, as the log-in page would set it."""
    async with database.session() as db:
        user = await db.scalar(select(User).where(User.email == email))
        token = await sessions.start(db, settings, user)
        await db.commit()
    return f"{sessions.SESSION_COOKIE}={token}"


class Client:
    """A Socket.IO client on one namespace that records every event it receives."""

    def __init__(self, namespace: str):
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list] = {}
        self.sio.on("*", self._record, namespace=namespace)

    async def _record(self, event, data=None):
        self.events.setdefault(event, []).append(data)

    async def connect(self, url: str, cookie: str) -> Client:
        await self.sio.connect(
            url,
            headers={"Cookie": cookie},
            namespaces=[self.namespace],
            transports=["websocket"],
            wait_timeout=5,
        )
        return self

    async def call(self, event: str, data, seconds: float = 10) -> dict:
        return await self.sio.call(event, data, namespace=self.namespace, timeout=seconds)

    def received(self, event: str) -> list:
        return self.events.get(event, [])

    async def wait_for(self, event: str, count: int = 1, seconds: float = 5.0) -> list:
        """The events received so far, once there are `count` of them (or the time is up)."""
        for _ in range(int(seconds / 0.02)):
            if len(self.received(event)) >= count:
                break
            await asyncio.sleep(0.02)
        return self.received(event)

    async def close(self) -> None:
        await self.sio.disconnect()


async def connect(url: str, database, settings, email: str, namespace: str) -> Client:
    cookie = await session_cookie(database, settings, email)
    return await Client(namespace).connect(url, cookie)


async def connect_to_fair(
    url: str, cookie: str | None = None, origin: str | None = None, language: str | None = None
):
    """A raw client on the /fair namespace and the connect errors it got (None if refused)."""
    client = socketio.AsyncClient(reconnection=False)
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    if origin:
        headers["Origin"] = origin
    if language:
        headers["Accept-Language"] = language
    errors: list = []
    client.on("connect_error", errors.append, namespace="/fair")
    try:
        await client.connect(
            url, headers=headers, namespaces=["/fair"], transports=["websocket"], wait_timeout=5
        )
    except socketio.exceptions.ConnectionError:
        return None, errors
    return client, errors
