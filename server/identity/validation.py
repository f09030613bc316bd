"""Checks on what people type into account forms; each returns an error message or None."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from zoneinfo import available_timezones

from server.i18n import LANGUAGES
from server.i18n import gettext as _

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^[^@\s]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
NAME_MAX = 200


def has_control_characters(value: str) -> bool:
    """True for NUL and other control characters (category Cc), which no field accepts."""
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def clean_email(value: str) -> tuple[str, str | None]:
    email = value.strip().lower()
    if not email:
        return email, _("Enter your e-mail address.")
    if len(email) > 254 or has_control_characters(email) or not email.isascii():
        return email, _("Enter a valid e-mail address, like name@example.com.")
    if not EMAIL_RE.match(email):
        return email, _("Enter a valid e-mail address, like name@example.com.")
    return email, None


def clean_name(value: str) -> tuple[str, str | None]:
    name = " ".join(value.split())
    if not name:
        return name, _("Enter your name.")
    if has_control_characters(value.replace("\t", " ").replace("\n", " ")):
        return name, _("The name contains characters that cannot be used.")
    if len(name) > NAME_MAX:
        return name, _("Use at most %(max)d characters.", max=NAME_MAX)
    return name, None


def check_password(value: str) -> str | None:
    if len(value) < PASSWORD_MIN:
        return _("Use at least %(min)d characters.", min=PASSWORD_MIN)
    if len(value) > PASSWORD_MAX:
        return _("Use at most %(max)d characters.", max=PASSWORD_MAX)
    if "\x00" in value:
        return _("The password contains characters that cannot be used.")
    return None


def check_language(value: str) -> str | None:
    return None if value in LANGUAGES else _("Choose one of the offered languages.")


@cache
def time_zones() -> list[str]:
    """Every IANA zone name, sorted, for the profile form."""
    # Leave out the legacy aliases and POSIX-style names nobody picks from a list.
    legacy = ("Etc/", "posix", "right/", "SystemV/")
    zones = (z for z in available_timezones() if "/" in z and not z.startswith(legacy))
    return [*sorted(zones), "UTC"]


@cache
def zone_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a time-zone select."""
    return [(zone, zone.replace("_", " ")) for zone in time_zones()]


def check_time_zone(value: str) -> str | None:
    return None if value in time_zones() else _("Choose a time zone from the list.")
