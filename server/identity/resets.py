"""Password reset by e-mail: a throttled request, a single-use expiring link, a new password."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import Database
from server.identity.models import LoginFailure, LoginSession, PasswordReset, User
from server.identity.operations import Throttled, serialise_attempts_from
from server.identity.sessions import hash_token
from server.mail.outbox import compose, enqueue
from server.settings import Settings

KIND = "password-reset"


async def request_reset(
    db: AsyncSession,
    settings: Settings,
    *,
    email: str,
    ip: str,
    link: str,
    now: datetime,
) -> bool:
    """Record a request and, for an active account, queue the mail with a fresh link.

    `link` is the reset page's address with "{token}" in place of the token. Returns whether a
    mail was queued (for tests only: the page answers the same either way). Throttled when this
    address or this client asked too often, whether the account exists or not.
    """
    window = timedelta(seconds=settings.reset_window_seconds)
    await serialise_attempts_from(db, ip)
    for condition, limit in (
        (PasswordReset.email == email, settings.reset_max_per_email),
        (PasswordReset.ip == ip, settings.reset_max_per_ip),
    ):
        count, oldest = (
            await db.execute(
                select(func.count(), func.min(PasswordReset.requested_at)).where(
                    PasswordReset.requested_at > now - window, condition
                )
            )
        ).one()
        if count >= limit and oldest is not None:
            raise Throttled(retry_after=max(oldest + window - now, timedelta(seconds=1)))
    record = PasswordReset(email=email[:254], ip=ip[:45], requested_at=now)
    db.add(record)
    user = await db.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        await db.flush()
        return False
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(seconds=settings.password_reset_seconds)
    record.user_id = user.id
    record.token_hash = hash_token(token)
    record.expires_at = now + lifetime
    mail = compose(
        KIND,
        user.language,
        name=user.name,
        link=link.replace("{token}", token),
        minutes=int(lifetime.total_seconds() // 60),
    )
    enqueue(db, recipient=user.email, mail=mail, kind=KIND, now=now)
    await db.flush()
    return True


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass
class LinkRefused(Exception):
    why: Refusal


async def check_link(db: AsyncSession, token: str, now: datetime) -> PasswordReset:
    """The reset behind a link's token, or LinkRefused saying why it cannot be used."""
    if not token or len(token) > 100 or not token.isascii():
        raise LinkRefused(Refusal.UNKNOWN)
    reset = await db.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    )
    if reset is None or reset.user_id is None or reset.expires_at is None:
        raise LinkRefused(Refusal.UNKNOWN)
    if reset.used_at is not None:
        raise LinkRefused(Refusal.USED)
    if now >= reset.expires_at:
        raise LinkRefused(Refusal.EXPIRED)
    return reset


async def reset_password(database: Database, token: str, password_hash: str, now: datetime) -> User:
    """Set the new password through a link, once: every login session of the user ends, every
    other link of theirs stops working, and their failed log-ins are forgotten."""
    async with database.session() as db:
        reset = await check_link(db, token, now)
        # conditional: of two submissions of one link, only one finds it unused
        used = await db.execute(
            update(PasswordReset)
            .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            await db.rollback()
            raise LinkRefused(Refusal.USED)
        user = await db.get_one(User, reset.user_id)
        user.password_hash = password_hash
        await db.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        await db.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        await db.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
        await db.commit()
    return user
