"""Fixtures of the answer tests: one question at a time, each in a fresh conversation."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def ask(indexed_services):
    conversation = f"test-{uuid.uuid4().hex}"
    return lambda q: indexed_services.answers.answer(q, conversation)
