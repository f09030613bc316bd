"""argon2id hashing, run in a worker thread so that the event loop keeps serving."""

from __future__ import annotations

import anyio.to_thread
from anyio import CapacityLimiter
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.settings import Settings


class Passwords:
    def __init__(self, settings: Settings):
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism,
        )
        # Each check costs tens of MiB and a core for a fifth of a second: a burst of log-ins
        # queues here instead of filling memory and starving every other request.
        self.limiter = CapacityLimiter(settings.password_checks_at_once)
        # Verified against when the e-mail is unknown, so that both answers take as long.
        self._dummy_hash = self.hasher.hash("not a real password")

    def hash_sync(self, password: str) -> str:
        return self.hasher.hash(password)

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self.hasher.hash, password, limiter=self.limiter)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; an unknown user (None) costs the same time."""

        def check() -> bool:
            try:
                return self.hasher.verify(password_hash or self._dummy_hash, password) and (
                    password_hash is not None
                )
            except (VerificationError, InvalidHashError):
                return False

        return await anyio.to_thread.run_sync(check, limiter=self.limiter)
