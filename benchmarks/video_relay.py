"""`fiera serve` with aiortc's stock decode-and-re-encode relay in place of the media server.

For comparison only (bench_video.py's browser call): the rooms, signalling and pages are the
product's; each browser's microphone and camera are decoded by aiortc and encoded again for
the other side, as aiortc's own examples relay media. Run: python video_relay.py HOST PORT
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcconfiguration import RTCBundlePolicy

from rooms.media import MediaServer, errors
from rooms.media.aiortc_hooks import network_scope
from rooms.media.layout import check_offer
from rooms.media.server import Peer, codec_preferences


class RelayServer(MediaServer):
    """The media server's interface over aiortc's stock receivers (decode) and senders (encode)."""

    async def join(
        self, room: str, peer: str, offer_sdp: str, slots: int, *, self_view: bool | None = None
    ) -> str:
        """Connect a peer; once two are in, each one's decoded tracks go to the other's sender."""
        settings = self.settings
        layout = check_offer(
            offer_sdp, slots, max_chars=settings.max_offer_chars, max_slots=settings.max_slots
        )
        members = self._rooms.setdefault(room, {})
        if peer in members:
            raise errors.already_joined()
        pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        member = Peer(room, peer, slots, pc)
        members[peer] = member
        for line in layout:
            direction = "recvonly" if line.slot is None else "sendonly"
            transceiver = pc.addTransceiver(line.kind, direction=direction)
            transceiver.setCodecPreferences(codec_preferences(line.kind))
        with network_scope(self._network):
            await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        pc.on("connectionstatechange", lambda: self._state_changed(member))
        loop = asyncio.get_running_loop()
        member.deadline = loop.call_later(settings.connect_seconds, self._deadline, member)
        for other in list(members.values()):
            if other is not member:
                self._relay(member, other)
                self._relay(other, member)
        return pc.localDescription.sdp

    def _relay(self, viewer: Peer, publisher: Peer) -> None:
        slot = viewer.free_slot()
        if publisher.id in viewer.assigned or slot is None:
            return
        viewer.assigned[publisher.id] = slot
        sent, got = viewer.pc.getTransceivers(), publisher.pc.getTransceivers()
        for i in (0, 1):  # microphone and camera (m-lines 0 and 1) to the slot's first two
            sent[3 + 3 * slot + i].sender.replaceTrack(got[i].receiver.track)


def main() -> None:
    import rooms.video.media
    from server.cli import _serve
    from server.settings import Settings

    rooms.video.media.MediaServer = RelayServer  # type: ignore[misc]
    _serve(Settings.from_env(), sys.argv[1], int(sys.argv[2]))


if __name__ == "__main__":
    main()
