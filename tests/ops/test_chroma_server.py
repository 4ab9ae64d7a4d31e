"""Chroma in client/server mode: a real `chroma run` server, two IndexStores ("replicas")
sharing it, indexing, answering and the atomic alias switch."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import chromadb
import pytest

from retrieval.services import Services, build_services
from retrieval.settings import Settings
from retrieval.store import IndexStore
from tests.conftest import CORPUS, EXTRA_POSTINGS

pytestmark = pytest.mark.slow

COLLECTION = "opsjpo"


@pytest.fixture(scope="module")
def server_settings(chroma_server: tuple[str, int], tmp_path_factory: pytest.TempPathFactory
                    ) -> Settings:
    host, port = chroma_server
    base = tmp_path_factory.mktemp("chroma-client")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    return Settings(_env_file=None, data_dir=base / "data", corpus_dir=corpus,
                    chroma_host=host, chroma_port=port, collection=COLLECTION)


@pytest.fixture(scope="module")
def server_services(server_settings: Settings, shared_embeddings: Any) -> Services:
    services = build_services(server_settings, embeddings=shared_embeddings)  # indexes
    services.warm_up()
    return services


def server_collections(settings: Settings) -> set[str]:
    client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port)
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def test_the_index_lives_on_the_server(server_services: Services) -> None:
    settings = server_services.settings
    active = server_services.store.pointer()["active"]
    assert active.startswith(f"{COLLECTION}-g")
    assert {active, f"{COLLECTION}-alias"} <= server_collections(settings)
    assert len(server_services.catalog) == len(list(CORPUS.glob("*.txt")))
    # Nothing was written to an embedded store on local disk.
    assert not settings.chroma_dir.exists()


def test_answers_through_the_server(server_services: Services) -> None:
    answer = server_services.answers.answer(
        "Who supervises the JPO in Standards Policy and Development?", "ops-chroma-1")
    assert "Lisa Tortell" in answer.text
    snap = server_services.store.snapshot()
    hits = server_services.store.vector_search(snap, "supervisor of the post", 3)
    assert len(hits) == 3 and all(-1.0 <= score <= 1.0 for _, score in hits)


def test_replicas_follow_a_reindex(server_services: Services, server_settings: Settings,
                                   shared_embeddings: Any) -> None:
    # A second process would build its own IndexStore against the same server.
    replica = IndexStore(server_settings, shared_embeddings)
    before = replica.snapshot()
    assert before.collection_name == server_services.store.pointer()["active"]

    shutil.copy(EXTRA_POSTINGS / "field_office_bangkok.md", server_settings.corpus_dir)
    report = server_services.indexer.reindex()  # replica A reindexes…
    assert report.added == ["field_office_bangkok"]
    active = server_services.store.pointer()["active"]
    assert active != before.collection_name

    # …replica B keeps its snapshot until its next pointer check (every 5 s by default; the
    # reindex may take longer, so a long max_age stands in for "within the window")…
    assert replica.snapshot(max_age=3600).collection_name == before.collection_name
    # …then follows: same generation, same postings.
    after = replica.snapshot(max_age=0)
    assert after.collection_name == active
    assert [p.id for p in after.postings] == [p.id for p in server_services.catalog.all()]
    assert "field_office_bangkok" in after.by_id
    # The replaced generation is retired, not dropped at once: a question on another replica
    # still holding the old snapshot can finish its vector search.
    collections = {c for c in server_collections(server_settings) if c.startswith(COLLECTION)}
    assert {active, f"{COLLECTION}-alias"} <= collections
    assert collections <= {active, f"{COLLECTION}-alias", before.collection_name}
    assert replica.vector_search(before, "supervisor of the post", 2)

    # A replica started now finds the index and does not rebuild it.
    fresh = build_services(server_settings, embeddings=shared_embeddings)
    assert fresh.store.pointer()["active"] == active
    answer = fresh.answers.answer("Where is the field office posting in Bangkok based?", "o-2")
    assert "Bangkok" in answer.text


def test_settings_pick_the_http_client(server_settings: Settings) -> None:
    store = IndexStore(server_settings)
    assert isinstance(store.client, type(chromadb.HttpClient(
        host=server_settings.chroma_host, port=server_settings.chroma_port)))
    assert Path(server_settings.data_dir).name == "data"
