"""Jinja2 templates with gettext, dates in the viewer's time zone, and the CSRF token."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_timezone_name
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from server import i18n
from server.features import platform
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


def render(request: Request, template: str, context: dict, status: int = 200) -> Response:
    """A page from `template`, with the context every page has."""
    return platform(request).templates.TemplateResponse(
        request, template, context, status_code=status
    )


def country_name(code: str) -> str:
    """A country's name in the page's language ('GR' → 'Greece' / 'Grecia')."""
    return i18n.locale().territories.get(code.upper(), code)


def query_with(request: Request, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = dict(request.query_params)
    params.update({key: str(value) for key, value in changes.items()})
    return urlencode({key: value for key, value in params.items() if value})


def route_exists(request: Request, name: str) -> bool:
    """Whether a feature mounted the route: links to other features only where they work."""
    return any(getattr(route, "name", None) == name for route in request.app.routes)


def csrf_token(request: Request) -> str:
    return make_token(platform(request).settings.secret_key, request.scope.get("csrf_seed", ""))


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
    # added to the environment at run time by the jinja2.ext.i18n extension
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals["format_when"] = format_when
    env.globals["zone_label"] = zone_label
    env.globals["viewer_zone"] = viewer_zone
    env.globals["zone_choices"] = zone_choices
    env.globals["route_exists"] = route_exists
    env.globals["country_name"] = country_name
    env.globals["query_with"] = query_with
    return Jinja2Templates(env=env, context_processors=[_context])
