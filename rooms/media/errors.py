"""Refusals of the media server: a reason for programs and a message for people.

The media server imports nothing of the web side (a media worker runs it alone), so its
messages are in English, marked with `N_` for the catalogues; the web side translates them
(`rooms/video/events.py`) in the language of the person it answers.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark `message` for translation where it is shown; it stays as it is here."""
    return message


class MediaError(Exception):
    """A request the media server refuses; the server keeps running."""

    def __init__(self, reason: str, message: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {message}" + (f" ({detail})" if detail else ""))
        self.reason = reason
        self.message = message  # a catalogue's msgid
        self.detail = detail  # for developers: which m-line, which limit


def offer_too_large(limit: int) -> MediaError:
    return MediaError("offer-too-large", N_("The connection offer is too large."))


def offer_invalid() -> MediaError:
    return MediaError("offer-invalid", N_("The connection offer could not be read."))


def offer_layout(detail: str) -> MediaError:
    return MediaError(
        "offer-layout", N_("The connection offer does not have the expected shape."), detail
    )


def already_joined() -> MediaError:
    return MediaError("already-joined", N_("This connection is already in the room."))


def not_in_room() -> MediaError:
    return MediaError("not-in-room", N_("This connection is not in the room."))


def bad_candidate() -> MediaError:
    return MediaError("bad-candidate", N_("The network candidate could not be read."))


def shut_down() -> MediaError:
    return MediaError("unavailable", N_("The media server is shutting down."))


def negotiation_failed() -> MediaError:
    return MediaError("negotiation-failed", N_("The media connection could not be negotiated."))
