"""Shared fixtures: one real index over the corpus, built once per test session."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import threading
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import pytest

from tests.servers import (  # noqa: F401  (fixtures)
    chroma_server,
    create_postgres_database,
    postgres_server,
    redis_server,
    redis_url,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).parent / "data"
EXTRA_POSTINGS = DATA / "postings"
# Copies of ../shared/eval (the gold sets the product is scored on), so that a clone of this
# repository alone tests everything; tests/retrieval/test_cli_and_eval.py checks they still
# match the originals when ../shared is there.
SHARED_EVAL = ROOT.parent / "shared" / "eval"
DEV_GOLD = DATA / "dev.jsonl"
NATURAL_GOLD = DATA / "dev_natural.jsonl"
MULTI_GOLD = DATA / "dev_multi.jsonl"
UNSEEN_GOLD = DATA / "dev_unseen.jsonl"
UNSEEN_POSTINGS = DATA / "unseen_postings"  # the two postings dev_unseen.jsonl asks about
EXTRA_GOLD = DATA / "gold_extra.jsonl"
FR_ES_GOLD = DATA / "gold_fr_es.jsonl"
DE_GOLD = DATA / "gold_de.jsonl"


@pytest.fixture(scope="session")
def shared_embeddings():
    """The offline MiniLM model, loaded once for every test that needs vectors."""
    from retrieval.embeddings import build_embeddings
    from retrieval.settings import Settings

    return build_embeddings(Settings())


@pytest.fixture(params=["sqlite", "postgresql"])
def state_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a state store keeps its data: an SQLite file (the default), then a fresh
    database on a real PostgreSQL server (JPO_STATE_DB_URL)."""
    if request.param == "sqlite":
        return tmp_path / "state" / "state.sqlite3"  # the directory is created on use
    return create_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="session")
def indexed_services(tmp_path_factory: pytest.TempPathFactory, shared_embeddings):
    """Real services over a copy of the corpus, indexed in a temporary data directory."""
    from retrieval.services import build_services
    from retrieval.settings import Settings

    base = tmp_path_factory.mktemp("indexed")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(data_dir=base / "data", corpus_dir=corpus, admin_ids=[1])
    services = build_services(settings, embeddings=shared_embeddings)
    services.warm_up()
    yield services
    asyncio.run(services.aclose())


# ---- no test may leave a thread that keeps the process alive ---------------------------------
# A non-daemon thread still running when the session ends (an unclosed database driver thread, a
# server thread never stopped) makes Python wait for it forever after pytest has printed its
# summary: CI then hangs until its time limit instead of failing. Each such thread is traced to
# the test after which it first appeared, and the session fails naming it.

_THREAD_ORIGINS: dict[int, str] = {}
THREAD_GRACE_SECONDS = 10.0


def _lingering_threads() -> list[threading.Thread]:
    # Idle executor workers are told to stop and joined by Python's own exit hook: harmless.
    return [t for t in threading.enumerate()
            if t.is_alive() and not t.daemon and t is not threading.main_thread()
            and getattr(getattr(t, "_target", None), "__module__", "")
            != "concurrent.futures.thread"]


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    for thread in _lingering_threads():
        _THREAD_ORIGINS.setdefault(thread.ident or 0, nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    lingering = _lingering_threads()
    for thread in lingering:
        thread.join(THREAD_GRACE_SECONDS / max(len(lingering), 1))
    lingering = [t for t in lingering if t.is_alive()]
    if not lingering:
        return
    for thread in lingering:
        origin = _THREAD_ORIGINS.get(thread.ident or 0, "session start-up")
        print(f"\nERROR: non-daemon thread {thread.name!r} still running; first seen after "
              f"{origin}", file=sys.stderr)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    session.config.stash[_EXIT_NOW] = True


_EXIT_NOW = pytest.StashKey[bool]()


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_EXIT_NOW, False):
        # The interpreter would wait for those threads forever: leave without them.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(pytest.ExitCode.TESTS_FAILED))
