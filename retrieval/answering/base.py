"""What the answerer's parts share: the snapshot state `ExtractiveAnswerer.__init__` sets and
the methods one part calls on another.

The answerer is one class made of parts (fields, corpus-wide, not-stated, sentences), each a
mix-in in its own module. Declaring the shared attributes and the cross-part methods here once
lets the type checker follow every `self.…` a part uses without the parts importing each other.
The method declarations exist for the type checker only; the real ones are in the parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval.answering.posting_words import PostingWords
    from retrieval.answering.premises import Premises
    from retrieval.answering.sentences import Sentence
    from retrieval.answering.similarity import SentenceSimilarity
    from retrieval.eligibility import EligibilityChecker
    from retrieval.models import Answer, Citation, Posting
    from retrieval.retriever import HybridRetriever
    from retrieval.store import IndexSnapshot
    from retrieval.understanding import Query


class AnswererBase:
    """State and cross-part methods of `ExtractiveAnswerer`, declared once."""

    snap: IndexSnapshot
    postings: list[Posting]
    retriever: HybridRetriever
    eligibility: EligibilityChecker
    similarity: SentenceSimilarity | None
    premises: Premises
    # Per-snapshot caches (see `ExtractiveAnswerer.__init__`).
    _words: PostingWords | None
    _sentences: dict[str, list[tuple[str, list[Sentence]]]]
    _sentences_of_text: dict[str, list[Sentence]]
    _folded_texts: dict[str, bytes]

    if TYPE_CHECKING:
        def _field(self, q: Query, p: Posting, intent: str,
                   f: dict[str, str]) -> tuple[str, list[Citation], bool]: ...

        def _several(self, q: Query, posts: list[Posting]) -> Answer: ...

        def _not_stated(self, q: Query, posts: list[Posting]) -> Answer: ...

        def _general(self, q: Query, p: Posting | None,
                     f: dict[str, str]) -> tuple[str, list[Citation], bool]: ...

        def _finer(self, q: Query, p: Posting, answered: str,
                   intents: list[str]) -> tuple[list[str], list[Citation]]: ...

        def _weights(self, q: Query, skip: set[str], *,
                     unknown: bool = False) -> dict[str, float]: ...

        def _posting_sentences(self, p: Posting) -> list[tuple[str, list[Sentence]]]: ...

        def _folded_text(self, p: Posting) -> bytes: ...
