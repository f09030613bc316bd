"""iCalendar (RFC 5545) for meetings: one event per download, and a private feed per participant.

Times inside are UTC (the trailing Z), so every calendar shows them in its own zone.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime

from rooms.models import Meeting, MeetingStatus
from server.fairs.models import Fair
from server.i18n import gettext as _

MEDIA_TYPE = "text/calendar; charset=utf-8"


def escape(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, every newline as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never mid-char)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def feed_token(secret_key: str, fair_id: int, participant_id: int) -> str:
    """The private part of a participant's feed URL, derived from the secret key."""
    message = f"agenda-feed|{fair_id}|{participant_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def check_feed_token(secret_key: str, fair_id: int, participant_id: int, token: str) -> bool:
    """Whether `token` is the participant's feed token (any text, never an error)."""
    # compare_digest refuses str with non-ASCII characters: compare the bytes instead
    expected = feed_token(secret_key, fair_id, participant_id).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "replace"))


def place(meeting: Meeting, fair: Fair) -> str:
    if meeting.table_number is None:
        return _("Video room")
    return _(
        "Table %(number)d, %(venue)s, %(city)s",
        number=meeting.table_number,
        venue=fair.venue,
        city=fair.city,
    )


def others(meeting: Meeting, participant_id: int) -> str:
    """Who the participant meets: the other firms (or people without a firm)."""
    names = [
        a.firm.name if a.firm else a.participant.user.name
        for a in meeting.attendees
        if a.participant_id != participant_id
    ]
    return ", ".join(names)


def event(meeting: Meeting, fair: Fair, participant_id: int, now: datetime) -> list[str]:
    cancelled = meeting.status == MeetingStatus.CANCELLED
    description = _("B2B meeting at %(fair)s.", fair=fair.name)
    if meeting.request is not None and meeting.request.message:
        description += "\n\n" + meeting.request.message
    return [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.id}-{fair.slug}@fiera",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(meeting.slot.starts_at)}",
        f"DTEND:{stamp(meeting.slot.ends_at)}",
        "SUMMARY:" + escape(_("Meeting with %(firm)s", firm=others(meeting, participant_id))),
        "LOCATION:" + escape(place(meeting, fair)),
        "DESCRIPTION:" + escape(description),
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SEQUENCE:{1 if cancelled else 0}",
        "END:VEVENT",
    ]


def calendar(name: str, events: Iterable[list[str]]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Fiera//Meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape(name),
    ]
    for item in events:
        lines.extend(item)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
