"""The processes of the video benchmark: a media server (or aiortc's relay), and bot workers.

`python video_load.py serve forward|relay` prints its control port and answers JSON lines on
127.0.0.1: `join` (an offer, answered with the answer SDP) and `close` (every connection). Each
connection handles its requests one at a time; the bots open one connection per join, so joins
run concurrently, as they would through the web side.

`python video_load.py bots PORT` is a worker holding some of the benchmark's meetings (both
bots of each): it reads commands on stdin and answers each with one JSON line on stdout:
`join` (connect the meetings given, wait for every bot's first camera frame), `sample` (packets
and frames so far), `close`. Several workers share the bots' core, so that no one event loop
carries them all, and their joins run at once.
Both run only inside the private network namespace bench_video.py enters.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def waited_seconds(pid: int) -> float:
    """Time the process's main thread spent ready to run but waiting for a CPU, so far."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


# ---- the server process -------------------------------------------------------------------------


async def serve(mode: str) -> None:
    """A media server (forward) or aiortc's relay behind a JSON-lines socket on 127.0.0.1."""
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.rtcconfiguration import RTCBundlePolicy

    from rooms.media import MediaServer, MediaSettings
    from rooms.media.aiortc_hooks import NetworkScope, network_scope
    from rooms.media.layout import lines
    from rooms.media.server import codec_preferences

    media = MediaServer(MediaSettings(addresses=("127.0.0.1",), connect_seconds=60))
    relay_rooms: dict[str, list[RTCPeerConnection]] = {}

    async def relay_join(room: str, offer: str, slots: int) -> str:
        pc = RTCPeerConnection(
            RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        )
        for line in lines(slots):
            direction = "recvonly" if line.slot is None else "sendonly"
            transceiver = pc.addTransceiver(line.kind, direction=direction)
            transceiver.setCodecPreferences(codec_preferences(line.kind))
        with network_scope(NetworkScope(("127.0.0.1",))):
            await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        peers = relay_rooms.setdefault(room, [])
        peers.append(pc)
        if len(peers) == 2:
            for viewer, publisher in ((peers[0], peers[1]), (peers[1], peers[0])):
                sent, got = viewer.getTransceivers(), publisher.getTransceivers()
                for i in (0, 1):  # microphone and camera: the decoded track, re-encoded
                    sent[3 + i].sender.replaceTrack(got[i].receiver.track)
        return pc.localDescription.sdp

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal media
        while line := await reader.readline():
            request = json.loads(line)
            answer: dict = {}
            if request["op"] == "join":
                room, peer, sdp, slots = (request[k] for k in ("room", "peer", "sdp", "slots"))
                if mode == "forward":
                    answer = {"sdp": await media.join(room, peer, sdp, slots)}
                else:
                    answer = {"sdp": await relay_join(room, sdp, slots)}
            elif request["op"] == "close":
                await media.close()
                media = MediaServer(media.settings)
                for peers in relay_rooms.values():
                    for pc in peers:
                        await pc.close()
                relay_rooms.clear()
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


async def ask(port: int, **request) -> dict:
    """One request to the server process on a connection of its own."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(json.dumps(request).encode() + b"\n")
        await writer.drain()
        return json.loads(await reader.readline())
    finally:
        writer.close()


# ---- a bot worker -------------------------------------------------------------------------------


class Worker:
    """Some meetings' bots, both sides of each, in this process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bots: list = []

    async def join(self, meetings: list[str], seconds: float) -> dict:
        """Connect both bots of every meeting at once; first-frame times (None: none came)."""
        from tests.support.webrtc import Bot

        async def one(room: str, peer: str):
            bot = Bot(1)
            bot.started = time.monotonic()

            async def signal(offer: str) -> str:
                answer = await ask(self.port, op="join", room=room, peer=peer, sdp=offer, slots=1)
                return answer["sdp"]

            await bot.connect(signal)
            return bot

        joins = [one(room, peer) for room in meetings for peer in ("a", "b")]
        self.bots += await asyncio.gather(*joins)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if all(bot.reception(0, "camera").frames for bot in self.bots):
                break
            await asyncio.sleep(0.05)
        firsts = []
        for bot in self.bots:
            at = bot.reception(0, "camera").first_frame_at
            firsts.append(None if at is None else at - bot.started)
        return {"first_frames": firsts}

    async def sample(self) -> dict:
        """Packets sent, received and lost so far, and camera frames received by each bot."""
        sent = received = lost = 0
        for bot in self.bots:
            for stat in (await bot.pc.getStats()).values():
                if stat.type == "outbound-rtp":
                    sent += stat.packetsSent
                elif stat.type == "inbound-rtp":
                    received += stat.packetsReceived
                    lost += max(stat.packetsLost, 0)
        frames = [bot.reception(0, "camera").frames for bot in self.bots]
        return {"sent": sent, "received": received, "lost": lost, "frames": frames}

    async def close(self) -> dict:
        """Close every bot."""
        await asyncio.gather(*(bot.close() for bot in self.bots))
        self.bots = []
        return {}


async def work(port: int) -> None:
    """Answer the benchmark's commands on stdin, one JSON line each, until stdin closes."""
    from tests.support.webrtc import encoded_audio, encoded_video

    encoded_video(), encoded_audio()  # made once, before any window is measured
    worker = Worker(port)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(json.dumps({"ready": True}), flush=True)
    while line := await reader.readline():
        command = json.loads(line)
        if command["op"] == "join":
            answer = await worker.join(command["meetings"], command["seconds"])
        elif command["op"] == "sample":
            answer = await worker.sample()
        else:
            answer = await worker.close()
        print(json.dumps(answer), flush=True)


def main() -> None:
    import uvloop

    role, argument = sys.argv[1], sys.argv[2]
    if role == "serve":
        uvloop.run(serve(argument))
    else:
        uvloop.run(work(int(argument)))


if __name__ == "__main__":
    main()
