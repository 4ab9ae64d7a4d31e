"""Inline mode's posting search: typed words, half-typed words, newest first."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.loaders import corpus_files, read_text
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from retrieval.posting_search import PostingSearch, issue_order
from retrieval.settings import PROJECT_ROOT
from tests.support.corpus_postings import ListCatalog


@pytest.fixture(scope="module")
def search() -> PostingSearch:
    postings = [PostingParser().parse(read_text(path), path.name)
                for path in corpus_files(Path(PROJECT_ROOT / "corpus"))]
    return PostingSearch(ListCatalog(postings))


def _prefixes(postings: list[Posting]) -> list[str]:
    return [p.id[:3] for p in postings]


@pytest.mark.parametrize(("query", "first"), [
    ("normes", "002"), ("norm", "002"), ("due diligence", "004"), ("artificial", "000"),
    ("creative geneva", "001"), ("vulnerable", "003"), ("2144", "004"), ("Tortell", "002"),
    ("intelligence artificielle", "000"),
])
def test_words_find_their_posting_first(search: PostingSearch, query: str, first: str) -> None:
    assert _prefixes(search.search(query))[0] == first


def test_every_word_must_match_when_some_posting_matches_them_all(search: PostingSearch) -> None:
    assert _prefixes(search.search("diligence geneva")) == ["004"]


def test_empty_query_lists_the_newest_first(search: PostingSearch) -> None:
    newest = search.search("   ")
    assert _prefixes(newest) == ["004", "001", "002", "003", "000"]  # 000 states no date
    assert [issue_order(p) for p in newest][:2] == [(2025, 1), (2024, 9)]
    assert len(search.search("", limit=2)) == 2


def test_nothing_matching_finds_nothing(search: PostingSearch) -> None:
    assert search.search("zzzqx") == []
