"""The state stores' shared database handling (retrieval/state_db.py): URLs, no connection
(and so, with SQLite, no worker thread that keeps Python from exiting) outliving `close()`, a
failed schema set-up or a race, and the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from retrieval.feedback import FeedbackStore
from retrieval.preferences import LanguageStore
from retrieval.profiles import ProfileStore
from retrieval.services import build_services
from retrieval.settings import Settings
from retrieval.state_db import SqlStore, database_url
from tests.servers import table_rows


def worker_threads() -> int:
    # aiosqlite runs each SQLite connection on a thread of this name
    return sum(1 for t in threading.enumerate()
               if t.is_alive() and "_connection_worker_thread" in t.name)


async def settled(expected: int) -> int:
    """Worker threads stop right after a close; give them a moment."""
    for _ in range(100):
        if worker_threads() == expected:
            break
        await asyncio.sleep(0.01)
    return worker_threads()


class BrokenSetup(SqlStore):
    metadata = MetaData()
    Table("fine", metadata, Column("id", Integer, primary_key=True))

    async def _setup(self, conn: AsyncConnection) -> None:
        await conn.exec_driver_sql("CREATE TABLE broken (")


def test_database_urls() -> None:
    assert database_url(Path("/srv/state.sqlite3")) == "sqlite+aiosqlite:////srv/state.sqlite3"
    assert database_url("/srv/state.sqlite3") == "sqlite+aiosqlite:////srv/state.sqlite3"
    assert database_url("postgresql://u:p@db:5432/jpo") == "postgresql+asyncpg://u:p@db:5432/jpo"
    assert database_url("postgres://db/jpo") == "postgresql+asyncpg://db/jpo"
    assert database_url("sqlite:////srv/x.db") == "sqlite+aiosqlite:////srv/x.db"
    assert database_url("postgresql+asyncpg://db/jpo") == "postgresql+asyncpg://db/jpo"


def test_settings_choose_the_database(tmp_path: Path) -> None:
    default = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert default.state_target == tmp_path / "state.sqlite3"
    url = "postgresql://jpo:pw@db/jpo"
    chosen = Settings(_env_file=None, data_dir=tmp_path, state_db_url=url)  # type: ignore[call-arg]
    assert chosen.state_target == url
    services = build_services(chosen, ensure_index=False)
    assert {s.url for s in (services.profiles, services.feedback, services.languages)} == {
        "postgresql+asyncpg://jpo:pw@db/jpo"}
    assert "pw" not in repr(chosen)  # a secret


async def test_close_racing_the_first_open_leaves_no_connection(tmp_path: Path) -> None:
    before = worker_threads()
    store = LanguageStore(tmp_path / "state.sqlite3")
    opening = asyncio.create_task(store._engine())
    await asyncio.sleep(0)  # the engine is being created, under the lock
    await asyncio.gather(opening, store.close())
    assert store._engine_ is None
    assert await settled(before) == before


async def test_failed_setup_disposes_of_the_engine(state_target: Path | str) -> None:
    before = worker_threads()
    store = BrokenSetup(state_target)
    with pytest.raises(SQLAlchemyError):
        await store._engine()
    assert store._engine_ is None
    assert await settled(before) == before


async def test_every_store_reopens_after_close_and_keeps_its_data(
        state_target: Path | str) -> None:
    before = worker_threads()
    languages = LanguageStore(state_target)
    profiles, feedback = ProfileStore(state_target), FeedbackStore(state_target)
    await languages.set(7, "es")
    await languages.set(7, "fr")  # an upsert, not a second row
    await languages.set(2**40, "en")  # Telegram ids outgrow 32 bits
    for store in (languages, profiles, feedback):
        await store.close()
        await store.close()  # twice is harmless
    assert await languages.get(7) == "fr"
    assert await languages.get(2**40) == "en"
    assert (await feedback.stats()).questions_total == 0
    assert await profiles.get(7) is None
    assert await languages.delete(7) is True
    assert await languages.delete(7) is False
    if languages.backend == "sqlite":
        assert await table_rows(languages, "PRAGMA journal_mode") == [("wal",)]
    for store in (languages, profiles, feedback):
        await store.close()
    assert await settled(before) == before
