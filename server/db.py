"""Database engine, sessions and the declarative base shared by every package."""

from __future__ import annotations

import asyncio
import contextvars
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


# Primary keys are 32-bit integers on PostgreSQL: a larger id can name nothing.
MAX_ID = 2**31 - 1
READ_ONLY_OPTION = "fiera_read_only"
# Longer than any unit of work should take; past it the request fails instead of hanging.
WRITER_WAIT_SECONDS = 30.0


class DatabaseBusy(Exception):
    """The writer stayed taken for too long: the server is overloaded."""


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
        # A deferred transaction that reads and then writes is refused at once ("database is
        # locked") when another writer got in first, whatever the busy timeout: so every
        # transaction takes the write lock at its start, except those declared read-only, which
        # the connection then enforces (a write in one fails loudly instead of racing).
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        info = conn.connection.info
        if info.get("query_only", False) != read_only:
            conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            info["query_only"] = read_only
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


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


_writer_task: contextvars.ContextVar[asyncio.Task | None] = contextvars.ContextVar(
    "fiera_writer_task", default=None
)


class Database:
    """Owns the engine and hands out sessions; tests may bind it to one connection.

    `session()` is a unit of work that may write: on SQLite its transaction begins IMMEDIATE, and
    the writers of this process queue on an asyncio lock first (fair, and no busy-polling; the
    busy timeout still covers other processes). `read_session()` may only read: on SQLite it
    runs deferred beside the writer (WAL), on PostgreSQL as a READ ONLY transaction; a write in
    it raises. Keep writing units short: no password hashing or network calls inside them.
    """

    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]):
        self.engine = engine
        self.sessionmaker = sessionmaker
        bound_to_engine = isinstance(sessionmaker.kw.get("bind"), AsyncEngine)
        self.serialises_writers = bound_to_engine and engine.dialect.name == "sqlite"
        self._writer = asyncio.Lock()

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
        """A unit of work that may write; it holds the writer until it ends."""
        if not self.serialises_writers:
            async with self.sessionmaker() as session:
                yield session
            return
        task = asyncio.current_task()
        if _writer_task.get() is task:
            # The lock is not re-entrant, and SQLite would make the inner one wait for ever.
            raise RuntimeError("a writing session was opened inside another one")
        try:
            async with asyncio.timeout(WRITER_WAIT_SECONDS):
                await self._writer.acquire()
        except TimeoutError as exc:
            raise DatabaseBusy("the database writer stayed busy") from exc
        token = _writer_task.set(task)
        connection = None
        try:
            connection = await self.engine.connect()
            async with self.sessionmaker(bind=connection) as session:
                yield session
        finally:
            _writer_task.reset(token)
            self._writer.release()
            # Returning the connection (its reset is a turn of the event loop, long under load)
            # happens after the writer is free for the next one.
            if connection is not None:
                await connection.close()

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads; it never waits for the writer."""
        async with self.sessionmaker() as session:
            bind = session.bind
            if isinstance(bind, AsyncEngine):
                if bind.dialect.name == "sqlite":
                    session.bind = bind.execution_options(**{READ_ONLY_OPTION: True})
                else:
                    session.bind = bind.execution_options(postgresql_readonly=True)
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
