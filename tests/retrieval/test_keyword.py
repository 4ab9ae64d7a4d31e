"""The sparse BM25 agrees with rank-bm25's reference implementation."""

from __future__ import annotations

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from retrieval.keyword import BM25Index
from retrieval.text import tokens


@pytest.mark.parametrize("query", [
    "supervisor e-mail", "domestic workers", "copyright laws", "Excel Powerpoint",
    "SRM TWG recommendations", "due diligence legislation", "UNESCO collaboration",
])
def test_ranking_matches_rank_bm25(indexed_services, query: str) -> None:
    chunks = indexed_services.store.snapshot().chunks
    ours = BM25Index(chunks)
    corpus = [tokens(f"{d.metadata.get('section_label', '')} {d.page_content}") for d in chunks]
    reference = BM25Okapi(corpus).get_scores(tokens(query))
    mine = ours.scores(query)
    # Same formula except the idf variant (Lucene's log(1 + …) never goes negative), so the
    # best chunks are the same and the orderings correlate strongly.
    assert int(np.argmax(mine)) == int(np.argmax(reference))
    top = np.argsort(-reference)[:10]
    assert np.corrcoef(mine[top], reference[top])[0, 1] > 0.9


def test_restriction_and_empty_index(indexed_services) -> None:
    chunks = indexed_services.store.snapshot().chunks
    index = BM25Index(chunks)
    hits = index.search("languages", 5, posting_ids=["002_bd34980e9eece061"])
    assert hits and all(d.metadata["posting_id"] == "002_bd34980e9eece061" for d, _ in hits)
    assert BM25Index([]).search("anything", 5) == []
