"""Server-side login sessions: a random token in the cookie, its SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.db import Database, utcnow
from server.identity.models import LoginSession, User
from server.settings import Settings

SESSION_COOKIE = "fiera_session"
# Writing last_seen_at on every request would turn every page view into a write.
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Authenticated:
    user: User
    login_session: LoginSession
    token: str


async def start(
    db: AsyncSession,
    settings: Settings,
    user: User,
    *,
    ip: str = "",
    user_agent: str = "",
    previous_token: str | None = None,
    now: datetime | None = None,
) -> str:
    """Open a login session for `user` and return its token; a previous one is ended (rotation)."""
    now = now or utcnow()
    if previous_token:
        await db.execute(
            delete(LoginSession).where(LoginSession.token_hash == hash_token(previous_token))
        )
    token = secrets.token_urlsafe(32)
    db.add(
        LoginSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=settings.session_absolute_seconds),
            ip=ip[:45],
            user_agent=user_agent[:300],
        )
    )
    await db.flush()
    return token


async def resolve(
    database: Database, settings: Settings, token: str, *, now: datetime | None = None
) -> Authenticated | None:
    """The user behind a session token, or None when unknown, idle too long or expired.

    Read without the writer; only an expired session (deleted) or one not touched for a minute
    (last_seen_at moved) takes a short writing unit of work.
    """
    if not token or len(token) > 100 or not token.isascii():
        return None
    now = now or utcnow()
    async with database.read_session() as db:
        login_session = await db.scalar(
            select(LoginSession)
            .where(LoginSession.token_hash == hash_token(token))
            .options(selectinload(LoginSession.user).selectinload(User.firm))
        )
    if login_session is None:
        return None
    idle_limit = login_session.last_seen_at + timedelta(seconds=settings.session_idle_seconds)
    if now >= login_session.expires_at or now >= idle_limit or not login_session.user.is_active:
        async with database.session() as db:
            await db.execute(delete(LoginSession).where(LoginSession.id == login_session.id))
            await db.commit()
        return None
    if now - login_session.last_seen_at >= TOUCH_INTERVAL:
        async with database.session() as db:
            # Conditional, so that concurrent requests of one user touch it once.
            await db.execute(
                update(LoginSession)
                .where(
                    LoginSession.id == login_session.id,
                    LoginSession.last_seen_at < now - TOUCH_INTERVAL / 2,
                )
                .values(last_seen_at=now)
            )
            await db.commit()
        login_session.last_seen_at = now
    return Authenticated(login_session.user, login_session, token)


async def is_open(db: AsyncSession, login_session_id: int, *, now: datetime | None = None) -> bool:
    """Whether a login session still exists and has not reached its absolute end."""
    now = now or utcnow()
    found = await db.scalar(
        select(LoginSession.id).where(
            LoginSession.id == login_session_id, LoginSession.expires_at > now
        )
    )
    return found is not None


async def end(db: AsyncSession, token: str) -> None:
    """End the login session behind `token` for good."""
    await db.execute(delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))
