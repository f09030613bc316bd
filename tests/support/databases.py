"""Throw-away databases for tests: a new SQLite file or a new PostgreSQL database each."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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


async def copy_database(template_url: str, directory: Path) -> str:
    """A new database holding what the template holds, which nobody may be connected to."""
    template = make_url(template_url)
    if template.get_backend_name() == "sqlite":
        url = await create_database("sqlite", directory)
        copy = make_url(url).database
        # the write-ahead log, if a connection left one, holds committed pages too
        for suffix in ("", "-wal"):
            if Path(template.database + suffix).exists():
                shutil.copyfile(template.database + suffix, copy + suffix)
        return url
    name = f"fiera_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_asyncpg_dsn(postgres_server_url()))
    try:
        for attempt in range(50):
            try:
                await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"')
                break
            except asyncpg.ObjectInUseError:
                # the template's last session may still be ending on the server
                if attempt == 49:
                    raise
                await asyncio.sleep(0.1)
    finally:
        await connection.close()
    return template.set(database=name).render_as_string(hide_password=False)


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


@contextlib.asynccontextmanager
async def rolled_back(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside an outer transaction that is rolled back at the end."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            if transaction.is_active:
                await transaction.rollback()
