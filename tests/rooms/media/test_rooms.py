"""Rooms of the media server: late joiners, keyframe requests, slots, refusals, deadlines, leaks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import pytest
from aiortc import RTCSessionDescription

from rooms.media import MediaError
from tests.support.webrtc import Bot

pytestmark = pytest.mark.webrtc


def joining(media, room, peer, slots=1, **kwargs):
    return lambda offer: media.join(room, peer, offer, slots, **kwargs)


async def connected_pair(media, room="r", slots=1):
    alice, bob = Bot(slots), Bot(slots)
    await alice.connect(joining(media, room, "alice", slots))
    await bob.connect(joining(media, room, "bob", slots))
    for bot in (alice, bob):
        await bot.wait_for(lambda bot=bot: bot.reception(0, "camera").frames > 5)
    return alice, bob


async def test_a_late_joiner_gets_a_keyframe_within_a_second(media):
    alice, bob = await connected_pair(media, slots=2)
    await asyncio.sleep(1.5)  # the first keyframes are long gone: carol needs a new one
    carol = Bot(2)
    try:
        await carol.connect(joining(media, "r", "carol", 2))
        await carol.wait_for(lambda: carol.reception(0, "camera").keyframes > 0)
        await carol.wait_for(lambda: carol.reception(1, "camera").keyframes > 0)
        for publisher, slot in (("alice", 0), ("bob", 1)):
            assert media.slot_of("r", "carol", publisher) == slot
            track = media.peer("r", "carol").tracks[slot]["camera"]
            waited = track.first_keyframe_at - track.subscribed_at
            # from subscribing (the join) to the first keyframe forwarded: a requirement
            assert waited < 1.0, f"{publisher}'s keyframe took {waited:.2f} s"
            reception = carol.reception(slot, "camera")
            assert reception.first_keyframe_at == reception.first_frame_at  # nothing before it
    finally:
        for bot in (alice, bob, carol):
            await bot.close()
        await media.close_room("r")


async def test_a_subscribers_picture_loss_reaches_the_publisher_throttled(make_media):
    media = make_media(keyframe_interval=0.5)
    alice, bob = await connected_pair(media)
    try:
        camera = alice.tracks["camera"]
        publication = media.peer("r", "alice").publications["camera"]
        await asyncio.sleep(0.6)
        before_sent, before_seen = publication.keyframe_requests, camera.keyframe_requests
        # bob's receiver tells the server it lost a picture, twenty times at once (RTCP PLI)
        receiver = bob.pc.getTransceivers()[4].receiver
        for _ in range(20):
            assert receiver.request_keyframe()
        await bob.wait_for(lambda: publication.keyframe_requests == before_sent + 1)
        await alice.wait_for(lambda: camera.keyframe_requests > before_seen)
        # the rest wait for the interval and go as one
        await bob.wait_for(lambda: publication.keyframe_requests == before_sent + 2)
        await asyncio.sleep(0.7)
        assert publication.keyframe_requests == before_sent + 2
        assert camera.keyframe_requests - before_seen == 2
    finally:
        await alice.close()
        await bob.close()
        await media.close_room("r")


async def test_slots_are_stable_and_freed_on_leave(media, events):
    bots = {name: Bot(2) for name in ("a", "b", "c")}
    try:
        for name, bot in bots.items():
            await bot.connect(joining(media, "r", name, 2))
        assert [media.slot_of("r", "a", p) for p in ("b", "c")] == [0, 1]
        assert [media.slot_of("r", "c", p) for p in ("a", "b")] == [0, 1]
        await media.leave("r", "b")
        assert ("closed", "b") in {(e.kind, e.peer) for e in events}
        assert media.slot_of("r", "a", "b") is None
        assert media.slot_of("r", "a", "c") == 1
        bots["d"] = Bot(2)
        await bots["d"].connect(joining(media, "r", "d", 2))
        assert media.slot_of("r", "a", "d") == 0
        assert media.slot_of("r", "c", "d") == 1  # the slot b left
        assert media.slot_of("r", "d", "a") == 0
        await bots["a"].wait_for(lambda: bots["a"].reception(0, "camera").keyframes > 0)
        assert sorted(media.rooms()["r"]) == ["a", "c", "d"]
    finally:
        for bot in bots.values():
            await bot.close()
        await media.close_room("r")
    assert media.rooms() == {}


async def test_the_device_check_sends_a_peer_its_own_media(make_media):
    media = make_media(self_view=True)
    me = Bot(1, decode=True)
    try:
        await me.connect(joining(media, "check", "me"))
        await me.wait_for(lambda: me.reception(0, "camera").decoded > 5)
        await me.wait_for(lambda: me.reception(0, "audio").frames > 5)
        assert me.reception(0, "camera").size == (640, 480)
        assert media.slot_of("check", "me", "me") == 0
    finally:
        await me.close()
        await media.close()


async def offer_of(bot: Bot) -> str:
    await bot.pc.setLocalDescription(await bot.pc.createOffer())
    return bot.pc.localDescription.sdp


async def test_bad_offers_are_refused_and_the_server_keeps_running(media):
    bot = Bot(1)
    offer = await offer_of(bot)
    refusals = {}
    for label, text, slots in [
        ("garbage", "this is not sdp at all", 1),
        ("too large", offer + "a=x\r\n" * 15000, 1),
        ("layout", offer, 2),
        ("slots", offer, 9),
        ("video first", offer.replace("m=audio", "m=vidxo").replace("m=video", "m=audio", 1), 1),
    ]:
        with pytest.raises(MediaError) as refused:
            await media.join("r", f"p-{label}", text, slots)
        refusals[label] = refused.value.reason
    assert refusals == {
        "garbage": "offer-invalid",
        "too large": "offer-too-large",
        "layout": "offer-layout",
        "slots": "offer-layout",
        "video first": "offer-layout",
    }
    sendonly_recv = offer.replace("a=recvonly", "a=sendonly")
    with pytest.raises(MediaError, match="m-line 3 is sendonly"):
        await media.join("r", "p", sendonly_recv, 1)
    assert media.rooms() == {}
    await bot.close()
    # the same server still connects a good offer, and refuses the same peer twice
    alice, bob = await connected_pair(media)
    try:
        with pytest.raises(MediaError) as twice:
            await media.join("r", "alice", offer, 1)
        assert twice.value.reason == "already-joined"
        with pytest.raises(MediaError) as bad:
            await media.add_candidate("r", "alice", "candidate:garbage", "0", 0)
        assert bad.value.reason == "bad-candidate"
        with pytest.raises(MediaError) as stranger:
            await media.add_candidate("r", "nobody", "", "0", 0)
        assert stranger.value.reason == "not-in-room"
        await media.add_candidate("r", "alice", "", "0", 0)  # end of candidates
    finally:
        await alice.close()
        await bob.close()
        await media.close_room("r")


async def test_a_peer_that_never_connects_is_dropped(make_media, events):
    media = make_media(connect_seconds=0.5)
    silent = Bot(1)
    await media.join("r", "silent", await offer_of(silent), 1)  # its answer is never applied
    assert media.rooms() == {"r": ["silent"]}
    await silent.wait_for(lambda: media.rooms() == {})
    assert [(e.kind, e.peer) for e in events] == [("failed", "silent")]
    await silent.close()
    await media.close()


async def test_candidates_use_the_configured_addresses_and_port_range(make_media):
    media = make_media(ports=(41000, 41009))
    alice = Bot(1)
    answer = ""

    async def signal(offer):
        nonlocal answer
        answer = await media.join("r", "alice", offer, 1)
        return answer

    try:
        await alice.connect(signal)
        candidates = [line.split() for line in answer.splitlines() if "a=candidate" in line]
        assert candidates
        assert {c[4] for c in candidates} == {"127.0.0.1"}
        assert all(41000 <= int(c[5]) <= 41009 for c in candidates)
        await alice.wait_for(lambda: media.peer("r", "alice").connected)
    finally:
        await alice.close()
        await media.close()


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the directory listing's own descriptor
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


async def settled(count, baseline, seconds=5.0):
    deadline = time.monotonic() + seconds
    # closed transports release their sockets on later loop turns
    while count() > baseline and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return count()


async def test_no_tasks_or_sockets_are_left_after_a_room_ends(make_media):
    media = make_media()
    await asyncio.sleep(0.1)
    tasks, sockets = len(asyncio.all_tasks()), open_sockets()
    alice, bob = await connected_pair(media, room="leak")
    assert open_sockets() > sockets
    await media.close_room("leak")
    await alice.close()
    await bob.close()
    await media.close()
    assert await settled(open_sockets, sockets) == sockets
    assert await settled(lambda: len(asyncio.all_tasks()), tasks) == tasks, [
        t.get_coro() for t in asyncio.all_tasks()
    ]


async def test_an_answer_is_a_real_answer(media):
    bot = Bot(1)
    try:
        answer = await media.join("r", "x", await offer_of(bot), 1)
        await bot.pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        assert answer.count("m=") == 6
        assert "VP8/90000" in answer and "opus/48000" in answer
    finally:
        await bot.close()
        await media.close_room("r")
