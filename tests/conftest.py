"""Shared fixtures: one real index over the corpus, built once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EXTRA_POSTINGS = Path(__file__).parent / "data" / "postings"
DEV_GOLD = ROOT.parent / "shared" / "eval" / "dev.jsonl"
EXTRA_GOLD = Path(__file__).parent / "data" / "gold_extra.jsonl"
FR_ES_GOLD = Path(__file__).parent / "data" / "gold_fr_es.jsonl"


@pytest.fixture(scope="session")
def shared_embeddings():
    """The offline MiniLM model, loaded once for every test that needs vectors."""
    from retrieval.embeddings import build_embeddings
    from retrieval.settings import Settings

    return build_embeddings(Settings())


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
    return services
