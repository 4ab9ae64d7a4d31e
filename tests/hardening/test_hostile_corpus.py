"""Hostile corpus files are reported by name and skipped; the good postings are indexed."""

from __future__ import annotations

import shutil
from pathlib import Path

from retrieval.indexer import Indexer
from retrieval.settings import Settings
from retrieval.store import IndexStore
from tests.conftest import CORPUS


def test_hostile_files_are_skipped_by_name(tmp_path: Path, shared_embeddings) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (corpus / "empty.md").write_text("")
    with open(corpus / "huge.txt", "wb") as fh:  # 50 MiB, over the corpus file limit
        fh.truncate(50 * 1024 * 1024)
    (corpus / "no_sections.txt").write_text("Lorem ipsum dolor sit amet. " * 200)
    (corpus / "invalid_utf8.md").write_bytes(b"Title: caf\xe9 \xff\xfe posting\n")
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    (corpus / ".hidden.txt").write_text("ignored")
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus)
    store = IndexStore(settings, shared_embeddings)
    report = Indexer(settings, store).reindex()
    assert report.postings == 5
    skipped = "\n".join(report.skipped)
    for name in ("binary.txt", "empty.md", "huge.txt", "no_sections.txt", "invalid_utf8.md",
                 "broken.docx"):
        assert name in skipped, skipped
    assert "over the limit" in skipped and "binary" in skipped
    assert ".hidden.txt" not in skipped and "image.png" not in skipped
    assert len(store.snapshot(max_age=0).postings) == 5


def test_posting_with_control_characters_and_rtl_text_parses(tmp_path: Path) -> None:
    from retrieval.indexer import parse_file
    from retrieval.parsing import PostingParser

    path = tmp_path / "odd.txt"
    path.write_text(
        "Title: Junior Professional Officer in \u202eشؤون العمل\u202c labour \x07affairs\n"
        "Duty station: Beirut, Lebanon 🇱🇧\nDuration: 12 months\n"
        "Direct Supervision by: Rana Haddad, Specialist, haddad@ilo.org\n"
        "DUTIES AND RESPONSIBILITIES\n- Support 🤝 tripartite dialogue\n"
        "LANGUAGES\nMinimum: Excellent command of English or Arabic.\n")
    posting = parse_file(path, PostingParser())
    assert posting.duty_station.startswith("Beirut")
    assert posting.supervisor.email == "haddad@ilo.org"
    assert posting.duties == ["Support 🤝 tripartite dialogue"]
