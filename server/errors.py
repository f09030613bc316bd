"""Friendly error pages (HTML for people, JSON for API clients)."""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from server.features import platform
from server.i18n import gettext as _

logger = logging.getLogger("fiera")


class LoginRequired(Exception):
    """Raised by access checks when an anonymous visitor reaches a page that needs an account."""


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Not allowed"), _("Your account may not open this page.")),
        404: (_("Page not found"), _("There is nothing here. The link may be old or mistyped.")),
        405: (_("Not allowed"), _("This address does not take that kind of request.")),
        413: (_("Too large"), _("What was sent is larger than this page accepts.")),
        429: (_("Too many requests"), _("Please wait a moment and try again.")),
        503: (_("Busy"), _("The server is busier than it can handle. Please try again shortly.")),
        500: (
            _("Something went wrong"),
            _("An unexpected error happened on our side. It has been logged; please try again."),
        ),
    }


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, detail: str | None = None) -> Response:
    title, default_text = _titles().get(status, (_("Error"), ""))
    text = detail or default_text
    if wants_json(request):
        return JSONResponse({"error": title, "detail": text}, status_code=status)
    templates = platform(request).templates
    return templates.TemplateResponse(
        request,
        "errors/error.html",
        {"status": status, "title": title, "text": text},
        status_code=status,
    )


def refusal_response(request: Request, reason: str) -> Response:
    """The answer to a state-changing request that failed the CSRF or origin check."""
    if reason == "too-large":
        return error_response(request, 413)
    return error_response(
        request,
        403,
        _("This form has expired or came from another site. Reload the page and try again."),
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        raise exc
    if exc.status_code >= 400:
        detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
        return error_response(request, exc.status_code, detail)
    return Response(status_code=exc.status_code, headers=exc.headers)


async def refused(request: Request, exc: Exception) -> Response:
    """An access rule said no (`server.refusals`): the page for its status, 404 or 403."""
    return error_response(request, getattr(exc, "status", 400))


async def login_required(request: Request, exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = request.url_for("login").include_query_params(next=target)
    return RedirectResponse(str(url), status_code=303)


async def database_busy(request: Request, exc: Exception) -> Response:
    logger.warning("database writer busy on %s %s", request.method, request.url.path)
    response = error_response(request, 503)
    response.headers["retry-after"] = "5"
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500)
