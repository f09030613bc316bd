"""Two bots in a room receive each other's media through the media server, which never decodes."""

from __future__ import annotations

import threading

import pytest

from rooms.media.aiortc_hooks import ForwardingReceiver, ForwardingSender, Packer
from tests.support.webrtc import Bot

pytestmark = pytest.mark.webrtc


def joining(media, room, peer, slots=1):
    return lambda offer: media.join(room, peer, offer, slots)


async def test_two_bots_see_and_hear_each_other_without_server_decoding(media, events):
    alice, bob = Bot(slots=1, decode=True), Bot(slots=1, decode=True)
    await alice.connect(joining(media, "r1", "alice"))
    await bob.connect(joining(media, "r1", "bob"))
    try:
        for bot in (alice, bob):
            await bot.wait_for(
                lambda bot=bot: (
                    bot.reception(0, "camera").decoded >= 15
                    and bot.reception(0, "audio").decoded >= 25
                ),
                seconds=15,
            )
        for bot in (alice, bob):
            camera = bot.reception(0, "camera")
            assert camera.size == (640, 480)
            assert camera.decode_errors == 0
            assert bot.reception(0, "screen").frames == 0
        assert media.slot_of("r1", "alice", "bob") == 0
        assert media.slot_of("r1", "bob", "alice") == 0
        assert media.rooms() == {"r1": ["alice", "bob"]}
        assert {(e.kind, e.peer) for e in events} == {("connected", "alice"), ("connected", "bob")}

        # The server side: frames handed over on the event loop, packed, never decoded or encoded.
        assert not [t for t in threading.enumerate() if t.name.endswith("-decoder")]
        assert Packer.encodes == 0
        packed = 0
        for name in ("alice", "bob"):
            pc = media.peer("r1", name).pc
            for transceiver in pc.getTransceivers():
                assert isinstance(transceiver.receiver, ForwardingReceiver)
                assert isinstance(transceiver.sender, ForwardingSender)
                if transceiver.sender.packer is not None:
                    packed += transceiver.sender.packer.packed
        assert packed > 0
    finally:
        await alice.close()
        await bob.close()
        await media.close_room("r1")
    assert media.rooms() == {}
