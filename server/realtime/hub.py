"""The Socket.IO hub: one server, handshakes authenticated from the session cookie."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlsplit

import socketio
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import cookie_parser

from server.db import MAX_ID, Database
from server.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES, negotiate, speaking
from server.i18n import gettext as _
from server.identity import sessions
from server.realtime.presence import Presence
from server.realtime.ratelimit import Limit, RateLimit, RedisRateLimit
from server.refusals import Denied
from server.settings import Settings

logger = logging.getLogger("fiera.realtime")


class Refused(socketio.exceptions.ConnectionRefusedError):
    """A refused handshake: the client's connect_error has the message and data.reason."""

    def __init__(self, reason: str, message: str):
        super().__init__(message, {"reason": reason})


def allowed_origin(environ: dict, base_url: str | None) -> bool:
    """Browsers send Origin; it must be ours. Non-browser clients send none."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return True
    if base_url:
        ours = urlsplit(base_url)
        return origin == f"{ours.scheme}://{ours.netloc}"
    return origin in {
        f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}",
        f"https://{environ.get('HTTP_HOST', '')}",
    }


class Hub:
    """Owns the AsyncServer; feature namespaces subclass `AuthenticatedNamespace`."""

    def __init__(self, settings: Settings, database: Database):
        self.settings = settings
        self.database = database
        self.presence = Presence(
            self._presence_changed,
            settings.presence_grace_seconds,
            settings.presence_away_seconds,
        )
        self._limits: list[Limit] = []
        manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            # Origins are checked in `authenticate` so that a refusal carries a reason.
            cors_allowed_origins=[],
            logger=False,
            engineio_logger=False,
        )

    def register(self, namespace: AuthenticatedNamespace) -> None:
        namespace.hub = self
        self.sio.register_namespace(namespace)

    def rate_limit(self, name: str, count: int, window: float) -> Limit:
        """A limit shared by this deployment's processes (Redis) or kept in this one."""
        limit: Limit
        if self.settings.redis_url:
            prefix = f"fiera:rate:{name}:"
            limit = RedisRateLimit(self.settings.redis_url, count, window, prefix)
        else:
            limit = RateLimit(count, window, self.settings.monotonic)
        self._limits.append(limit)
        return limit

    async def _presence_changed(self, fair_id: int, user_id: int, status: str) -> None:
        online = len(self.presence.online(fair_id))
        await self.sio.emit(
            "presence",
            {"user": user_id, "status": status, "online": online},
            room=fair_room(fair_id),
            namespace="/fair",
        )
        for namespace in list(self.sio.namespace_handlers.values()):
            if isinstance(namespace, AuthenticatedNamespace):
                try:
                    await namespace.presence_changed(fair_id, user_id, status)
                except Exception:  # one feature's trouble must not stop presence
                    logger.exception("%s: presence change failed", namespace.namespace)

    async def close(self) -> None:
        """Stop presence timers, what namespaces run on their own, and the rate limits."""
        self.presence.close()
        for namespace in self.sio.namespace_handlers.values():
            if isinstance(namespace, AuthenticatedNamespace):
                namespace.close()
        for limit in self._limits:
            await limit.close()

    async def authenticate(self, environ: dict) -> dict:
        """The identity behind a handshake, or Refused with the reason (in the language the
        pages would speak to this browser: there is no user yet)."""
        cookies = cookie_parser(environ.get("HTTP_COOKIE", ""))
        language = cookies.get(LANGUAGE_COOKIE, "")
        if language not in LANGUAGES:
            language = negotiate(environ.get("HTTP_ACCEPT_LANGUAGE", "")) or DEFAULT_LANGUAGE
        with speaking(language):
            if not allowed_origin(environ, self.settings.base_url):
                raise Refused(
                    "origin", _("This site does not accept connections from that origin.")
                )
            token = cookies.get(sessions.SESSION_COOKIE)
            if not token:
                raise Refused("anonymous", _("Log in to use live features."))
            auth = await sessions.resolve(self.database, self.settings, token)
            if auth is None:
                raise Refused("session", _("Your session has ended. Log in again."))
        return {
            "user_id": auth.user.id,
            "name": auth.user.name,
            "language": auth.user.language,
            "login_session_id": auth.login_session.id,
        }

    async def disconnect_room(self, room: str) -> None:
        """Close every connection of this process in `room`, in every namespace."""
        for namespace in list(self.sio.namespace_handlers):
            members = [sid for sid, _ in self.sio.manager.get_participants(namespace, room)]
            for sid in members:
                await self.sio.disconnect(sid, namespace=namespace)

    async def disconnect_login_session(self, login_session_id: int) -> None:
        """The live connections opened under a login session end with it."""
        await self.disconnect_room(login_session_room(login_session_id))

    async def disconnect_user(self, user_id: int) -> None:
        """Every live connection of a user ends (their pages reconnect if still logged in)."""
        await self.disconnect_room(user_room(user_id))

    async def notify(self, user_id: int, kind: str, payload: dict) -> None:
        """Send an in-app notification to every open connection of one user."""
        await self.sio.emit(
            "notification", {"kind": kind, **payload}, room=user_room(user_id), namespace="/fair"
        )


# An id in an event payload: positive and within the database's integer keys.
EntityId = Annotated[int, Field(gt=0, le=MAX_ID)]


def fair_room(fair_id: int) -> str:
    return f"fair:{fair_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def login_session_room(login_session_id: int) -> str:
    return f"login-session:{login_session_id}"


class Strict(BaseModel):
    """An event payload that carries nothing we did not ask for: no forged sender, no extra ids."""

    model_config = ConfigDict(extra="forbid")


Action = Callable[[AsyncSession | None, str, BaseModel], Awaitable[dict]]


def handler(model: type[BaseModel], *, writes: bool = False, database: bool = True):
    """Make `on_<event>(self, db, sid, payload)` an event handler: the payload validated as
    `model` (or the event refused "invalid"), run in a read or, with `writes`, a write session
    (with `database=False` in none: `db` is None)."""

    def decorate(method):
        event = method.__name__.removeprefix("on_")

        @functools.wraps(method)
        async def on_event(self: AuthenticatedNamespace, sid: str, data: object = None) -> dict:
            return await self.handle(
                sid,
                event,
                model,
                data,
                functools.partial(method, self),
                writes=writes,
                database=database,
            )

        return on_event

    return decorate


# Events the Socket.IO server raises itself; every other one comes from a client.
_LIFECYCLE_EVENTS = {"connect", "disconnect"}


class AuthenticatedNamespace(socketio.AsyncNamespace):
    """Refuses anonymous and foreign-origin handshakes; keeps who connected in the session.

    Every client event gets an answer: its handler's, or a refusal when the login session has
    ended meanwhile, when the handler raised `Denied`, or when it failed unexpectedly (logged).
    """

    hub: Hub

    def __init__(self, namespace: str, rate_limit: Limit | None = None):
        super().__init__(namespace)
        self.rate_limit = rate_limit  # None: `throttle` lets everything through

    async def on_connect(self, sid: str, environ: dict, auth: object = None) -> None:
        identity = await self.hub.authenticate(environ)
        await self.save_session(sid, identity)
        await self.enter_room(sid, user_room(identity["user_id"]))
        await self.enter_room(sid, login_session_room(identity["login_session_id"]))
        await self.connected(sid, identity)

    async def connected(self, sid: str, identity: dict) -> None:
        """Hook for namespaces: runs after a handshake was accepted."""

    async def presence_changed(self, fair_id: int, user_id: int, status: str) -> None:
        """Hook for namespaces: a user became online, away or offline in a fair."""

    async def handle(
        self,
        sid: str,
        event: str,
        model: type[BaseModel],
        data: object,
        action: Action,
        *,
        writes: bool = False,
        database: bool = True,
    ) -> dict:
        """Validate the payload or refuse it "invalid"; then run `action` in a session."""
        try:
            payload = model.model_validate(data)
        except ValidationError as invalid:
            fields = ", ".join(str(error["loc"][0]) for error in invalid.errors() if error["loc"])
            return await self.refuse(
                sid, event, "invalid", _("Invalid payload: %(fields)s.", fields=fields)
            )
        # Denied and unexpected failures are answered by trigger_event
        if not database:
            return await action(None, sid, payload)
        units = self.hub.database
        async with units.session() if writes else units.read_session() as db:
            return await action(db, sid, payload)

    async def throttle(self, key: object) -> None:
        """Count one throttled event for `key` (a user); Denied "rate-limited" past the limit."""
        if self.rate_limit is not None and not await self.rate_limit.allow(key):
            raise Denied("rate-limited", _("You are sending too fast. Wait a few seconds."))

    def close(self) -> None:
        """Hook for namespaces: stop what they run on their own when the app stops."""

    async def refuse(self, sid: str, event: str, reason: str, message: str) -> dict:
        """Tell the sender why an event was refused (error event and reply)."""
        error = {"event": event, "reason": reason, "message": message}
        await self.emit("error", error, to=sid)
        return {"ok": False, **error}

    async def trigger_event(self, event: str, *args):
        if event in _LIFECYCLE_EVENTS:
            return await super().trigger_event(event, *args)
        sid = args[0]
        # every message of this event in the language of the user who opened the connection
        # (each event runs in its own task, so the setting ends with it)
        with speaking(await self._language(sid)):
            return await self._answer(event, sid, args)

    async def _answer(self, event: str, sid: str, args: tuple):
        if not isinstance(event, str) or not hasattr(self, f"on_{event}"):
            return await self.refuse(sid, str(event)[:40], "unknown", _("There is no such event."))
        try:
            if not await self._still_logged_in(sid):
                # answered first, then closed: a disconnect now would swallow the reply
                self.server.start_background_task(self._disconnect_after_reply, sid)
                return await self.refuse(
                    sid, event, "session", _("Your session has ended. Log in again.")
                )
            return await super().trigger_event(event, *args)
        except Denied as denied:
            return await self.refuse(sid, event, denied.reason, denied.message)
        except Exception:
            if not self.server.manager.is_connected(sid, self.namespace):
                # the client left while its event was handled: nobody is waiting for an answer
                logger.debug("event %r on %s outlived its connection", event, self.namespace)
                return None
            logger.exception("event %r on %s failed", event, self.namespace)
            return await self.refuse(
                sid, event, "error", _("Something went wrong on our side. Try again.")
            )

    async def _language(self, sid: str) -> str:
        try:
            language = (await self.get_session(sid)).get("language")
        except KeyError:  # the connection is gone
            return DEFAULT_LANGUAGE
        return language if language in LANGUAGES else DEFAULT_LANGUAGE

    async def _disconnect_after_reply(self, sid: str) -> None:
        await asyncio.sleep(0.1)
        await self.disconnect(sid)

    async def _still_logged_in(self, sid: str) -> bool:
        """Whether the login session this connection was opened under still exists."""
        try:
            session = await self.get_session(sid)
        except KeyError:
            return False
        async with self.hub.database.read_session() as db:
            return await sessions.is_open(db, session["login_session_id"])
