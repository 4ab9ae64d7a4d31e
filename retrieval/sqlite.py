"""The connection handling shared by the small SQLite stores (profiles, feedback, languages).

Each store is async (aiosqlite) so the bot never blocks its event loop on disk. The
connection is opened lazily on first use, because services are built synchronously before
any event loop runs, and it reopens after `close()`, so a shut-down dispatcher does not break
a later one that shares the same services (tests do that).

Every aiosqlite connection owns a non-daemon worker thread: one left open keeps the Python
process from exiting. Opening and closing therefore take the same lock (a `close()` racing a
first request cannot miss the connection being opened), and a connection whose schema set-up
fails is closed before the error propagates.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite


class SqliteStore:
    """Base class: subclasses create their tables in `_setup` and call `_conn()` per query."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._lock: asyncio.Lock | None = None

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def _setup(self, db: aiosqlite.Connection) -> None:
        """Create the schema on a freshly opened connection (committed by the caller)."""

    async def _conn(self) -> aiosqlite.Connection:
        if self._db is not None:
            return self._db
        # Two first requests arriving together must not open two connections.
        async with self._guard():
            if self._db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = await aiosqlite.connect(self.path)
                try:
                    # A write-ahead log: readers never wait for the writer (three stores,
                    # maybe several processes, share the file) and commits skip an fsync.
                    await db.execute("PRAGMA journal_mode=WAL")
                    await db.execute("PRAGMA synchronous=NORMAL")
                    await self._setup(db)
                    await db.commit()
                except BaseException:
                    await db.close()
                    raise
                self._db = db
        return self._db

    async def close(self) -> None:
        async with self._guard():
            db, self._db = self._db, None
        if db is not None:
            await db.close()
