"""Log-in throttling that holds under parallel guesses and cannot be turned into a lock-out."""

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from server.db import Database
from server.demo import DEMO_PASSWORD
from server.identity import operations
from server.identity.models import LoginFailure
from server.identity.passwords import Passwords
from tests.support.pages import csrf_token, visible_text
from tests.support.settings import make_settings

BUYER = "buyer@fiera.demo"


async def _post_log_ins(url: str, passwords: list[str]) -> list[tuple[int, str]]:
    """Send one log-in per password at the same moment, from one address; status and text."""
    start = asyncio.Event()

    async def one(password: str) -> tuple[int, str]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            token = csrf_token((await client.get("/login")).text)
            await start.wait()
            response = await client.post(
                "/login", data={"email": BUYER, "password": password, "csrf_token": token}
            )
            return response.status_code, visible_text(response.text)

    tasks = [asyncio.create_task(one(password)) for password in passwords]
    await asyncio.sleep(0.3)
    start.set()
    return list(await asyncio.gather(*tasks))


async def _failures(database: Database, email: str) -> int:
    async with database.read_session() as db:
        return await db.scalar(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.email == email)
        )


async def test_a_burst_of_wrong_passwords_gets_only_the_allowed_checks(live):
    url, database, settings = live
    limit = settings.login_max_failures_per_email
    results = await _post_log_ins(url, [f"wrong guess {n}" for n in range(20)])
    statuses = sorted(status for status, _ in results)
    assert statuses == [400] * limit + [429] * (20 - limit)
    assert await _failures(database, BUYER) == limit
    throttled = next(text for status, text in results if status == 429)
    assert "Too many failed attempts. Try again in 15 minutes." in throttled


async def test_the_right_password_inside_a_burst_is_refused_once_throttled(live):
    url, _database, settings = live
    limit = settings.login_max_failures_per_email
    first = await _post_log_ins(url, [f"wrong guess {n}" for n in range(limit)])
    assert [status for status, _ in first] == [400] * limit
    burst = await _post_log_ins(url, [*(f"more {n}" for n in range(10)), DEMO_PASSWORD])
    assert [status for status, _ in burst] == [429] * 11


@pytest.fixture
async def accounts(fresh_demo_url, var_dir):
    """The demo's people in a database of their own, and the log-in's parts, without a server."""
    settings = make_settings(fresh_demo_url, var_dir)
    database = Database.from_url(fresh_demo_url)
    passwords = Passwords(settings)
    yield database, settings, passwords
    await database.dispose()


async def test_guesses_from_elsewhere_slow_the_owner_down_but_never_lock_them_out(accounts):
    database, settings, passwords = accounts
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    limit = settings.login_max_failures_per_email
    # an attacker spreads guesses over many addresses: each address stays under its own limit
    for n in range(3 * limit):
        user = await operations.log_in(
            database,
            settings,
            passwords,
            email=BUYER,
            password=f"guess {n}",
            ip=f"203.0.113.{n}",
            sleep=sleep,
        )
        assert user is None
    logged_in = await operations.log_in(
        database,
        settings,
        passwords,
        email=BUYER,
        password=DEMO_PASSWORD,
        ip="198.51.100.7",
        sleep=sleep,
    )
    assert logged_in is not None and logged_in.user.email == BUYER
    # the guesses past the limit were slowed down, increasingly, up to the ceiling
    assert waited == sorted(waited) and len(waited) == 2 * limit + 1
    assert 0 < waited[0] < waited[-1] <= operations.LOGIN_SLOWDOWN_MAX


async def test_one_address_guessing_many_accounts_is_refused_past_its_limit(accounts):
    database, settings, passwords = accounts

    async def no_wait(seconds: float) -> None:
        pass

    for n in range(settings.login_max_failures_per_ip):
        await operations.log_in(
            database,
            settings,
            passwords,
            email=f"someone{n}@x.example",
            password="x",
            ip="192.0.2.9",
            sleep=no_wait,
        )
    with pytest.raises(operations.Throttled):
        await operations.log_in(
            database,
            settings,
            passwords,
            email=BUYER,
            password=DEMO_PASSWORD,
            ip="192.0.2.9",
            sleep=no_wait,
        )
    # another address is not affected
    assert await operations.log_in(
        database,
        settings,
        passwords,
        email=BUYER,
        password=DEMO_PASSWORD,
        ip="192.0.2.10",
        sleep=no_wait,
    )


async def test_password_checks_run_a_bounded_number_at_once(var_dir):
    settings = make_settings("sqlite+aiosqlite://", var_dir, password_checks_at_once=2)
    passwords = Passwords(settings)
    stored = passwords.hash_sync("the right one")
    busiest = 0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal busiest
        while not done.is_set():
            busiest = max(busiest, passwords.limiter.borrowed_tokens)
            await asyncio.sleep(0.0005)

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(passwords.verify(stored, f"guess {n}") for n in range(12)))
    done.set()
    await watcher
    assert results == [False] * 12
    assert busiest == 2
