"""The fixed offer layout (docs/video.md): 3 send m-lines, then 3 recv m-lines per slot."""

from __future__ import annotations

from dataclasses import dataclass

from aiortc import sdp

from rooms.media import errors

# What the client sends on m-lines 0, 1, 2 and receives on each slot's three m-lines.
SOURCES = ("audio", "camera", "screen")
KINDS = {"audio": "audio", "camera": "video", "screen": "video"}
SENDING = {"sendonly", "sendrecv"}
RECEIVING = {"recvonly", "sendrecv"}


@dataclass(frozen=True)
class Line:
    """One m-line of the layout: who it belongs to (None: the client sends) and what it carries."""

    index: int
    slot: int | None
    source: str

    @property
    def kind(self) -> str:
        return KINDS[self.source]


def lines(slots: int) -> list[Line]:
    """The m-lines of an offer with `slots` recv slots, in order."""
    layout = [Line(i, None, source) for i, source in enumerate(SOURCES)]
    for slot in range(slots):
        for j, source in enumerate(SOURCES):
            layout.append(Line(3 + 3 * slot + j, slot, source))
    return layout


def check_offer(text: str, slots: int, *, max_chars: int, max_slots: int) -> list[Line]:
    """The layout of a valid offer; a MediaError saying what is wrong otherwise."""
    if not isinstance(text, str) or len(text) > max_chars:
        raise errors.offer_too_large(max_chars)
    if not isinstance(slots, int) or not 0 <= slots <= max_slots:
        raise errors.offer_layout(f"{slots!r} slots, at most {max_slots}")
    if not text.startswith("v=0"):
        raise errors.offer_invalid()
    try:
        description = sdp.SessionDescription.parse(text)
    except Exception:
        raise errors.offer_invalid() from None
    media = description.media
    expected = lines(slots)
    if len(media) != len(expected):
        raise errors.offer_layout(f"{len(media)} m-lines, expected {len(expected)}")
    for line, m in zip(expected, media, strict=True):
        if m.kind != line.kind:
            raise errors.offer_layout(f"m-line {line.index} is {m.kind}, expected {line.kind}")
        wanted = SENDING if line.slot is None else RECEIVING
        if m.direction not in wanted:
            raise errors.offer_layout(
                f"m-line {line.index} is {m.direction}, expected {'/'.join(sorted(wanted))}"
            )
        if not m.rtp.codecs:
            raise errors.offer_layout(f"m-line {line.index} offers no codec")
        if m.ice is None or not m.ice.usernameFragment or m.dtls is None:
            raise errors.offer_invalid()
    return expected
