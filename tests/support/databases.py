"""Throw-away databases for tests: a new SQLite file or a new PostgreSQL database each."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from server.db import create_engine
from server.migrations import upgrade_connection

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_server_url() -> str:
    return os.environ.get("FIERA_TEST_DATABASE_URL") or DEFAULT_POSTGRES


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def postgres_available() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        connection = await asyncpg.connect(_asyncpg_dsn(postgres_server_url()), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


async def create_database(backend: str, directory: Path) -> str:
    """Create an empty database and return its SQLAlchemy URL."""
    name = f"fiera_test_{uuid.uuid4().hex[:12]}"
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{directory / (name + '.sqlite3')}"
    server = postgres_server_url()
    connection = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


async def create_migrated_database(backend: str, directory: Path) -> str:
    """A new database at the newest migration."""
    url = await create_database(backend, directory)
    engine = create_engine(url)
    async with engine.connect() as connection:
        await upgrade_connection(connection)
        await connection.commit()
    await engine.dispose()
    return url


async def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    connection = await asyncpg.connect(_asyncpg_dsn(postgres_server_url()))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    finally:
        await connection.close()
