"""The Socket.IO hub: one server, handshakes authenticated from the session cookie."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import socketio
from starlette.requests import cookie_parser

from server.db import Database
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

    async def authenticate(self, environ: dict) -> dict:
        """The identity behind a handshake, or Refused with the reason."""
        if not allowed_origin(environ, self.settings.base_url):
            raise Refused("origin", "This site does not accept connections from that origin.")
        token = cookie_parser(environ.get("HTTP_COOKIE", "")).get(sessions.SESSION_COOKIE)
        if not token:
            raise Refused("anonymous", "Log in to use live features.")
        async with self.database.session() as db:
            auth = await sessions.resolve(db, self.settings, token)
        if auth is None:
            raise Refused("session", "Your session has ended. Log in again.")
        return {"user_id": auth.user.id, "name": auth.user.name, "language": auth.user.language}

    async def notify(self, user_id: int, kind: str, payload: dict) -> None:
        """Send an in-app notification to every open connection of one user."""
        await self.sio.emit(
            "notification", {"kind": kind, **payload}, room=user_room(user_id), namespace="/fair"
        )


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


class AuthenticatedNamespace(socketio.AsyncNamespace):
    """Refuses anonymous and foreign-origin handshakes; keeps who connected in the session."""

    hub: Hub

    async def on_connect(self, sid: str, environ: dict, auth: object = None) -> None:
        identity = await self.hub.authenticate(environ)
        await self.save_session(sid, identity)
        await self.enter_room(sid, user_room(identity["user_id"]))
        await self.connected(sid, identity)

    async def connected(self, sid: str, identity: dict) -> None:
        """Hook for namespaces: runs after a handshake was accepted."""
