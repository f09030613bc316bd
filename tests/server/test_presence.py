"""Presence rules: online while any tab is open and visible, away when all are hidden,
offline a grace period after the last one closes."""

import asyncio

from server.realtime.presence import Presence


async def test_online_away_offline_with_a_grace():
    changes: list[tuple[int, int, str]] = []

    async def record(fair: int, user: int, status: str) -> None:
        changes.append((fair, user, status))

    presence = Presence(record, grace_seconds=0.05, away_seconds=0.05)
    await presence.arrive(1, 7, "tab-a")
    await presence.arrive(1, 7, "tab-b")
    assert presence.status(1, 7) == "online" and changes == [(1, 7, "online")]

    await presence.set_state(1, 7, "tab-a", "away")
    await asyncio.sleep(0.1)
    assert presence.status(1, 7) == "online"  # tab-b is still visible
    await presence.set_state(1, 7, "tab-b", "away")
    assert presence.status(1, 7) == "online"  # hidden only a moment: not away yet
    await asyncio.sleep(0.1)
    assert presence.status(1, 7) == "away"

    presence.leave(1, 7, "tab-a")
    presence.leave(1, 7, "tab-b")
    assert presence.status(1, 7) == "away"  # within the grace nothing changes yet
    await presence.arrive(1, 7, "tab-c")  # a reconnect within the grace
    await asyncio.sleep(0.1)
    assert presence.status(1, 7) == "online"

    presence.leave(1, 7, "tab-c")
    await asyncio.sleep(0.1)
    assert presence.status(1, 7) == "offline"
    assert [status for *_, status in changes] == ["online", "away", "online", "offline"]
    assert presence.online(1) == set()
    presence.close()


async def test_presence_is_per_fair():
    async def ignore(*_):
        return None

    presence = Presence(ignore, grace_seconds=0.01)
    await presence.arrive(1, 7, "tab")
    assert presence.statuses(1, [7, 8]) == {7: "online", 8: "offline"}
    assert presence.status(2, 7) == "offline"
    presence.close()


async def test_moving_between_pages_changes_nothing():
    changes: list[str] = []

    async def record(fair: int, user: int, status: str) -> None:
        changes.append(status)

    presence = Presence(record, grace_seconds=0.2, away_seconds=0.1)
    await presence.arrive(1, 7, "page-1")
    for page in range(2, 6):
        # the page that unloads reports "hidden", then its connection closes; the next one opens
        await presence.set_state(1, 7, f"page-{page - 1}", "away")
        presence.leave(1, 7, f"page-{page - 1}")
        await presence.arrive(1, 7, f"page-{page}")
        await asyncio.sleep(0.15)  # past the away delay: a hidden page left no timer behind
        assert presence.status(1, 7) == "online"
    assert changes == ["online"]
    presence.close()


async def test_a_tab_shown_again_before_the_delay_was_never_away():
    changes: list[str] = []

    async def record(fair: int, user: int, status: str) -> None:
        changes.append(status)

    presence = Presence(record, grace_seconds=0.05, away_seconds=0.1)
    await presence.arrive(1, 7, "tab")
    await presence.set_state(1, 7, "tab", "away")
    await presence.set_state(1, 7, "tab", "online")
    await asyncio.sleep(0.15)
    assert presence.status(1, 7) == "online" and changes == ["online"]
    presence.close()
