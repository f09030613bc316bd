"""Jinja2 templates with gettext, dates in the viewer's time zone, and the CSRF token."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_timezone_name
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from server import i18n
from server.identity.csrf import CSRF_FIELD, make_token
from server.identity.validation import zone_choices
from server.settings import WEB_DIR


def viewer_zone(request: Request, fallback: str) -> ZoneInfo:
    """The signed-in user's time zone, else the fair's (or other object's) own."""
    user = request.scope.get("user")
    name = getattr(user, "time_zone", None) or fallback
    return ZoneInfo(name)


def format_when(value: datetime, zone: ZoneInfo, fmt: str = "EEEE d MMMM y, HH:mm") -> str:
    return format_datetime(value, fmt, tzinfo=zone, locale=i18n.locale())


def zone_label(zone: ZoneInfo, when: datetime) -> str:
    """A zone named for people, e.g. 'Central European Time (Europe/Rome)'."""
    long_name = get_timezone_name(when.astimezone(zone), width="long", locale=i18n.locale())
    return f"{long_name} ({zone.key})"


def csrf_token(request: Request) -> str:
    return make_token(request.app.state.settings.secret_key, request.scope.get("csrf_seed", ""))


def _context(request: Request) -> dict:
    return {
        "language": request.scope.get("language", i18n.DEFAULT_LANGUAGE),
        "languages": i18n.LANGUAGES,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "current_user": request.scope.get("auth") and request.scope["auth"].user,
    }


def create_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.globals["format_when"] = format_when
    env.globals["zone_label"] = zone_label
    env.globals["viewer_zone"] = viewer_zone
    env.globals["zone_choices"] = zone_choices
    return Jinja2Templates(env=env, context_processors=[_context])
