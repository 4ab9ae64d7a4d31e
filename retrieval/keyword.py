"""BM25 keyword search over chunks, vectorised with scikit-learn's sparse counts.

rank-bm25 scores every document in a Python loop per query term; on 10,000 postings
(~200,000 chunks) that is too slow per question, so the same Okapi BM25 formula is computed
here on a sparse term matrix (one sparse column slice per query term).
"""

from __future__ import annotations

import numpy as np
from langchain_core.documents import Document
from sklearn.feature_extraction.text import CountVectorizer

from retrieval.text import tokens


class BM25Index:
    def __init__(self, docs: list[Document], k1: float = 1.5, b: float = 0.75) -> None:
        self.docs = docs
        self.k1, self.b = k1, b
        self._posting_rows: dict[str, np.ndarray] = {}
        if not docs:
            self._matrix = None
            return
        # Chunks repeat texts (boilerplate sections of many postings): each distinct text is
        # tokenised once.
        memo: dict[str, list[str]] = {}

        def analyse(text: str) -> list[str]:
            found = memo.get(text)
            if found is None:
                found = memo[text] = tokens(text)
            return found

        vectorizer = CountVectorizer(analyzer=analyse)
        counts = vectorizer.fit_transform(
            [f"{d.metadata.get('section_label', '')} {d.page_content}" for d in docs]
        ).tocsc().astype(np.float32)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        avg = float(lengths.mean()) or 1.0
        df = np.diff(counts.indptr)
        n = counts.shape[0]
        self._idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        self._norm = (k1 * (1 - b + b * lengths / avg)).astype(np.float32)
        self._matrix = counts
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_  # the memo is not kept
        rows: dict[str, list[int]] = {}
        for i, d in enumerate(docs):
            rows.setdefault(str(d.metadata.get("posting_id", "")), []).append(i)
        self._posting_rows = {k: np.array(v) for k, v in rows.items()}

    def scores(self, query: str) -> np.ndarray:
        if self._matrix is None:
            return np.zeros(0, dtype=np.float32)
        vocab = self._vocabulary
        result = np.zeros(self._matrix.shape[0], dtype=np.float32)
        for term in set(tokens(query)):
            col = vocab.get(term)
            if col is None:
                continue
            start, end = self._matrix.indptr[col], self._matrix.indptr[col + 1]
            rows = self._matrix.indices[start:end]
            tf = self._matrix.data[start:end]
            result[rows] += self._idf[col] * tf * (self.k1 + 1) / (tf + self._norm[rows])
        return result

    def search(self, query: str, k: int,
               posting_ids: list[str] | None = None) -> list[tuple[Document, float]]:
        scores = self.scores(query)
        if scores.size == 0:
            return []
        if posting_ids:
            allowed = [self._posting_rows[p] for p in posting_ids if p in self._posting_rows]
            candidates = np.concatenate(allowed) if allowed else np.array([], dtype=int)
        else:
            candidates = np.flatnonzero(scores)
        if candidates.size == 0:
            return []
        cand_scores = scores[candidates]
        top = candidates[np.argsort(-cand_scores, kind="stable")[:k]]
        return [(self.docs[i], float(scores[i])) for i in top if scores[i] > 0]

    def term_document_frequency(self, term: str) -> int:
        if self._matrix is None:
            return 0
        col = self._vocabulary.get(term)
        return 0 if col is None else int(self._matrix.indptr[col + 1] - self._matrix.indptr[col])


