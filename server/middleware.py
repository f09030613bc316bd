"""Per-request context: who is asking (from the session cookie), their language, and CSRF."""

from __future__ import annotations

import secrets

from starlette.authentication import UnauthenticatedUser
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import refusal_response
from server.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES, current_language, negotiate
from server.identity import sessions
from server.identity.csrf import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, check_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_FORM_BODY = 1024 * 1024


def request_origin(scope: Scope, base_url: str | None) -> str:
    """The origin this server answers on: FIERA_BASE_URL, else what the request says."""
    if base_url:
        scheme, _, rest = base_url.partition("://")
        return f"{scheme}://{rest.split('/')[0]}"
    headers = Headers(scope=scope)
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


def is_secure(scope: Scope, base_url: str | None) -> bool:
    return scope.get("scheme") == "https" or bool(base_url and base_url.startswith("https://"))


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.platform
        settings = state.settings
        cookies = cookie_parser(Headers(scope=scope).get("cookie", ""))
        token = cookies.get(sessions.SESSION_COOKIE, "")

        auth = None
        if token:
            auth = await sessions.resolve(state.database, settings, token)
        scope["user"] = auth.user if auth else UnauthenticatedUser()
        scope["auth"] = auth

        anonymous_seed = cookies.get(CSRF_COOKIE, "")
        new_anonymous_seed = None
        if not anonymous_seed:
            new_anonymous_seed = anonymous_seed = secrets.token_urlsafe(24)
        scope["csrf_seed"] = auth.token if auth else anonymous_seed

        language = self._language(scope, auth, cookies)
        scope["language"] = language
        secure = is_secure(scope, settings.base_url)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new_anonymous_seed:
                    headers.append("set-cookie", _cookie(CSRF_COOKIE, new_anonymous_seed, secure))
                sets_session = any(
                    value.startswith(f"{sessions.SESSION_COOKIE}=")
                    for value in headers.getlist("set-cookie")
                )
                if token and auth is None and not sets_session:
                    # an expired or unknown session: forget the stale cookie
                    headers.append(
                        "set-cookie", _cookie(sessions.SESSION_COOKIE, "", secure, max_age=0)
                    )
            await send(message)

        reset = current_language.set(language)
        try:
            if scope["method"] not in SAFE_METHODS:
                receive, refusal = await self._check_csrf(scope, receive, settings)
                if refusal is not None:
                    response = refusal_response(Request(scope, receive), refusal)
                    await response(scope, receive, send_with_cookies)
                    return
            await self.app(scope, receive, send_with_cookies)
        finally:
            current_language.reset(reset)

    @staticmethod
    def _language(scope: Scope, auth, cookies: dict[str, str]) -> str:
        if auth is not None and auth.user.language in LANGUAGES:
            return auth.user.language
        if cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
            return cookies[LANGUAGE_COOKIE]
        header = Headers(scope=scope).get("accept-language", "")
        return negotiate(header) or DEFAULT_LANGUAGE

    async def _check_csrf(self, scope: Scope, receive: Receive, settings):
        """Read the body once, check origin and token, and hand on a receive that replays it."""
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin and origin != "null" and origin != request_origin(scope, settings.base_url):
            return receive, "origin"
        chunks: list[bytes] = []
        size = 0
        # Uploads may be larger than forms; a bit over the upload limit so the form can say why.
        multipart = headers.get("content-type", "").startswith("multipart/form-data")
        limit = settings.max_upload_bytes + MAX_FORM_BODY if multipart else MAX_FORM_BODY
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return _replay(b""), "too-large"
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replay = _replay(body)
        supplied = headers.get(CSRF_HEADER)
        content_type = headers.get("content-type", "")
        if supplied is None and content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            request = Request(scope, _replay(body))
            try:
                form = await request.form()
                value = form.get(CSRF_FIELD)
                supplied = value if isinstance(value, str) else None
            except Exception:  # a malformed body is the form's problem, not a CSRF pass
                supplied = None
            finally:
                await request.close()  # the spooled files of an upload
        if not check_token(settings.secret_key, scope["csrf_seed"], supplied):
            return replay, "token"
        return replay, None


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _cookie(name: str, value: str, secure: bool, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
