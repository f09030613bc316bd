"""Who is asking: the signed-in user of a request, and the checks that pages call."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from server.errors import LoginRequired
from server.identity.models import User


def current_user(request: HTTPConnection) -> User | None:
    auth = request.scope.get("auth")
    return auth.user if auth else None


def require_user(request: HTTPConnection) -> User:
    """The signed-in user; anonymous visitors are sent to the log-in page."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths may be redirected to after log-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 32 for ch in target):
        return default
    return target
