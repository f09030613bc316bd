"""Migrations go up, down and up again, and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db import Base, create_engine
from server.migrations import downgrade_connection, upgrade_connection
from server.models import *  # noqa: F403  (the full metadata)

TABLES = {
    "fairs",
    "halls",
    "sectors",
    "firms",
    "users",
    "participants",
    "login_sessions",
    "login_failures",
    # rooms
    "agenda_settings",
    "agenda_sessions",
    "slots",
    "unavailable_slots",
    "meeting_requests",
    "meetings",
    "meeting_attendees",
    "schedule_runs",
}


def _tables(sync_connection) -> set[str]:
    return set(inspect(sync_connection).get_table_names()) - {"alembic_version"}


def _diff(sync_connection) -> list:
    context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def test_upgrade_downgrade_upgrade(fresh_url):
    engine = create_engine(fresh_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) >= TABLES
        await downgrade_connection(connection, "base")
        await connection.commit()
        assert await connection.run_sync(_tables) == set()
        await upgrade_connection(connection, "head")
        await connection.commit()
        assert await connection.run_sync(_tables) >= TABLES
    await engine.dispose()


async def test_models_and_migrations_agree(fresh_url):
    engine = create_engine(fresh_url)
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []
    await engine.dispose()
