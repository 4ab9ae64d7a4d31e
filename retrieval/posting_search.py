"""`PostingSearch`: postings matching a few typed words, for Telegram's inline mode.

Inline queries arrive as the user types ("@bot nor", "@bot norm", "@bot normes") and must be
answered within seconds, so this is a lexical match over each posting's names (title,
department, unit, duty station, grade, organisation, post number, acronyms, supervisor) and,
less, its body — no embedding call. A word matches a name word it is a prefix of, so
half-typed words already find their posting. Every word must match (names or body); when no
posting matches them all, the postings matching most of them come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from retrieval.models import Posting
from retrieval.parsing.values import MONTHS
from retrieval.text import STOPWORDS, words

NAME_WEIGHT = 3.0
PREFIX_WEIGHT = 2.0
BODY_WEIGHT = 1.0
MIN_PREFIX = 2  # shorter half-words match too much


class Catalog(Protocol):
    def all(self) -> list[Posting]: ...


@dataclass(frozen=True)
class _Terms:
    names: frozenset[str]
    body: frozenset[str]


def _names(p: Posting) -> str:
    return " ".join([p.title, p.department, p.unit, p.duty_station, p.grade, p.organisation,
                     p.post_number, p.supervisor.name, *p.acronyms, *p.acronyms.values()])


def issue_order(p: Posting) -> tuple[int, int]:
    """(year, month) of issue, (0, 0) when not stated: newest first sorts by it descending."""
    year = int(p.year_of_issue) if p.year_of_issue.isdigit() else 0
    month_word = next(iter(words(p.month_of_issue)), "")
    month = MONTHS.index(month_word) + 1 if month_word in MONTHS else 0
    return year, month


class PostingSearch:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # Folded words per posting version; a reindex brings new content hashes.
        self._terms: dict[tuple[str, str], _Terms] = {}

    def _terms_of(self, p: Posting) -> _Terms:
        key = (p.id, p.content_hash)
        terms = self._terms.get(key)
        if terms is None:
            terms = _Terms(frozenset(words(_names(p))), frozenset(words(p.text)))
            self._terms[key] = terms
        return terms

    def newest(self, limit: int | None = None) -> list[Posting]:
        postings = sorted(self.catalog.all(), key=issue_order, reverse=True)
        return postings[:limit] if limit is not None else postings

    def search(self, query: str, limit: int | None = None) -> list[Posting]:
        """The postings matching `query`, best first; the newest when it has no words."""
        query_words = [w for w in words(query) if w not in STOPWORDS] or words(query)
        if not query_words:
            return self.newest(limit)
        scored: list[tuple[int, float, tuple[int, int], Posting]] = []
        for p in self.catalog.all():
            terms = self._terms_of(p)
            matched, score = 0, 0.0
            for word in query_words:
                weight = self._weight(word, terms)
                matched += weight > 0
                score += weight
            if matched:
                scored.append((matched, score, issue_order(p), p))
        scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
        if scored and scored[0][0] == len(query_words):
            scored = [s for s in scored if s[0] == len(query_words)]
        found = [s[3] for s in scored]
        return found[:limit] if limit is not None else found

    @staticmethod
    def _weight(word: str, terms: _Terms) -> float:
        if word in terms.names:
            return NAME_WEIGHT
        if len(word) >= MIN_PREFIX and any(n.startswith(word) for n in terms.names):
            return PREFIX_WEIGHT
        if word in terms.body:
            return BODY_WEIGHT
        return 0.0
