"""Indexing: content hashes, incremental re-embedding, validation, unreadable files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval.indexer import IndexBuildError, Indexer, ReindexBusy
from retrieval.settings import Settings
from retrieval.store import IndexMismatchError, IndexStore
from tests.conftest import CORPUS, EXTRA_POSTINGS


class CountingEmbeddings:
    """Wraps the real model and counts what it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.documents = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture
def workspace(tmp_path: Path, shared_embeddings):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    embeddings = CountingEmbeddings(shared_embeddings)
    store = IndexStore(settings, embeddings)  # type: ignore[arg-type]
    return settings, store, Indexer(settings, store), embeddings, corpus


def test_build_then_unchanged_reembeds_nothing(workspace) -> None:
    _settings, store, indexer, embeddings, _corpus = workspace
    first = indexer.reindex()
    assert first.postings == 5 and first.chunks > 5 * 15
    assert first.embedded == embeddings.documents > 0
    assert len(first.added) == 5 and not first.updated and not first.removed
    before = store.pointer()["active"]
    second = indexer.reindex()
    assert second.unchanged and second.embedded == 0
    assert embeddings.documents == first.embedded  # nothing re-embedded
    assert store.pointer()["active"] == before


def test_changed_added_removed_and_broken_files(workspace) -> None:
    _settings, store, indexer, embeddings, corpus = workspace
    indexer.reindex()
    embedded_before = embeddings.documents
    target = corpus / "002_bd34980e9eece061.txt"
    target.write_text(target.read_text().replace("Lisa Tortell", "Maria Example"))
    (corpus / "000_6199014678cf9c64.txt").unlink()
    shutil.copy(EXTRA_POSTINGS / "plain_caps_youth.txt", corpus / "plain_caps_youth.txt")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (corpus / "notes.txt").write_text("Shopping list: milk, eggs, bread.")
    report = indexer.reindex()
    assert report.updated == ["002_bd34980e9eece061"]
    assert report.removed == ["000_6199014678cf9c64"]
    assert report.added == ["plain_caps_youth"]
    assert len(report.skipped) == 2
    assert any("broken.pdf" in s for s in report.skipped)
    assert any("notes.txt" in s and "no posting sections" in s for s in report.skipped)
    # Only the new posting's chunks and the edited supervision/summary chunks were embedded.
    assert 0 < embeddings.documents - embedded_before < 25
    snap = store.snapshot(max_age=0)
    assert snap.by_id["002_bd34980e9eece061"].supervisor.name == "Maria Example"
    assert "000_6199014678cf9c64" not in snap.by_id
    assert report.postings == 5


def test_failed_build_keeps_old_index(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings, store, indexer, _emb, corpus = workspace
    indexer.reindex()
    old = store.pointer()["active"]
    (corpus / "003_7dab671c5908fb3f.txt").write_text(
        (corpus / "003_7dab671c5908fb3f.txt").read_text() + "\nMore background text.")

    def broken_validate(*_a: object, **_k: object) -> None:
        raise IndexBuildError("probe query found nothing")

    monkeypatch.setattr(indexer, "_validate", broken_validate)
    with pytest.raises(IndexBuildError):
        indexer.reindex()
    assert store.pointer()["active"] == old
    assert len(store.snapshot(max_age=0).postings) == 5
    names = [c.name for c in store.client.list_collections()]
    assert sum(n.startswith("postings-g") for n in names) == 1  # the half-built one is gone


def test_empty_corpus_is_refused(workspace) -> None:
    _settings, store, indexer, _emb, corpus = workspace
    indexer.reindex()
    for f in corpus.iterdir():
        f.unlink()
    with pytest.raises(IndexBuildError):
        indexer.reindex()
    assert len(store.snapshot(max_age=0).postings) == 5


def test_second_reindex_while_running_is_refused(workspace) -> None:
    *_rest, indexer, _emb, _corpus = workspace
    indexer._lock.acquire()
    try:
        with pytest.raises(ReindexBusy):
            indexer.reindex()
    finally:
        indexer._lock.release()


def test_index_built_with_other_embeddings_is_refused(workspace) -> None:
    settings, store, indexer, *_ = workspace
    indexer.reindex()
    other = IndexStore(settings.model_copy(update={"embeddings_model": "other-model"}),
                       store.embeddings)
    with pytest.raises(IndexMismatchError, match="reindex"):
        other.snapshot()


def test_chunks_carry_metadata(indexed_services) -> None:
    snap = indexed_services.store.snapshot()
    sections = {d.metadata["section"] for d in snap.chunks}
    assert {"summary", "supervision", "duties", "education.minimum", "languages.desirable",
            "learning", "background"} <= sections
    for d in snap.chunks:
        assert d.metadata["posting_id"] and d.metadata["title"] and d.metadata["section_label"]
        assert len(d.page_content) <= 900 or d.metadata["section"] == "summary"
    summaries = [d for d in snap.chunks if d.metadata["kind"] == "summary"]
    assert len(summaries) == 5


# ---- one posting at a time: add_file / remove_posting -------------------------------------------


def test_add_file_embeds_only_the_new_posting(workspace, tmp_path: Path) -> None:
    from retrieval.indexer import posting_filename

    _settings, store, indexer, embeddings, corpus = workspace
    indexer.reindex()
    embedded_before = embeddings.documents
    upload = tmp_path / "incoming" / "upload.md"
    upload.parent.mkdir()
    shutil.copy(EXTRA_POSTINGS / "field_office_bangkok.md", upload)
    posting = indexer.check_file(upload, "Bangkok (final).md")
    report = indexer.add_file(upload, "Bangkok (final).md")
    assert report.added == [posting.id] and not report.updated and not report.removed
    assert report.embedded == embeddings.documents - embedded_before
    new_chunks = [d for d in store.snapshot(max_age=0).chunks
                  if d.metadata["posting_id"] == posting.id]
    assert 0 < report.embedded <= len(new_chunks)  # nothing else was re-embedded
    assert posting.source == posting_filename(posting, ".md")
    assert posting.source.startswith("post-3101-labour-migration-governance-")
    assert (corpus / posting.source).read_bytes() == upload.read_bytes()
    assert posting.id in store.snapshot(max_age=0).by_id


def test_add_file_refuses_duplicates_and_non_postings(workspace, tmp_path: Path) -> None:
    from retrieval.indexer import UploadRejected

    _settings, _store, indexer, _emb, corpus = workspace
    indexer.reindex()
    before = sorted(p.name for p in corpus.iterdir())
    dup = tmp_path / "upload.txt"
    shutil.copy(corpus / "004_3c479a0523126fec.txt", dup)
    with pytest.raises(UploadRejected, match=r"due\.txt: the same posting .* 004_3c479a0523126fec"):
        indexer.add_file(dup, "due.txt")
    dup.write_text((corpus / "004_3c479a0523126fec.txt").read_text() + "\nAn extra line.\n")
    with pytest.raises(UploadRejected, match="post number 2144 is already used by 004_"):
        indexer.add_file(dup, "due v2.txt")
    dup.write_text("Shopping list: milk, eggs, bread.")
    with pytest.raises(UploadRejected, match=r"list\.txt: no posting sections"):
        indexer.add_file(dup, "list.txt")
    assert sorted(p.name for p in corpus.iterdir()) == before


def test_add_file_failing_reindex_takes_the_file_back(workspace, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _settings, store, indexer, _emb, corpus = workspace
    indexer.reindex()
    old = store.pointer()["active"]
    before = sorted(p.name for p in corpus.iterdir())

    def broken_validate(*_a: object, **_k: object) -> None:
        raise IndexBuildError("probe query found nothing")

    monkeypatch.setattr(indexer, "_validate", broken_validate)
    upload = tmp_path / "upload.txt"
    shutil.copy(EXTRA_POSTINGS / "plain_caps_youth.txt", upload)
    with pytest.raises(IndexBuildError):
        indexer.add_file(upload)
    assert sorted(p.name for p in corpus.iterdir()) == before
    assert store.pointer()["active"] == old


def test_remove_posting(workspace) -> None:
    from retrieval.indexer import UnknownPosting

    _settings, store, indexer, embeddings, corpus = workspace
    indexer.reindex()
    embedded_before = embeddings.documents
    report = indexer.remove_posting("003_7dab671c5908fb3f")
    assert report.removed == ["003_7dab671c5908fb3f"] and report.embedded == 0
    assert embeddings.documents == embedded_before
    assert not (corpus / "003_7dab671c5908fb3f.txt").exists()
    assert not list(corpus.glob(".*"))
    assert "003_7dab671c5908fb3f" not in store.snapshot(max_age=0).by_id
    with pytest.raises(UnknownPosting):
        indexer.remove_posting("003_7dab671c5908fb3f")
    with pytest.raises(UnknownPosting):
        indexer.remove_posting("../corpus/004_3c479a0523126fec")


def test_removing_the_last_posting_is_refused(workspace) -> None:
    _settings, store, indexer, _emb, corpus = workspace
    for path in sorted(corpus.iterdir())[1:]:
        path.unlink()
    indexer.reindex()
    (only,) = corpus.iterdir()
    with pytest.raises(IndexBuildError, match="no postings"):
        indexer.remove_posting(only.stem)
    assert only.exists() and len(store.snapshot(max_age=0).postings) == 1


def test_single_file_changes_wait_for_a_running_reindex(workspace, tmp_path: Path) -> None:
    *_rest, indexer, _emb, _corpus = workspace
    indexer._lock.acquire()
    try:
        with pytest.raises(ReindexBusy):
            indexer.add_file(tmp_path / "x.md")
        with pytest.raises(ReindexBusy):
            indexer.remove_posting("003_7dab671c5908fb3f")
    finally:
        indexer._lock.release()
