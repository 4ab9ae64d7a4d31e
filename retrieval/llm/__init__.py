"""LLM answers through LangChain: grounded in excerpts retrieved on their own, cited,
checked, streamed, and the extractive answer as the fallback.

    model.py      the chat model per provider (openai, ollama, fake) and the one retry policy
    prompts.py    the prompt files, checked at load; user text kept as data
    context.py    what the model is given: excerpts of the asked-about and the best postings,
                  the extractive answer as one labelled excerpt (also measured by `eval`)
    citations.py  excerpts as sources; `[n]` markers mapped to the sources the user sees
    checks.py     safety (prompt echo, injected text) and grounding of the reply's claims
    chain.py      the orchestration: condense, context, call or stream, check, fall back
"""

from retrieval.llm.chain import (
    FACT_INTENTS,
    NOTE_MISMATCH,
    NOTE_UNAVAILABLE,
    NOTE_WITHHELD,
    LLMAnswerer,
    build_llm,
)
from retrieval.llm.citations import map_citations
from retrieval.llm.context import ContextBuilder, LLMContext
from retrieval.llm.model import LLMUnavailableError, build_chat_model

__all__ = [
    "FACT_INTENTS", "NOTE_MISMATCH", "NOTE_UNAVAILABLE", "NOTE_WITHHELD", "ContextBuilder",
    "LLMAnswerer", "LLMContext", "LLMUnavailableError", "build_chat_model", "build_llm",
    "map_citations",
]
