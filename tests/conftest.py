"""Fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server.app import create_app, seed_demo
from server.db import Database, create_engine
from server.identity.passwords import Passwords
from server.settings import Settings
from tests.support import databases
from tests.support.demo import SeededDemo, seed_beside_the_demo
from tests.support.live import serve
from tests.support.netns import require_private_namespace
from tests.support.settings import IN_CI, make_settings

BACKENDS = ["sqlite", "postgresql"]


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--backend",
        choices=[*BACKENDS, "all"],
        default="all",
        help="run the database tests on this backend only (default: all)",
    )


def pytest_runtest_setup(item) -> None:
    """Tests with WebRTC peers run only inside a private network namespace (tests/support/netns)."""
    if item.get_closest_marker("webrtc"):
        require_private_namespace()


def pytest_collection_modifyitems(config, items) -> None:
    """Deselect the tests parametrised with another backend than --backend asks for."""
    chosen = config.getoption("backend")
    if chosen == "all":
        return
    kept, other = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend", chosen) if callspec else chosen
        (kept if backend == chosen else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


@pytest.fixture(scope="session")
async def postgres_problem() -> str | None:
    return await databases.postgres_available()


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(request, postgres_problem) -> str:
    if request.param == "postgresql" and postgres_problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and did not answer: {postgres_problem}")
        pytest.skip(f"PostgreSQL not available: {postgres_problem}")
    return request.param


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
async def migrated_url(backend, var_dir):
    """One migrated database per backend, shared by tests that roll back what they do."""
    url = await databases.create_migrated_database(backend, var_dir)
    yield url
    await databases.drop_database(url)


@pytest.fixture(scope="session")
async def engine(migrated_url):
    engine = create_engine(migrated_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine) -> AsyncIterator[AsyncConnection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    async with databases.rolled_back(engine) as connection:
        yield connection


@pytest.fixture(scope="session")
async def demo_template(backend, var_dir) -> AsyncIterator[str]:
    """The demo seeded once per backend into a database nobody connects to, to copy from."""
    url = await databases.create_migrated_database(backend, var_dir)
    seeding = Database.from_url(url)
    async with seeding.session() as session:
        settings = make_settings(url, var_dir)
        await seed_demo(session, Passwords(settings), settings.upload_dir)
    await seeding.dispose()
    yield url
    await databases.drop_database(url)


@pytest.fixture(scope="session")
async def seeded_demo(demo_template, var_dir) -> AsyncIterator[SeededDemo]:
    """The demo and a fair beside it, committed once per backend for tests that roll back what
    they do: their conftest or module overrides `connection` and `settings` with
    `demo_connection` and `demo_settings` (tests/booths, tests/rooms/test_pages.py)."""
    url = await databases.copy_database(demo_template, var_dir)
    seeding = Database.from_url(url)
    async with seeding.session() as session:
        world = await seed_beside_the_demo(session, Passwords(make_settings(url, var_dir)))
    await seeding.dispose()
    yield SeededDemo(url, world)
    await databases.drop_database(url)


@pytest.fixture
async def demo_connection(demo_engine) -> AsyncIterator[AsyncConnection]:
    """A connection to the seeded demo inside an outer transaction rolled back after the test."""
    async with databases.rolled_back(demo_engine) as connection:
        yield connection


@pytest.fixture
def demo_settings(seeded_demo, var_dir) -> Settings:
    return make_settings(seeded_demo.url, var_dir)


@pytest.fixture
async def fresh_demo_url(demo_template, var_dir) -> AsyncIterator[str]:
    """A new database with the demo committed, for servers and concurrent writers."""
    url = await databases.copy_database(demo_template, var_dir)
    yield url
    await databases.drop_database(url)


@pytest.fixture(scope="session")
async def demo_engine(seeded_demo) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(seeded_demo.url)
    yield engine
    await engine.dispose()


@pytest.fixture
def database(connection) -> Database:
    return Database.for_connection(connection)


@pytest.fixture
async def db(database):
    async with database.session() as session:
        yield session


@pytest.fixture
def settings(migrated_url, var_dir) -> Settings:
    return make_settings(migrated_url, var_dir)


@pytest.fixture
def app(settings, database):
    return create_app(settings, database)


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


@pytest.fixture
async def fresh_url(backend, var_dir):
    """A new, migrated database with committed data, for servers and concurrent writers."""
    url = await databases.create_migrated_database(backend, var_dir)
    yield url
    await databases.drop_database(url)


@pytest.fixture
async def live(fresh_demo_url, var_dir):
    """The demo fairs served for real on 127.0.0.1; yields (base URL, database, settings)."""
    settings = make_settings(fresh_demo_url, var_dir)
    database = Database.from_url(fresh_demo_url)
    async with serve(create_app(replace(settings, presence_grace_seconds=0.3), database)) as url:
        yield url, database, settings
