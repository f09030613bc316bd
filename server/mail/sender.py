"""The sender: claims due messages with a conditional UPDATE, sends them, retries with backoff.

It is a job of the one runner (server/jobs.py) and a service that requests nudge right after
they queued a message, so a reset link does not wait for the next tick. Claiming sets a lease
(next_attempt_at moves ahead): a sender that dies mid-send leaves the row `sending`, and another
pass takes it again once the lease is over. Several processes may run it at once: only one
claim of a row succeeds, and only the claimer's outcome is written.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from server.db import Database
from server.mail.models import MailStatus, OutboxMessage
from server.mail.transport import Transport
from server.settings import Settings

logger = logging.getLogger("fiera.mail")
ERROR_MAX = 500
# The name the sender is registered under among the platform's services.
SERVICE = "mail"


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: the base delay, doubled each time."""
    return timedelta(seconds=settings.mail_retry_seconds * 2 ** max(0, attempts - 1))


def describe(exc: Exception) -> str:
    """An error as the outbox shows it: the SMTP reply's code and text when there is one."""
    code, text = getattr(exc, "code", None), getattr(exc, "message", None)
    detail = f"{code} {text}" if isinstance(code, int) and text else str(exc)
    return f"{type(exc).__name__}: {detail}"[:ERROR_MAX]


class Sender:
    """Delivers the outbox through one transport (a service of the app, and a job)."""

    def __init__(self, database: Database, settings: Settings, transport: Transport):
        self.database = database
        self.settings = settings
        self.transport = transport
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()

    def _due(self, now: datetime):
        return (
            OutboxMessage.status.in_((MailStatus.QUEUED, MailStatus.SENDING)),
            OutboxMessage.next_attempt_at <= now,
        )

    async def claim(self, now: datetime) -> list[OutboxMessage]:
        """Take the due messages for this sender until its lease ends; others skip them."""
        lease_end = now + timedelta(seconds=self.settings.mail_lease_seconds)
        claimed = []
        async with self.database.session() as db:
            ids = list(
                await db.scalars(
                    select(OutboxMessage.id)
                    .where(*self._due(now))
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                    .limit(self.settings.mail_batch)
                )
            )
            for message_id in ids:
                result = await db.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, *self._due(now))
                    .values(
                        status=MailStatus.SENDING,
                        attempts=OutboxMessage.attempts + 1,
                        next_attempt_at=lease_end,
                    )
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(message_id)
            await db.commit()
            if not claimed:
                return []
            return list(
                await db.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(claimed))
                    .order_by(OutboxMessage.id)
                    .execution_options(populate_existing=True)
                )
            )

    async def _settle(self, message: OutboxMessage, values: dict) -> None:
        """Write a claimed message's outcome, unless its lease ended and another took it."""
        async with self.database.session() as db:
            await db.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message.id,
                    OutboxMessage.status == MailStatus.SENDING,
                    OutboxMessage.attempts == message.attempts,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            await db.commit()

    async def _send_one(self, message: OutboxMessage) -> bool:
        try:
            await self.transport.send(message)
        except Exception as exc:  # any failure of the transport is retried, and shown
            error = describe(exc)
            now = self.settings.clock()
            if message.attempts >= self.settings.mail_max_attempts:
                logger.error("mail %s (%s) failed for good: %s", message.id, message.kind, error)
                values: dict = {"status": MailStatus.FAILED, "last_error": error}
            else:
                logger.warning(
                    "mail %s failed (attempt %s): %s", message.id, message.attempts, error
                )
                values = {
                    "status": MailStatus.QUEUED,
                    "last_error": error,
                    "next_attempt_at": now + retry_delay(self.settings, message.attempts),
                }
            await self._settle(message, values)
            return False
        await self._settle(message, {"status": MailStatus.SENT, "sent_at": self.settings.clock()})
        return True

    async def send_due(self, now: datetime) -> int:
        """One pass: send every message due at `now`; return how many went out."""
        async with self._lock:  # the runner's tick and a nudge do not claim side by side
            sent = 0
            for message in await self.claim(now):
                sent += await self._send_one(message)
            return sent

    def nudge(self) -> None:
        """Send what is due soon, without waiting for the job runner's next tick."""
        task = asyncio.create_task(self._nudged(), name="fiera-mail-nudge")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _nudged(self) -> None:
        try:
            await self.send_due(self.settings.clock())
        except Exception:  # the job runner tries again on its next tick
            logger.exception("sending mail failed")

    def start(self) -> None:
        pass

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
