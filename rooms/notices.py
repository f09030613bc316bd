"""In-app notifications about meetings: built by operations, sent through the hub afterwards.

Operations return notices instead of sending them, so that nothing is announced for a
transaction that is then rolled back; the caller sends them once the commit succeeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from server.i18n import DEFAULT_LANGUAGE, LANGUAGES, current_language
from server.i18n import gettext as _

# kinds
NEW_REQUEST = "meeting_request"
ACCEPTED = "request_accepted"
DECLINED = "request_declined"
CANCELLED = "request_cancelled"
EXPIRED = "request_expired"
STARTING = "meeting_starting"


@dataclass(frozen=True)
class Notice:
    user_id: int
    kind: str
    payload: dict = field(default_factory=dict)


def texts(kind: str, firm: str, place: str = "") -> str:
    """The sentence shown for a notice (in the current language)."""
    if kind == NEW_REQUEST:
        return _("%(firm)s asks you for a meeting.", firm=firm)
    if kind == ACCEPTED:
        return _("%(firm)s accepted your meeting request.", firm=firm)
    if kind == DECLINED:
        return _("%(firm)s declined your meeting request.", firm=firm)
    if kind == CANCELLED:
        return _("%(firm)s cancelled the meeting request.", firm=firm)
    if kind == EXPIRED:
        return _("Your meeting request to %(firm)s expired unanswered.", firm=firm)
    if kind == STARTING:
        return _(
            "Your meeting with %(firm)s starts in 5 minutes (%(place)s).", firm=firm, place=place
        )
    return kind


def in_language(language: str, kind: str, firm: str, place: str = "") -> str:
    token = current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        return texts(kind, firm, place)
    finally:
        current_language.reset(token)


def place_label(table_number: int | None) -> str:
    if table_number is None:
        return _("video room")
    return _("table %(number)d", number=table_number)


async def send(hub, notices: Iterable[Notice]) -> None:
    """Deliver notices to every open connection of their users."""
    for notice in notices:
        await hub.notify(notice.user_id, notice.kind, notice.payload)
