"""The state stores' shared database handling (state/database.py): URLs, no connection or
worker thread outliving `close()` or a failed schema set-up, one engine however many first
requests race, and the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, Table
from sqlalchemy.exc import SQLAlchemyError

from retrieval.services import build_services
from retrieval.settings import Settings
from state.database import SqlStore, database_url
from state.feedback import FeedbackStore
from state.preferences import LanguageStore
from state.profiles import ProfileStore
from tests.servers import table_rows


def worker_threads() -> int:
    # the stores' own executor threads
    return sum(1 for t in threading.enumerate() if t.is_alive() and t.name.startswith("state-db"))


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

    def _setup(self, conn: Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE broken (")


def test_database_urls() -> None:
    assert database_url(Path("/srv/state.sqlite3")) == "sqlite:////srv/state.sqlite3"
    assert database_url("/srv/state.sqlite3") == "sqlite:////srv/state.sqlite3"
    assert database_url("postgresql://u:p@db:5432/jpo") == "postgresql+psycopg://u:p@db:5432/jpo"
    assert database_url("postgres://db/jpo") == "postgresql+psycopg://db/jpo"
    assert database_url("sqlite:////srv/x.db") == "sqlite:////srv/x.db"
    assert database_url("postgresql+psycopg://db/jpo") == "postgresql+psycopg://db/jpo"


def test_settings_choose_the_database(tmp_path: Path) -> None:
    default = Settings(_env_file=None, data_dir=tmp_path)
    assert default.state_target == tmp_path / "state.sqlite3"
    url = "postgresql://jpo:pw@db/jpo"
    chosen = Settings(_env_file=None, data_dir=tmp_path, state_db_url=url)
    assert chosen.state_target == url
    services = build_services(chosen, ensure_index=False)
    assert {s.url for s in (services.profiles, services.feedback, services.languages)} == {
        "postgresql+psycopg://jpo:pw@db/jpo"}
    assert "pw" not in repr(chosen)  # a secret


async def test_concurrent_first_requests_create_one_engine(state_target: Path | str) -> None:
    store = LanguageStore(state_target)
    await asyncio.gather(*(store.set(i, "fr") for i in range(20)))
    engine = store._engine_
    assert engine is not None
    await asyncio.gather(*(store.get(i) for i in range(20)))
    assert store._engine_ is engine
    await store.close()
    assert store._engine_ is None and store._executor is None


async def test_failed_setup_disposes_of_the_engine(state_target: Path | str) -> None:
    before = worker_threads()
    store = BrokenSetup(state_target)
    with pytest.raises(SQLAlchemyError):
        await store._run(lambda conn: None)
    assert store._engine_ is None
    await store.close()
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
