"""How close in meaning a question is to candidate sentences, with the embedding model the index
already uses: keyword overlap finds candidates, meaning orders them ("how often do I meet my
supervisor?" → "Regular meetings … every 2 weeks", not any sentence that says "meetings")."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from langchain_core.embeddings import Embeddings


class SentenceSimilarity:
    """Cosine similarity of a question to sentences. Sentence vectors are cached by text (a
    posting's sentences come back question after question) up to `max_cached`, least recently
    used first out; the cache is kept across index switches since it is keyed by text."""

    def __init__(self, embeddings: Embeddings, max_cached: int = 20_000) -> None:
        self._embeddings = embeddings
        self._max = max_cached
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query: tuple[str, np.ndarray] | None = None

    def scores(self, question: str, sentences: list[str]) -> list[float]:
        if not sentences:
            return []
        query = self._query_vector(question)
        missing = [s for s in dict.fromkeys(sentences) if s not in self._vectors]
        if missing:
            for text, vector in zip(missing, self._embeddings.embed_documents(missing),
                                    strict=True):
                self._vectors[text] = _unit(vector)
        out = []
        for s in sentences:
            self._vectors.move_to_end(s)
            out.append(float(self._vectors[s] @ query))
        while len(self._vectors) > self._max:
            self._vectors.popitem(last=False)
        return out

    def _query_vector(self, question: str) -> np.ndarray:
        if self._query is None or self._query[0] != question:
            self._query = (question, _unit(self._embeddings.embed_query(question)))
        return self._query[1]


def _unit(vector: list[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v
