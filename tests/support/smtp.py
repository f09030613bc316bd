"""A real SMTP server (aiosmtpd) on 127.0.0.1 inside the test's event loop, and its inbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.smtp import SMTP

from server.app import create_app
from server.db import Database, utcnow
from tests.support.live import serve
from tests.support.settings import make_settings


class Inbox:
    """What the test server received; set `refuse` to an SMTP reply to turn messages away."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[EmailMessage] = asyncio.Queue()
        self.refuse: str | None = None
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return self.refuse
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.put_nowait(message)
        return "250 Message accepted for delivery"

    async def next(self) -> EmailMessage:
        """The next message to arrive (the server sends it in the background)."""
        return await asyncio.wait_for(self.received.get(), timeout=30)

    def taken(self) -> list[EmailMessage]:
        """Every message received so far."""
        messages = []
        while not self.received.empty():
            messages.append(self.received.get_nowait())
        return messages


@contextlib.asynccontextmanager
async def smtp_server(port: int = 0, inbox: Inbox | None = None) -> AsyncIterator[Inbox]:
    """Serve SMTP on 127.0.0.1 (`port` 0: any free one) until the block ends."""
    inbox = inbox or Inbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(inbox, hostname="fiera.test", loop=loop), "127.0.0.1", port
    )
    inbox.port = server.sockets[0].getsockname()[1]
    try:
        yield inbox
    finally:
        server.close()
        await server.wait_closed()


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message."""
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None, "the message lacks a part"
    return plain.get_content(), html.get_content()  # type: ignore[attr-defined]


class MovableClock:
    """The server's clock, which a test moves ahead."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset


@dataclass
class MailingDemo:
    url: str
    inbox: Inbox
    clock: MovableClock
    database: Database


@contextlib.asynccontextmanager
async def serve_mailing_demo(database_url: str, var_dir: Path) -> AsyncIterator[MailingDemo]:
    """The demo served for real on 127.0.0.1, sending its e-mail to an SMTP server of the test."""
    clock = MovableClock()
    async with smtp_server() as inbox:
        settings = make_settings(
            database_url,
            var_dir,
            smtp_host="127.0.0.1",
            smtp_port=inbox.port,
            smtp_starttls=False,
            smtp_timeout_seconds=10,
            clock=clock,
        )
        database = Database.from_url(database_url)
        async with serve(create_app(settings, database)) as url:
            yield MailingDemo(url, inbox, clock, database)
