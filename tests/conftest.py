"""Fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from server.app import create_app, seed_demo
from server.db import Database, create_engine
from server.identity.passwords import Passwords
from server.settings import Settings
from tests.support import databases
from tests.support.live import serve

BACKENDS = ["sqlite", "postgresql"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def make_settings(database_url: str, var_dir: Path, **overrides) -> Settings:
    """Settings for tests: cheap argon2 (the product keeps the library's costs)."""
    values = dict(
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        var_dir=var_dir,
        argon2_time_cost=1,
        argon2_memory_cost=8,
        argon2_parallelism=1,
    )
    values.update(overrides)
    return Settings(**values)


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
async def connection(engine) -> AsyncConnection:
    """A connection inside an outer transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        if transaction.is_active:
            await transaction.rollback()


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
async def live(fresh_url, var_dir):
    """The demo fairs served for real on 127.0.0.1; yields (base URL, database, settings)."""
    settings = make_settings(fresh_url, var_dir)
    database = Database.from_url(fresh_url)
    async with database.session() as session:
        await seed_demo(session, Passwords(settings))
    async with serve(create_app(replace(settings, presence_grace_seconds=0.3), database)) as url:
        yield url, database, settings
