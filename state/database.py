"""The database behind the small state stores (profiles, feedback, languages).

SQLite by default (one file next to the index); PostgreSQL, or any database SQLAlchemy
reaches, by URL instead (`JPO_STATE_DB_URL`), so that bot replicas on several machines share
profiles, ratings and language choices. The stores use SQLAlchemy Core tables, so one set of
queries serves every backend; upserts use the dialect's ON CONFLICT, which SQLite and
PostgreSQL both have.

Each store operation is one short transaction run on the store's own worker threads, so the
event loop never waits on disk or network. One thread hop per operation: SQLAlchemy's asyncio
layer over aiosqlite took five per statement (connection, cursor, execute, fetch, reset) and
halved the bot's throughput under load (bench/load.py). SQLite gets one thread and one
connection, since it has one writer at a time and pooled connections would contend for its
file lock with sleeping retries; a server database gets a small pool and as many threads.

The engine is created on first use and again after `close()`, so a shut-down dispatcher does
not break a later one that shares the same services (tests do that).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

T = TypeVar("T")

_SYNC_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
SERVER_POOL_SIZE = 4


def database_url(target: Path | str) -> str:
    """A SQLAlchemy URL: a path is an SQLite file; `postgresql://…` gets the psycopg driver."""
    if isinstance(target, Path) or "://" not in target:
        return f"sqlite:///{Path(target).expanduser().resolve()}"
    scheme, rest = target.split("://", 1)
    return f"{_SYNC_DRIVERS.get(scheme, scheme)}://{rest}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # A write-ahead log: readers never wait for the writer (three stores, maybe several
    # processes, share the file) and commits skip an fsync; wait for a lock, don't fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqlStore:
    """Base class: subclasses declare their tables on `metadata` and run each operation with
    `await self._run(fn, …)`, where `fn(conn, …)` is plain synchronous SQLAlchemy Core."""

    metadata: ClassVar[MetaData]

    def __init__(self, target: Path | str) -> None:
        self.url = database_url(target)
        self._engine_: Engine | None = None
        self._executor: ThreadPoolExecutor | None = None
        # Creating the engine (on a worker thread, first use: may take a while) and creating
        # the executor (on the event loop: must not wait for the former) each have their own.
        self._engine_lock = threading.Lock()
        self._executor_lock = threading.Lock()

    @property
    def backend(self) -> str:
        return make_url(self.url).get_backend_name()

    def _setup(self, conn: Connection) -> None:
        """Anything beyond creating the tables, on first use (in the same transaction)."""

    def _open(self) -> Engine:
        """The engine, created (with the tables) on first use; runs on a worker thread."""
        engine = self._engine_
        if engine is not None:  # every operation but the first: no lock to take
            return engine
        with self._engine_lock:
            if self._engine_ is None:
                url = make_url(self.url)
                if url.get_backend_name() == "sqlite":
                    if url.database:
                        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
                    engine = create_engine(url, pool_size=1, max_overflow=0)
                    event.listen(engine, "connect", _sqlite_pragmas)
                else:
                    engine = create_engine(url, pool_size=SERVER_POOL_SIZE, max_overflow=0,
                                           pool_pre_ping=True)
                try:
                    with engine.begin() as conn:
                        self.metadata.create_all(conn)
                        self._setup(conn)
                except BaseException:
                    engine.dispose()
                    raise
                self._engine_ = engine
            return self._engine_

    def _transaction(self, fn: Callable[..., T], *args: Any) -> T:
        with self._open().begin() as conn:
            return fn(conn, *args)

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                workers = 1 if self.backend == "sqlite" else SERVER_POOL_SIZE
                self._executor = ThreadPoolExecutor(workers, thread_name_prefix="state-db")
            return self._executor

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(conn, *args)` in one transaction, on the store's worker thread(s)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), self._transaction, fn, *args)

    async def close(self) -> None:
        """Close the connections and stop the worker threads (both come back on next use)."""
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:  # lets the operations already queued finish
            await asyncio.get_running_loop().run_in_executor(None, executor.shutdown, True)
        with self._engine_lock:
            engine, self._engine_ = self._engine_, None
        if engine is not None:
            engine.dispose()


def upsert(conn: Connection, table: Table, values: Mapping[str, Any], key: Sequence[str],
           update: Sequence[str] | None = None) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE SET the other columns (or only `update`);
    with `update=[]`, DO NOTHING. Both SQLite and PostgreSQL speak it."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    columns = [c for c in values if c not in key] if update is None else list(update)
    if not columns:
        return statement.on_conflict_do_nothing(index_elements=list(key))
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={c: statement.excluded[c] for c in columns})
