"""The Socket.IO hub: one server, handshakes authenticated from the session cookie."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated
from urllib.parse import urlsplit

import socketio
from pydantic import Field
from starlette.requests import cookie_parser

from server.db import MAX_ID, Database
from server.identity import sessions
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

    def close(self) -> None:
        """Stop what the namespaces run on their own (presence timers)."""
        for namespace in self.sio.namespace_handlers.values():
            if isinstance(namespace, AuthenticatedNamespace):
                namespace.close()

    async def authenticate(self, environ: dict) -> dict:
        """The identity behind a handshake, or Refused with the reason."""
        if not allowed_origin(environ, self.settings.base_url):
            raise Refused("origin", "This site does not accept connections from that origin.")
        token = cookie_parser(environ.get("HTTP_COOKIE", "")).get(sessions.SESSION_COOKIE)
        if not token:
            raise Refused("anonymous", "Log in to use live features.")
        auth = await sessions.resolve(self.database, self.settings, token)
        if auth is None:
            raise Refused("session", "Your session has ended. Log in again.")
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


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def login_session_room(login_session_id: int) -> str:
    return f"login-session:{login_session_id}"


class Denied(Exception):
    """An event refused for a reason the sender is told."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


# Events the Socket.IO server raises itself; every other one comes from a client.
_LIFECYCLE_EVENTS = {"connect", "disconnect"}


class AuthenticatedNamespace(socketio.AsyncNamespace):
    """Refuses anonymous and foreign-origin handshakes; keeps who connected in the session.

    Every client event gets an answer: its handler's, or a refusal when the login session has
    ended meanwhile, when the handler raised `Denied`, or when it failed unexpectedly (logged).
    """

    hub: Hub

    async def on_connect(self, sid: str, environ: dict, auth: object = None) -> None:
        identity = await self.hub.authenticate(environ)
        await self.save_session(sid, identity)
        await self.enter_room(sid, user_room(identity["user_id"]))
        await self.enter_room(sid, login_session_room(identity["login_session_id"]))
        await self.connected(sid, identity)

    async def connected(self, sid: str, identity: dict) -> None:
        """Hook for namespaces: runs after a handshake was accepted."""

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
        if not isinstance(event, str) or not hasattr(self, f"on_{event}"):
            return await self.refuse(sid, str(event)[:40], "unknown", "There is no such event.")
        try:
            if not await self._still_logged_in(sid):
                # answered first, then closed: a disconnect now would swallow the reply
                self.server.start_background_task(self._disconnect_after_reply, sid)
                return await self.refuse(
                    sid, event, "session", "Your session has ended. Log in again."
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
                sid, event, "error", "Something went wrong on our side. Try again."
            )

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
