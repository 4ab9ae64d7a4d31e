"""Fixtures for the bot tests: a recording bot and a dispatcher over fake services."""

from __future__ import annotations

import os

# The e2e tests load the real embedding model; never reach out to the Hub from tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import shutil
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.app import create_dispatcher
from tests.conftest import CORPUS
from tests.support.fakes import (
    UPLOAD_LIMIT,
    FakeAnswerService,
    FakeCatalog,
    FakeIndexer,
    FakeServices,
    make_postings,
    make_settings,
)
from tests.support.hash_embeddings import HashEmbeddings
from tests.support.mocked_bot import MockedBot


@pytest.fixture
def real(tmp_path: Path) -> Any:
    """Real services over a copy of the corpus, with hashed embeddings and uploads up to
    `UPLOAD_LIMIT` bytes."""
    from retrieval.services import build_services

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = make_settings(data_dir=tmp_path / "data", corpus_dir=corpus,
                             max_upload_bytes=UPLOAD_LIMIT)
    return build_services(settings, embeddings=HashEmbeddings())  # type: ignore[arg-type]


@pytest.fixture
async def rdp(real: Any) -> Any:
    """A dispatcher over `real`."""
    dp = create_dispatcher(real)
    yield dp
    # With the workflow data, as polling does: discards pending uploads' temporary files and
    # closes the stores (an open SQLite connection's thread would keep the process alive).
    await dp.emit_shutdown(**dp.workflow_data)


@pytest.fixture
def services() -> FakeServices:
    return FakeServices(
        settings=make_settings(), catalog=FakeCatalog(make_postings(3)),
        answers=FakeAnswerService(), indexer=FakeIndexer(),
    )


@pytest.fixture
def bot() -> MockedBot:
    return MockedBot()


@pytest.fixture
def dp(services: FakeServices) -> Dispatcher:
    return create_dispatcher(services)  # type: ignore[arg-type]
