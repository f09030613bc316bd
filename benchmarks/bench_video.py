"""How many 1:1 audio and video meetings one core of the media server holds, against aiortc's relay.

N concurrent 1:1 meetings of aiortc bots (each publishes pre-encoded VP8 640x480 30 fps and Opus,
and receives the other's) through a media server in its own process pinned to one core, the bots
in this process on the other. N rises until packet loss passes 1% or the received frame rate
falls below 90% of what was sent. For each N: server CPU per meeting, packets per second per core
(RTP in and out, counted by the bots), time to first frame, loss and frame rate; then the same
for aiortc's stock decode-and-re-encode relay (a plain aiortc server handing each received,
decoded track to the other side's sender), measured in the same run. Runs itself inside a private
network namespace (unshare -n) with only loopback. When the bots' own core is saturated the
figures say so: then the bots, not the server, set the limit.
Run: python benchmarks/bench_video.py [--quick] [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.netns import private_namespace_problem

SENT_FPS = 30
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


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
                if mode == "forward":
                    sdp = await media.join(
                        request["room"], request["peer"], request["sdp"], request["slots"]
                    )
                else:
                    sdp = await relay_join(request["room"], request["sdp"], request["slots"])
                answer = {"sdp": sdp}
            elif request["op"] == "close":
                await media.close()
                media = MediaServer(media.settings)
                for peers in relay_rooms.values():
                    for pc in peers:
                        await pc.close()
                relay_rooms.clear()
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


# ---- the bots -----------------------------------------------------------------------------------


class Control:
    """The bench's line to its server process."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.lock = reader, writer, asyncio.Lock()

    async def ask(self, **request) -> dict:
        async with self.lock:
            self.writer.write(json.dumps(request).encode() + b"\n")
            await self.writer.drain()
            return json.loads(await self.reader.readline())


async def stats_of(bots) -> tuple[int, int, int, int]:
    """Packets sent, received and lost, and camera frames received, over all bots."""
    sent = received = lost = frames = 0
    for bot in bots:
        report = await bot.pc.getStats()
        for stat in report.values():
            if stat.type == "outbound-rtp":
                sent += stat.packetsSent
            elif stat.type == "inbound-rtp":
                received += stat.packetsReceived
                lost += max(stat.packetsLost, 0)
        frames += bot.reception(0, "camera").frames
    return sent, received, lost, frames


async def measure(control: Control, server_pid: int, meetings: int, seconds: float) -> dict:
    """Connect `meetings` 1:1 meetings, measure a window of `seconds`, then close them all."""
    from tests.support.webrtc import Bot

    bots = []
    started = time.monotonic()

    async def join(room: str, peer: str) -> Bot:
        bot = Bot(1)
        bot.started = time.monotonic()  # type: ignore[attr-defined]

        async def signal(offer: str) -> str:
            return (await control.ask(op="join", room=room, peer=peer, sdp=offer, slots=1))["sdp"]

        await bot.connect(signal)
        return bot

    for m in range(meetings):
        bots += await asyncio.gather(join(f"m{m}", "a"), join(f"m{m}", "b"))
    try:
        async with asyncio.timeout(30 + meetings):
            while not all(bot.reception(0, "camera").frames for bot in bots):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        first_frames = [bot.reception(0, "camera").first_frame_at - bot.started for bot in bots]
    except TimeoutError:
        first_frames = [float("inf")]
    setup = time.monotonic() - started
    await asyncio.sleep(2)  # settle
    before = await stats_of(bots), cpu_seconds(server_pid), cpu_seconds(os.getpid())
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - t0
    after = await stats_of(bots), cpu_seconds(server_pid), cpu_seconds(os.getpid())
    for bot in bots:
        await bot.close()
    await control.ask(op="close")
    sent, received, lost, frames = (a - b for a, b in zip(after[0], before[0], strict=True))
    cores = (after[1] - before[1]) / elapsed
    return {
        "meetings": meetings,
        "cores": cores,
        "per_meeting": cores / meetings,
        "pps_per_core": (sent + received) / elapsed / max(cores, 1e-9),
        "loss": lost / max(received + lost, 1),
        "fps": frames / elapsed / len(bots),
        "first_frame": max(first_frames),
        "bot_cores": (after[2] - before[2]) / elapsed,
        "setup": setup,
    }


async def ramp(mode: str, steps: list[int], seconds: float) -> list[dict]:
    """Measure each N in turn against a fresh server process until it no longer keeps up."""
    # started before any media flows, and read once: blocking here costs the figures nothing
    server = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, __file__, "--serve", mode], stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(server.stdout.readline())
        control = Control(*await asyncio.open_connection("127.0.0.1", port))
        results = []
        for meetings in steps:
            result = await measure(control, server.pid, meetings, seconds)
            result["held"] = result["loss"] <= 0.01 and result["fps"] >= 0.9 * SENT_FPS
            results.append(result)
            print_row(mode, result)
            if not result["held"]:
                break
        control.writer.close()
        return results
    finally:
        server.terminate()
        server.wait()


def print_row(mode: str, r: dict) -> None:
    print(
        f"{mode:8} {r['meetings']:4d} {r['cores']:6.2f} {r['per_meeting']:8.3f} "
        f"{r['pps_per_core']:9.0f} {r['first_frame']:7.2f} {100 * r['loss']:6.2f} "
        f"{r['fps']:5.1f} {r['bot_cores']:6.2f}  {'held' if r['held'] else 'NOT held'}",
        flush=True,
    )


def summary(mode: str, results: list[dict]) -> str:
    held = [r["meetings"] for r in results if r["held"]]
    return f"{mode}: {max(held) if held else 0} meetings held on one core"


async def bench(quick: bool, seconds: float) -> None:
    forward_steps = [1, 5] if quick else [1, 5, 10, 20, 25, 30, 40, 50]
    relay_steps = [1, 2] if quick else [1, 2, 3, 4, 6]
    print(
        "mode     N    cores  core/mtg  pkt/s/core  1st-frame  loss%   fps  bot-cores"
        f"  (window {seconds:.0f} s, {SENT_FPS} fps sent)",
        flush=True,
    )
    forward = await ramp("forward", forward_steps, seconds)
    relay = await ramp("relay", relay_steps, seconds)
    print(summary("forward (rooms.media)", forward))
    print(summary("relay (aiortc decode + re-encode)", relay))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--seconds", type=float, default=None, help="measurement window")
    parser.add_argument("--serve", choices=["forward", "relay"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if private_namespace_problem() is not None:
        # Every WebRTC peer runs in a network namespace with nothing but loopback.
        unshare = ["unshare", "-n"] if os.getuid() == 0 else ["unshare", "-rn"]
        script = 'ip link set lo up && exec "$@"'
        argv = [*unshare, "sh", "-c", script, "sh", sys.executable, *sys.argv]
        sys.exit(subprocess.call(argv))
    import uvloop

    if args.serve:
        os.sched_setaffinity(0, {0})
        uvloop.run(serve(args.serve))
        return
    if os.cpu_count() and os.cpu_count() > 1:
        os.sched_setaffinity(0, {1})
    seconds = args.seconds or (4.0 if args.quick else 8.0)
    uvloop.run(bench(args.quick, seconds))


if __name__ == "__main__":
    main()
