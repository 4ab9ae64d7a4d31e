"""The ILO postings in corpus/ parsed the way the eligibility and comparison tests read them,
and a catalog over any list of postings for the checker, the comparer and the search."""

from __future__ import annotations

from pathlib import Path

from retrieval.models import Posting
from retrieval.parsing import PostingParser

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


class ListCatalog:
    """A catalog (`all`, `get`) over a fixed list of postings."""

    def __init__(self, postings: list[Posting]) -> None:
        self._postings = postings

    def all(self) -> list[Posting]:
        return list(self._postings)

    def get(self, posting_id: str) -> Posting | None:
        return next((p for p in self._postings if p.id == posting_id), None)


def parse_corpus() -> list[Posting]:
    """The corpus/*.txt postings in file-name order, each parsed with its file stem as id."""
    parser = PostingParser()
    return [parser.parse(f.read_text(encoding="utf-8"), f.stem)
            for f in sorted(CORPUS.glob("*.txt"))]
