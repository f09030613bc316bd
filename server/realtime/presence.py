"""Who is online in which fair: online while a connection is open, offline after a grace.

A connection is "online" or "away" (its tab has been hidden for `away_seconds`); a user is
online when any of their connections is online, away when all are away, and offline a grace
period after the last one closes. Moving between pages of the site shows neither: the page that
unloads reports "hidden" and closes a moment later, well inside both delays.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Literal

Key = tuple[int, int]  # (fair id, user id)
Status = Literal["online", "away", "offline"]
OnChange = Callable[[int, int, str], Awaitable[None]]
CONNECTION_STATES = ("online", "away")


class Presence:
    """In-process presence (one process; a Redis-backed variant comes with scale-out)."""

    def __init__(self, on_change: OnChange, grace_seconds: float = 10.0, away_seconds: float = 5.0):
        self.on_change = on_change
        self.grace_seconds = grace_seconds
        self.away_seconds = away_seconds
        self._connections: dict[Key, dict[str, str]] = {}  # sid -> online | away
        self._shown: dict[Key, str] = {}  # the status last announced
        self._pending: dict[Key, asyncio.TimerHandle] = {}
        self._hiding: dict[tuple[Key, str], asyncio.TimerHandle] = {}  # hidden, not yet away
        self._tasks: set[asyncio.Task] = set()

    def status(self, fair_id: int, user_id: int) -> Status:
        return self._shown.get((fair_id, user_id), "offline")  # type: ignore[return-value]

    def statuses(self, fair_id: int, user_ids: list[int]) -> dict[int, Status]:
        return {user_id: self.status(fair_id, user_id) for user_id in user_ids}

    def online(self, fair_id: int) -> set[int]:
        """Users present (online or away) in the fair."""
        return {user for (fair, user) in self._shown if fair == fair_id}

    async def arrive(self, fair_id: int, user_id: int, sid: str, state: str = "online") -> None:
        """A connection joined the fair; a reconnect within the grace changes nothing."""
        key = (fair_id, user_id)
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.cancel()
        self._connections.setdefault(key, {})[sid] = state
        await self._announce(key)

    async def set_state(self, fair_id: int, user_id: int, sid: str, state: str) -> None:
        """A connection's tab became visible (online now) or hidden (away if it stays hidden)."""
        key = (fair_id, user_id)
        sids = self._connections.get(key)
        if sids is None or sid not in sids or state not in CONNECTION_STATES:
            return
        if state == "away":
            if sids[sid] == "online" and (key, sid) not in self._hiding:
                loop = asyncio.get_running_loop()
                self._hiding[key, sid] = loop.call_later(self.away_seconds, self._hide, key, sid)
            return
        self._stop_hiding(key, sid)
        sids[sid] = state
        await self._announce(key)

    def _hide(self, key: Key, sid: str) -> None:
        self._hiding.pop((key, sid), None)
        sids = self._connections.get(key)
        if sids is not None and sid in sids:
            sids[sid] = "away"
            self._spawn(self._announce(key))

    def _stop_hiding(self, key: Key, sid: str) -> None:
        handle = self._hiding.pop((key, sid), None)
        if handle is not None:
            handle.cancel()

    def leave(self, fair_id: int, user_id: int, sid: str) -> None:
        """A connection closed; the user goes offline when no other opens within the grace."""
        key = (fair_id, user_id)
        sids = self._connections.get(key)
        if not sids or sid not in sids:
            return
        self._stop_hiding(key, sid)  # a page that unloads reports "hidden" on its way out
        del sids[sid]
        if sids:
            self._spawn(self._announce(key))
            return
        del self._connections[key]
        loop = asyncio.get_running_loop()
        self._pending[key] = loop.call_later(self.grace_seconds, self._expire, key)

    def _expire(self, key: Key) -> None:
        self._pending.pop(key, None)
        if not self._connections.get(key):
            self._spawn(self._announce(key))

    async def _announce(self, key: Key) -> None:
        states = self._connections.get(key, {}).values()
        status = "online" if "online" in states else "away" if states else "offline"
        if self._shown.get(key, "offline") == status:
            return
        if status == "offline":
            self._shown.pop(key, None)
        else:
            self._shown[key] = status
        await self.on_change(*key, status)

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        for handle in (*self._pending.values(), *self._hiding.values()):
            handle.cancel()
        self._pending.clear()
        self._hiding.clear()
