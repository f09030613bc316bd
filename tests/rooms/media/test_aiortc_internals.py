"""Fails loudly, naming what changed, when aiortc or aioice change what the forwarder relies on."""

from __future__ import annotations

import asyncio

import pytest
from aiortc.rtcdtlstransport import RTCCertificate, RTCDtlsTransport
from aiortc.rtcicetransport import RTCIceGatherer, RTCIceTransport
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from aiortc.rtcrtpsender import RTCRtpSender

from rooms.media import aiortc_hooks


def test_the_aiortc_and_aioice_internals_the_forwarder_relies_on_are_unchanged():
    problems = aiortc_hooks.problems()
    assert not problems, (
        "rooms/media/aiortc_hooks.py relies on aiortc/aioice internals that changed; check each "
        "against the hooks and update RELIED_ON only after checking:\n  " + "\n  ".join(problems)
    )


async def test_fresh_receivers_and_senders_have_the_attributes_the_hooks_replace():
    transport = RTCDtlsTransport(
        RTCIceTransport(RTCIceGatherer(iceServers=[])), [RTCCertificate.generateCertificate()]
    )
    receiver = RTCRtpReceiver("video", transport)
    sender = RTCRtpSender("video", transport)
    missing = [a for a in aiortc_hooks.RECEIVER_ATTRIBUTES if a not in vars(receiver)]
    missing += [a for a in aiortc_hooks.SENDER_ATTRIBUTES if a not in vars(sender)]
    assert not missing, f"aiortc renamed or dropped attributes the hooks set: {missing}"
    await asyncio.sleep(0)


def test_a_changed_source_is_named(monkeypatch):
    monkeypatch.setitem(aiortc_hooks.RELIED_ON, "aiortc.rtcrtpreceiver.RTCRtpReceiver.receive", "0")
    assert aiortc_hooks.problems() == [
        "the source of aiortc.rtcrtpreceiver.RTCRtpReceiver.receive changed (sha256 "
        + aiortc_hooks.source_digest("aiortc.rtcrtpreceiver.RTCRtpReceiver.receive")[:12]
        + ")"
    ]


def test_the_packer_refuses_to_encode():
    from aiortc.codecs import get_capabilities  # noqa: F401  (codecs registered)
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    packer = aiortc_hooks.Packer(RTCRtpCodecParameters("video/VP8", 90000, payloadType=96))
    before = aiortc_hooks.Packer.encodes
    with pytest.raises(RuntimeError, match="never encodes"):
        packer.encode(None)
    aiortc_hooks.Packer.encodes = before
