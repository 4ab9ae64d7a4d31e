"""The SQLite stores' shared connection handling: no connection (and so no worker thread that
keeps Python from exiting) may outlive `close()`, a failed schema set-up, or a race."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import aiosqlite
import pytest

from retrieval.feedback import FeedbackStore
from retrieval.preferences import LanguageStore
from retrieval.profiles import ProfileStore
from retrieval.sqlite import SqliteStore


def worker_threads() -> int:
    # aiosqlite runs each connection on a thread of this name
    return sum(1 for t in threading.enumerate()
               if t.is_alive() and "_connection_worker_thread" in t.name)


async def settled(expected: int) -> int:
    """Worker threads stop right after a close; give them a moment."""
    for _ in range(100):
        if worker_threads() == expected:
            break
        await asyncio.sleep(0.01)
    return worker_threads()


class BrokenSchema(SqliteStore):
    async def _setup(self, db: aiosqlite.Connection) -> None:
        await db.execute("CREATE TABLE broken (")


async def test_close_racing_the_first_open_leaves_no_connection(tmp_path: Path) -> None:
    before = worker_threads()
    store = LanguageStore(tmp_path / "state.sqlite3")
    opening = asyncio.create_task(store._conn())
    await asyncio.sleep(0)  # the open has started and holds the lock
    await asyncio.gather(opening, store.close())
    assert store._db is None
    assert await settled(before) == before


async def test_failed_schema_setup_closes_the_connection(tmp_path: Path) -> None:
    before = worker_threads()
    store = BrokenSchema(tmp_path / "state.sqlite3")
    with pytest.raises(aiosqlite.OperationalError):
        await store._conn()
    assert store._db is None
    assert await settled(before) == before


async def test_every_store_reopens_after_close_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    languages, profiles, feedback = LanguageStore(path), ProfileStore(path), FeedbackStore(path)
    await languages.set(7, "es")
    for store in (languages, profiles, feedback):
        await store.close()
        await store.close()  # twice is harmless
    assert await languages.get(7) == "es"
    assert (await feedback.stats()).questions_total == 0
    assert await profiles.get(7) is None
    db = await languages._conn()
    async with db.execute("PRAGMA journal_mode") as cursor:
        assert (await cursor.fetchone())[0] == "wal"
    for store in (languages, profiles, feedback):
        await store.close()
