"""A shared screen reaches the others on its screen m-line; the camera keeps flowing."""

from __future__ import annotations

import pytest

from tests.support.webrtc import SCREEN_SIZE, Bot

pytestmark = pytest.mark.webrtc


def joining(media, room, peer, slots=1):
    return lambda offer: media.join(room, peer, offer, slots)


async def test_a_shared_screen_arrives_on_the_screen_line_beside_the_camera(media):
    sharer, viewer = Bot(slots=1, screen=True), Bot(slots=1, decode=True)
    await sharer.connect(joining(media, "r1", "sharer"))
    await viewer.connect(joining(media, "r1", "viewer"))
    try:
        camera = viewer.reception(0, "camera")
        screen = viewer.reception(0, "screen")
        await viewer.wait_for(lambda: camera.decoded >= 10, seconds=15)
        assert screen.frames == 0  # nothing is shared yet: the screen m-line is silent

        sharer.share_screen()
        await viewer.wait_for(lambda: screen.decoded >= 10, seconds=15)
        cameras_when_screen_came = camera.decoded
        assert screen.size == SCREEN_SIZE
        assert screen.decode_errors == 0
        # the first screen frame the viewer got was a keyframe: nothing undecodable came first
        assert screen.first_frame_at == screen.first_keyframe_at

        # the camera kept flowing on its own m-line, with its own picture
        await viewer.wait_for(lambda: camera.decoded >= cameras_when_screen_came + 10)
        assert camera.size == (640, 480)
        assert camera.decode_errors == 0
        # the viewer shares nothing, so the sharer's screen line stays silent
        assert sharer.reception(0, "screen").frames == 0
        assert media.peer("r1", "sharer").publications["screen"].frames >= 10

        # stopping the share stops the screen (once what was on its way arrived) and leaves the
        # camera running
        sharer.stop_sharing()
        publication = media.peer("r1", "sharer").publications["screen"]
        seen = {"screen": -1, "camera": camera.decoded}

        def screen_stopped() -> bool:
            if camera.decoded < seen["camera"] + 15:
                return False  # look again once the camera moved on by half a second
            stopped = publication.frames == seen["screen"]
            seen.update(screen=publication.frames, camera=camera.decoded)
            return stopped

        await viewer.wait_for(screen_stopped, seconds=15)
    finally:
        await sharer.close()
        await viewer.close()
        await media.close_room("r1")
