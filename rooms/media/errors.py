"""Refusals of the media server: a reason for programs and a message for people."""

from __future__ import annotations

import sys


def _(message: str) -> str:
    """The message in the current language when the web process has its catalogues loaded.

    The media server imports nothing of the web side (a media worker runs it alone); inside the
    web process, where `server.i18n` is loaded, messages follow the language of the request.
    """
    i18n = sys.modules.get("server.i18n")
    return i18n.gettext(message) if i18n is not None else message


class MediaError(Exception):
    """A request the media server refuses; the server keeps running."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


def offer_too_large(limit: int) -> MediaError:
    return MediaError("offer-too-large", _("The connection offer is too large."))


def offer_invalid() -> MediaError:
    return MediaError("offer-invalid", _("The connection offer could not be read."))


def offer_layout(detail: str) -> MediaError:
    return MediaError(
        "offer-layout",
        _("The connection offer does not have the expected shape.") + f" ({detail})",
    )


def already_joined() -> MediaError:
    return MediaError("already-joined", _("This connection is already in the room."))


def not_in_room() -> MediaError:
    return MediaError("not-in-room", _("This connection is not in the room."))


def bad_candidate() -> MediaError:
    return MediaError("bad-candidate", _("The network candidate could not be read."))


def shut_down() -> MediaError:
    return MediaError("unavailable", _("The media server is shutting down."))


def negotiation_failed() -> MediaError:
    return MediaError("negotiation-failed", _("The media connection could not be negotiated."))
