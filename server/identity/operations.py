"""Account actions: sign up, log in (with throttling), update the profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import utcnow
from server.i18n import gettext as _
from server.identity.models import LoginFailure, User
from server.identity.passwords import Passwords
from server.settings import Settings


class AccountError(Exception):
    """A problem to show next to a form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


async def sign_up(
    db: AsyncSession,
    passwords: Passwords,
    *,
    email: str,
    name: str,
    password: str,
    language: str,
    time_zone: str,
) -> User:
    """Create an account; an e-mail already in use is refused."""
    if await db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email", _("An account with this e-mail address already exists."))
    user = User(
        email=email,
        name=name,
        password_hash=await passwords.hash(password),
        language=language,
        time_zone=time_zone,
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError as exc:  # two sign-ups racing for one address
        await db.rollback()
        raise AccountError(
            "email", _("An account with this e-mail address already exists.")
        ) from exc
    return user


@dataclass
class Throttled(Exception):
    retry_after: timedelta


async def check_throttle(
    db: AsyncSession, settings: Settings, email: str, ip: str, now: datetime | None = None
) -> None:
    """Refuse a log-in attempt when this e-mail or address failed too often recently."""
    now = now or utcnow()
    since = now - timedelta(seconds=settings.login_failure_window_seconds)
    for column, value, limit in (
        (LoginFailure.email, email, settings.login_max_failures_per_email),
        (LoginFailure.ip, ip, settings.login_max_failures_per_ip),
    ):
        count, oldest = (
            await db.execute(
                select(func.count(), func.min(LoginFailure.at)).where(
                    column == value, LoginFailure.at > since
                )
            )
        ).one()
        if count >= limit:
            window = timedelta(seconds=settings.login_failure_window_seconds)
            raise Throttled(retry_after=max(oldest + window - now, timedelta(seconds=1)))


async def log_in(
    db: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    *,
    email: str,
    password: str,
    ip: str,
    now: datetime | None = None,
) -> User | None:
    """The user when e-mail and password match; a failure is recorded for throttling."""
    now = now or utcnow()
    await check_throttle(db, settings, email, ip, now)
    user = await db.scalar(select(User).where(User.email == email))
    ok = await passwords.verify(user.password_hash if user else None, password)
    if ok and user is not None and user.is_active:
        await db.execute(delete(LoginFailure).where(LoginFailure.email == email))
        return user
    db.add(LoginFailure(email=email[:254], ip=ip[:45], at=now))
    await db.commit()
    return None


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
    db: AsyncSession, passwords: Passwords, user: User, *, current: str, new: str
) -> None:
    """Replace the password after checking the current one."""
    if not await passwords.verify(user.password_hash, current):
        raise AccountError("current_password", _("That is not your current password."))
    user.password_hash = await passwords.hash(new)
    await db.flush()
