"""Who is online in which fair: online while a connection is open, offline after a grace."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Key = tuple[int, int]  # (fair id, user id)
OnChange = Callable[[int, int, str], Awaitable[None]]


class Presence:
    """In-process presence (one process; the Redis-backed variant comes with scale-out)."""

    def __init__(self, on_change: OnChange, grace_seconds: float = 10.0):
        self.on_change = on_change
        self.grace_seconds = grace_seconds
        self._connections: dict[Key, set[str]] = {}
        self._pending: dict[Key, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task] = set()

    def online(self, fair_id: int) -> set[int]:
        return {
            user for (fair, user), sids in self._connections.items() if fair == fair_id and sids
        }

    def is_online(self, fair_id: int, user_id: int) -> bool:
        return bool(self._connections.get((fair_id, user_id)))

    async def arrive(self, fair_id: int, user_id: int, sid: str) -> None:
        """A connection joined the fair; a reconnect within the grace changes nothing."""
        key = (fair_id, user_id)
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        was_online = bool(self._connections.get(key)) or pending is not None
        self._connections.setdefault(key, set()).add(sid)
        if not was_online:
            await self.on_change(fair_id, user_id, "online")

    def leave(self, fair_id: int, user_id: int, sid: str) -> None:
        """A connection closed; the user goes offline when no other opens within the grace."""
        key = (fair_id, user_id)
        sids = self._connections.get(key)
        if not sids:
            return
        sids.discard(sid)
        if sids:
            return
        del self._connections[key]
        loop = asyncio.get_running_loop()
        self._pending[key] = loop.call_later(self.grace_seconds, self._expire, key)

    def _expire(self, key: Key) -> None:
        self._pending.pop(key, None)
        if self._connections.get(key):
            return
        task = asyncio.get_running_loop().create_task(self.on_change(*key, "offline"))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        for handle in self._pending.values():
            handle.cancel()
        self._pending.clear()
