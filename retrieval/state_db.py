"""The database behind the small state stores (profiles, feedback, languages).

SQLite by default (one file next to the index); any database SQLAlchemy reaches asynchronously
by URL instead (`JPO_STATE_DB_URL`, e.g. PostgreSQL, so that bot replicas on several machines
share profiles, ratings and language choices). The stores use SQLAlchemy Core tables, so one
set of queries serves every backend; upserts use the dialect's ON CONFLICT, which SQLite and
PostgreSQL both have.

The engine is created lazily on first use, because services are built synchronously before
any event loop runs, and again after `close()`, so a shut-down dispatcher does not break a
later one that shares the same services (tests do that). Creating and disposing take the same
lock: with SQLite each pooled connection owns a non-daemon worker thread, and one left open
keeps the Python process from exiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import MetaData, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg",
                  "postgres": "postgresql+asyncpg"}


def database_url(target: Path | str) -> str:
    """An async SQLAlchemy URL: a path is an SQLite file; `sqlite:///…` and `postgresql://…`
    get their async drivers (aiosqlite, asyncpg)."""
    if isinstance(target, Path) or "://" not in target:
        return f"sqlite+aiosqlite:///{Path(target).expanduser().resolve()}"
    scheme, rest = target.split("://", 1)
    return f"{_ASYNC_DRIVERS.get(scheme, scheme)}://{rest}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # A write-ahead log: readers never wait for the writer (three stores, maybe several
    # processes, share the file) and commits skip an fsync; wait for a lock, don't fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqlStore:
    """Base class: subclasses declare their tables on `metadata` and query through `_engine()`."""

    metadata: ClassVar[MetaData]

    def __init__(self, target: Path | str) -> None:
        self.url = database_url(target)
        self._engine_: AsyncEngine | None = None
        self._lock: asyncio.Lock | None = None

    @property
    def backend(self) -> str:
        return make_url(self.url).get_backend_name()

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def _setup(self, conn: AsyncConnection) -> None:
        """Anything beyond creating the tables, on first use (in the same transaction)."""

    async def _engine(self) -> AsyncEngine:
        if self._engine_ is not None:
            return self._engine_
        # Two first requests arriving together must not create two engines.
        async with self._guard():
            if self._engine_ is None:
                url = make_url(self.url)
                if url.get_backend_name() == "sqlite" and url.database:
                    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_async_engine(url, pool_pre_ping=url.get_backend_name() != "sqlite")
                if url.get_backend_name() == "sqlite":
                    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
                try:
                    async with engine.begin() as conn:
                        await conn.run_sync(self.metadata.create_all)
                        await self._setup(conn)
                except BaseException:
                    await engine.dispose()
                    raise
                self._engine_ = engine
        return self._engine_

    async def close(self) -> None:
        async with self._guard():
            engine, self._engine_ = self._engine_, None
        if engine is not None:
            await engine.dispose()


def upsert(conn: AsyncConnection, table: Table, values: Mapping[str, Any],
           key: Sequence[str], update: Sequence[str] | None = None) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE SET the other columns (or only `update`);
    with `update=[]`, DO NOTHING. Both SQLite and PostgreSQL speak it."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    columns = [c for c in values if c not in key] if update is None else list(update)
    if not columns:
        return statement.on_conflict_do_nothing(index_elements=list(key))
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={c: statement.excluded[c] for c in columns})
