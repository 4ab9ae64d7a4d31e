"""Fixtures for the bot tests: a recording bot and a dispatcher over fake services, and for
the upload tests real services and a dispatcher over a copy of the corpus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher

from bot.app import create_dispatcher
from tests.support.fakes import FakeServices, corpus_copy_settings, fake_services
from tests.support.hash_embeddings import HashEmbeddings
from tests.support.mocked_bot import MockedBot

UPLOAD_LIMIT = 200_000  # the `real` services' max_upload_bytes


@pytest.fixture
def services() -> FakeServices:
    return fake_services()


@pytest.fixture
def bot() -> MockedBot:
    return MockedBot()


@pytest.fixture
def dp(services: FakeServices) -> Dispatcher:
    return create_dispatcher(services)  # type: ignore[arg-type]


@pytest.fixture
def real(tmp_path: Path) -> Any:
    """Real services over a copy of the corpus in tmp_path, vectors from a hashing embedder
    (no model loaded), uploads capped at UPLOAD_LIMIT bytes."""
    from retrieval.services import build_services

    settings = corpus_copy_settings(tmp_path, max_upload_bytes=UPLOAD_LIMIT)
    return build_services(settings, embeddings=HashEmbeddings())  # type: ignore[arg-type]


@pytest.fixture
async def rdp(real: Any) -> AsyncIterator[Dispatcher]:
    """The dispatcher over `real`; shut down afterwards with the workflow data, as polling
    does: that discards pending uploads' temporary files and closes the stores (an open
    SQLite connection's thread would keep the process alive)."""
    dp = create_dispatcher(real)
    yield dp
    await dp.emit_shutdown(**dp.workflow_data)
