"""Rate limits for live events: at most `count` events per `window` seconds per key.

`RateLimit` counts in this process and forgets idle keys; `RedisRateLimit` counts in Redis, so
that every process of a scaled-out fair shares one count per key.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as redis


class Limit(Protocol):
    async def allow(self, key: object) -> bool: ...

    async def close(self) -> None: ...


class RateLimit:
    """In-process sliding window on a clock tests can move; keys idle a whole window are pruned."""

    def __init__(self, count: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.count = count
        self.window = window
        self.clock = clock
        self._events: dict[object, deque[float]] = {}
        self._next_prune = clock() + window

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._events)

    async def allow(self, key: object) -> bool:
        """Count one event for `key`, unless it already had `count` within the window."""
        now = self.clock()
        if now >= self._next_prune:
            self._prune(now)
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.count:
            return False
        events.append(now)
        return True

    def _prune(self, now: float) -> None:
        # one sweep per window keeps the cost per event constant while every user who ever
        # sent something would otherwise stay in memory for the life of the process
        horizon = now - self.window
        for key in [k for k, events in self._events.items() if not events or events[-1] <= horizon]:
            del self._events[key]
        self._next_prune = now + self.window

    async def close(self) -> None:
        self._events.clear()


# Drop what left the window, then count the event if there is room; atomic in Redis, so that
# processes sharing the key cannot both take the last place.
_SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(ARGV[2] * 1000))
return 1
"""


class RedisRateLimit:
    """The same sliding window in a Redis sorted set per key, expiring when the key goes idle."""

    def __init__(
        self,
        url: str,
        count: int,
        window: float,
        prefix: str = "fiera:rate:",
        clock: Callable[[], float] = time.time,  # wall time: shared by every process
    ):
        self.count = count
        self.window = window
        self.prefix = prefix
        self.clock = clock
        self.redis = redis.Redis.from_url(url)
        self._script = self.redis.register_script(_SLIDING_WINDOW)

    async def allow(self, key: object) -> bool:
        """Count one event for `key`, unless it already had `count` within the window."""
        now = self.clock()
        allowed = await self._script(
            keys=[f"{self.prefix}{key}"],
            args=[now, self.window, self.count, f"{now}:{uuid.uuid4().hex}"],
        )
        return allowed == 1

    async def close(self) -> None:
        await self.redis.aclose()
