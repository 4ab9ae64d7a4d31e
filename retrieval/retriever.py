"""Hybrid retrieval: BM25 and vector search fused by reciprocal rank, as a LangChain retriever."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.store import IndexSnapshot, IndexStore


def reciprocal_rank_fusion(rankings: list[list[Document]], k: int = 60,
                           weights: list[float] | None = None) -> list[tuple[Document, float]]:
    """Fuse ranked lists: score(d) = Σ w / (k + rank)."""
    scores: dict[str, float] = {}
    by_id: dict[str, Document] = {}
    for n, ranking in enumerate(rankings):
        w = weights[n] if weights else 1.0
        for rank, doc in enumerate(ranking, start=1):
            key = str(doc.id)
            by_id.setdefault(key, doc)
            scores[key] = scores.get(key, 0.0) + w / (k + rank)
    ordered = sorted(scores.items(), key=lambda kv: -kv[1])
    return [(by_id[key], score) for key, score in ordered]


class HybridRetriever(BaseRetriever):
    """BM25 + vector search over the active index, optionally restricted to some postings.

    `posting_ids` restricts the search (set per call through `with_postings`); each returned
    document carries its fused score in `metadata["score"]`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: IndexStore
    k: int = 6
    rrf_k: int = 60
    candidates: int = 20
    posting_ids: list[str] | None = None
    snapshot: IndexSnapshot | None = None

    def with_postings(self, posting_ids: list[str] | None,
                      snapshot: IndexSnapshot | None = None,
                      k: int | None = None) -> HybridRetriever:
        """A copy restricted to `posting_ids` (all postings when None), on `snapshot`,
        returning `k` documents (this retriever's `k` when None)."""
        update: dict[str, object] = {"posting_ids": posting_ids or None, "snapshot": snapshot}
        if k is not None:
            update["k"] = k
            update["candidates"] = max(self.candidates, k)
        return self.model_copy(update=update)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        snap = self.snapshot or self.store.snapshot()
        keyword = [d for d, _ in snap.bm25.search(query, self.candidates, self.posting_ids)]
        vector = [d for d, _ in self.store.vector_search(snap, query, self.candidates,
                                                         self.posting_ids)]
        fused = reciprocal_rank_fusion([keyword, vector], k=self.rrf_k)
        out: list[Document] = []
        for doc, score in fused[: self.k]:
            out.append(Document(page_content=doc.page_content, id=doc.id,
                                metadata={**doc.metadata, "score": round(score, 5)}))
        return out
