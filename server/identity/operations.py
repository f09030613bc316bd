"""Account actions: sign up, log in (with throttling), update the profile, change password."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import Database, utcnow
from server.forms import FormError
from server.i18n import gettext as _
from server.identity import sessions
from server.identity.models import LoginFailure, LoginSession, User
from server.identity.passwords import Passwords
from server.settings import Settings


async def sign_up(
    db: AsyncSession,
    *,
    email: str,
    name: str,
    password_hash: str,
    language: str,
    time_zone: str,
) -> User:
    """Create an account; an e-mail already in use is refused."""
    if await db.scalar(select(User.id).where(User.email == email)) is not None:
        raise FormError(email=_("An account with this e-mail address already exists."))
    user = User(
        email=email,
        name=name,
        password_hash=password_hash,
        language=language,
        time_zone=time_zone,
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError as exc:  # two sign-ups racing for one address
        await db.rollback()
        raise FormError(email=_("An account with this e-mail address already exists.")) from exc
    return user


@dataclass
class Throttled(Exception):
    retry_after: timedelta


async def serialise_attempts_from(db: AsyncSession, ip: str) -> None:
    """Make attempts from one address count one after the other, so a burst cannot overtake.

    SQLite writers already queue (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock held
    until this transaction ends.
    """
    if db.bind.dialect.name == "postgresql":
        await db.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"fiera-login:{ip}"},
        )


async def _recent(db: AsyncSession, since: datetime, *conditions) -> tuple[int, datetime | None]:
    count, oldest = (
        await db.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.at > since, *conditions
            )
        )
    ).one()
    return count, oldest


async def count_attempt(
    db: AsyncSession, settings: Settings, email: str, ip: str, now: datetime | None = None
) -> tuple[LoginFailure, float]:
    """Record a log-in attempt before its password is checked; return it and how long to wait.

    Refused (Throttled) when this address failed too often for this account, or for any
    account. Failures for one account from everywhere slow its log-ins down but never lock
    the owner out, so nobody can lock another person out by guessing.
    """
    now = now or utcnow()
    window = timedelta(seconds=settings.login_failure_window_seconds)
    since = now - window
    await serialise_attempts_from(db, ip)
    for conditions, limit in (
        (
            (LoginFailure.email == email, LoginFailure.ip == ip),
            settings.login_max_failures_per_email,
        ),
        ((LoginFailure.ip == ip,), settings.login_max_failures_per_ip),
    ):
        count, oldest = await _recent(db, since, *conditions)
        if count >= limit and oldest is not None:
            raise Throttled(retry_after=max(oldest + window - now, timedelta(seconds=1)))
    from_everywhere, _oldest = await _recent(db, since, LoginFailure.email == email)
    over = from_everywhere - settings.login_max_failures_per_email
    delay = min(LOGIN_SLOWDOWN_STEP * (over + 1), LOGIN_SLOWDOWN_MAX) if over >= 0 else 0.0
    attempt = LoginFailure(email=email[:254], ip=ip[:45], at=now)
    db.add(attempt)
    await db.flush()
    return attempt, delay


# Per failure of one account beyond the limit, from any address; at most LOGIN_SLOWDOWN_MAX.
LOGIN_SLOWDOWN_STEP = 0.5
LOGIN_SLOWDOWN_MAX = 5.0


@dataclass
class LoggedIn:
    user: User
    token: str  # of the login session opened


async def log_in(
    database: Database,
    settings: Settings,
    passwords: Passwords,
    *,
    email: str,
    password: str,
    ip: str,
    user_agent: str = "",
    previous_token: str | None = None,
    now: datetime | None = None,
    sleep=asyncio.sleep,
) -> LoggedIn | None:
    """Open a login session when e-mail and password match; the attempt counts as a failure
    otherwise.

    The attempt is counted before the (slow) password check, which runs outside any
    transaction, so that parallel guesses cannot all pass a throttle that counted none.
    """
    async with database.session() as db:
        attempt, delay = await count_attempt(db, settings, email, ip, now)
        user = await db.scalar(select(User).where(User.email == email))
        await db.commit()
    if delay:
        await sleep(delay)
    ok = await passwords.verify(user.password_hash if user else None, password)
    if not (ok and user is not None and user.is_active):
        return None
    async with database.session() as db:
        # a success clears this address's failures for the account, the attempt included
        await db.execute(
            delete(LoginFailure).where(
                LoginFailure.email == email,
                (LoginFailure.ip == attempt.ip) | (LoginFailure.id == attempt.id),
            )
        )
        token = await sessions.start(
            db,
            settings,
            user,
            ip=ip,
            user_agent=user_agent,
            previous_token=previous_token,
            now=now,
        )
        await db.commit()
    return LoggedIn(user, token)


async def update_profile(
    db: AsyncSession,
    user: User,
    *,
    name: str,
    language: str,
    time_zone: str,
    share_visits: bool = True,
) -> None:
    """Save the user's name, language, time zone and whether booths see their visits."""
    user.name = name
    user.language = language
    user.time_zone = time_zone
    user.share_visits = share_visits
    await db.flush()


async def change_password(
    database: Database,
    passwords: Passwords,
    user: User,
    *,
    current: str,
    new: str,
    keep_login_session: int | None = None,
) -> None:
    """Replace the password after checking the current one; every other session of the user
    ends."""
    if not await passwords.verify(user.password_hash, current):
        raise FormError(current_password=_("That is not your current password."))
    new_hash = await passwords.hash(new)
    async with database.session() as db:
        await db.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
        await db.execute(
            delete(LoginSession).where(
                LoginSession.user_id == user.id, LoginSession.id != (keep_login_session or 0)
            )
        )
        await db.commit()
    user.password_hash = new_hash
