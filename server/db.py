"""Database engine, sessions and the declarative base shared by every package."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _setup_sqlite(engine: AsyncEngine) -> None:
    """Per-connection pragmas, and BEGIN emitted by us so that writers can ask for IMMEDIATE."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection, connection_record) -> None:
        # pysqlite's own BEGIN handling breaks savepoints and cannot say IMMEDIATE
        # (SQLAlchemy docs, "Serializable isolation / Savepoints / Transactional DDL").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn) -> None:
        immediate = conn.get_execution_options().get("fiera_write_lock", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: str, **kwargs) -> AsyncEngine:
    """Create an async engine with Fiera's per-dialect set-up."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 10})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _setup_sqlite(engine)
    return engine


class Database:
    """Owns the engine and hands out sessions; tests may bind it to one connection."""

    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]):
        self.engine = engine
        self.sessionmaker = sessionmaker

    @classmethod
    def from_url(cls, url: str, **kwargs) -> Database:
        engine = create_engine(url, **kwargs)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @classmethod
    def for_connection(cls, connection: AsyncConnection) -> Database:
        """Sessions that join the connection's outer transaction through savepoints."""
        maker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        return cls(connection.engine, maker)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction takes the write lock at once (SQLite BEGIN IMMEDIATE)."""
        async with self.sessionmaker() as session:
            bind = session.bind
            if isinstance(bind, AsyncEngine):
                session.bind = bind.execution_options(fiera_write_lock=True)
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
