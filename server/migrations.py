"""Alembic, driven from code: `fiera migrate` and the tests use these helpers."""

from __future__ import annotations

from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncConnection

from alembic import command
from server.settings import ALEMBIC_DIR


def alembic_config(database_url: str, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade the database to `revision` (blocking; runs its own event loop)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


async def upgrade_connection(connection: AsyncConnection, revision: str = "head") -> None:
    """Upgrade through an open async connection (inside a running event loop)."""

    def run(sync_connection) -> None:
        command.upgrade(alembic_config(str(connection.engine.url), sync_connection), revision)

    await connection.run_sync(run)


async def downgrade_connection(connection: AsyncConnection, revision: str = "base") -> None:
    def run(sync_connection) -> None:
        command.downgrade(alembic_config(str(connection.engine.url), sync_connection), revision)

    await connection.run_sync(run)
