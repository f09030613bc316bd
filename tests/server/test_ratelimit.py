"""Rate limits for live events: a sliding window per user, in this process or in Redis."""

import os
import uuid

import pytest
import redis.asyncio as redis

from server.realtime.ratelimit import RateLimit, RedisRateLimit

REDIS_URL = "redis://127.0.0.1:6379/0"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_user_past_the_limit_waits_for_the_window():
    clock = Clock()
    limit = RateLimit(3, 10.0, clock)
    assert [await limit.allow("giulia") for _ in range(4)] == [True, True, True, False]
    assert await limit.allow("marc") is True  # others are not held up
    clock.now += 10.0
    assert await limit.allow("giulia") is True


async def test_users_who_went_quiet_are_forgotten():
    clock = Clock()
    limit = RateLimit(5, 10.0, clock)
    for user in range(1000):
        await limit.allow(user)
    assert len(limit) == 1000
    clock.now += 10.5  # a whole window without a word from any of them
    await limit.allow("late-comer")
    assert len(limit) == 1
    # someone still inside the window keeps their count through the next sweep
    for _ in range(3):
        await limit.allow("busy")
    clock.now += 5.0
    for _ in range(2):
        await limit.allow("busy")
    clock.now += 5.1  # the sweep: the first three left the window, the last two have not
    assert [await limit.allow("busy") for _ in range(4)] == [True, True, True, False]
    assert len(limit) == 1


@pytest.fixture
async def redis_prefix():
    """A key prefix of this test's own on the real Redis, removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except redis.ConnectionError as exc:
        await client.aclose()
        if IN_CI:
            pytest.fail(f"Redis is required in CI and did not answer: {exc}")
        pytest.skip(f"Redis not available: {exc}")
    prefix = f"fiera-test:{uuid.uuid4().hex}:"
    yield prefix
    keys = [key async for key in client.scan_iter(f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_redis_limit_is_shared_by_processes_and_expires(redis_prefix):
    clock = Clock()
    # two limits on the same keys stand for two server processes of one fair
    first = RedisRateLimit(REDIS_URL, 3, 10.0, redis_prefix, clock)
    second = RedisRateLimit(REDIS_URL, 3, 10.0, redis_prefix, clock)
    try:
        assert [await first.allow(7), await second.allow(7), await first.allow(7)] == [True] * 3
        assert await second.allow(7) is False
        assert await first.allow(8) is True  # another user has a count of their own
        clock.now += 10.0
        assert await second.allow(7) is True
        # an idle user's key does not outlive the window
        ttl = await first.redis.pttl(f"{redis_prefix}7")
        assert 0 < ttl <= 10_000
    finally:
        await first.close()
        await second.close()
