"""Fixtures for the bot tests: a recording bot and a dispatcher over fake services."""

from __future__ import annotations

import os

# The e2e tests load the real embedding model; never reach out to the Hub from tests.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import pytest
from aiogram import Dispatcher

from bot.app import create_dispatcher
from tests.support.fakes import (
    FakeAnswerService,
    FakeCatalog,
    FakeIndexer,
    FakeServices,
    make_postings,
    make_settings,
)
from tests.support.mocked_bot import MockedBot


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
