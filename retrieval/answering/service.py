"""`AnswerService`: the one entry point for questions (memory, extractive answers, optional LLM)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from retrieval.answering.common import frames
from retrieval.answering.conversation import Conversation, ConversationMemory, Turn
from retrieval.answering.extractive import ExtractiveAnswerer
from retrieval.answering.similarity import SentenceSimilarity
from retrieval.conversation_store import ConversationStore
from retrieval.eligibility import EligibilityChecker
from retrieval.models import Answer
from retrieval.retriever import HybridRetriever
from retrieval.settings import Settings
from retrieval.store import IndexSnapshot, IndexStore


class AnswerImprover(Protocol):
    """The optional LLM layer (`retrieval.llm.LLMAnswerer`): rewrites an extractive answer."""

    def improve(self, question: str, conv: Conversation, answer: Answer,
                answerer: ExtractiveAnswerer) -> Answer: ...

    def astream(self, question: str, conv: Conversation, answer: Answer,
                answerer: ExtractiveAnswerer) -> AsyncIterator[str | Answer]: ...


class AnswerService:
    """The one entry point for questions: memory, extractive answers, optional LLM."""

    def __init__(self, settings: Settings, store: IndexStore,
                 eligibility: EligibilityChecker, llm: AnswerImprover | None = None,
                 memory: ConversationStore | None = None) -> None:
        self.settings = settings
        self.store = store
        self.eligibility = eligibility
        self.memory: ConversationStore = (
            memory if memory is not None
            else ConversationMemory(max_turns=settings.conversation_turns))
        self.retriever = HybridRetriever(store=store, k=settings.top_k, rrf_k=settings.rrf_k)
        self.llm = llm
        self._answerer: ExtractiveAnswerer | None = None
        self._similarity: SentenceSimilarity | None = None
        self.on_answer: list[Callable[[str, Answer, float], None]] = []

    def prepare(self, snap: IndexSnapshot) -> None:
        """IndexStore.on_load hook: the answerer of a newly loaded snapshot, caches built."""
        answerer = ExtractiveAnswerer(snap, self.retriever, self.eligibility,
                                      self._sentence_similarity())
        answerer.prepare()
        self.eligibility.warm_up()  # ~2 s the first time in a process, milliseconds after
        for language in ("en", "fr", "es", "de"):
            frames(language)  # the answer templates (a YAML file read on first use)
        self._answerer = answerer

    def warm_up(self) -> None:
        """Build the answerer of the current index now (spelling vocabulary, word frequency
        lists, premises, corpus-wide caches) and what the first profile question would
        compile, not while the first user waits."""
        self._extractive().speller.correct("warm up")
        self.eligibility.warm_up()

    def _sentence_similarity(self) -> SentenceSimilarity:
        """One for the process: its sentence vectors are keyed by text, valid across indexes."""
        if self._similarity is None:
            self._similarity = SentenceSimilarity(self.store.embeddings)
        return self._similarity

    def _extractive(self) -> ExtractiveAnswerer:
        snap = self.store.snapshot()
        if self._answerer is None or self._answerer.snap is not snap:
            # Only when the snapshot was loaded without the on_load hook (tests that build
            # a store by hand): the caches then fill as questions need them.
            self._answerer = ExtractiveAnswerer(snap, self.retriever, self.eligibility,
                                                self._sentence_similarity())
        return self._answerer

    def answer(self, question: str, conversation_id: str = "default") -> Answer:
        started = time.perf_counter()
        question = question.strip()[: self.settings.max_question_chars]
        conv = self.memory.get(conversation_id)
        answerer = self._extractive()
        answer = answerer.answer(question, conv.last_postings, conv.last)
        if self.llm is not None and self._llm_improves(answer):
            answer = self.llm.improve(question, conv, answer, answerer)
        self._answered(conversation_id, question, answer, started)
        return answer

    def draft(self, question: str,
              conversation_id: str = "default") -> tuple[str, Answer, ExtractiveAnswerer]:
        """The extractive answer to a question in a conversation, before any LLM, memory
        unchanged: what the LLM context is built from (retrieval/llm/context.py)."""
        question = question.strip()[: self.settings.max_question_chars]
        answerer = self._extractive()
        conv = self.memory.get(conversation_id)
        return question, answerer.answer(question, conv.last_postings, conv.last), answerer

    async def ask(self, question: str, conversation_id: str) -> Answer:
        return await asyncio.to_thread(self.answer, question, conversation_id)

    def reset(self, conversation_id: str) -> None:
        self.memory.reset(conversation_id)

    async def astream(self, question: str,
                      conversation_id: str = "default") -> AsyncIterator[str | Answer]:
        """Like `answer()`, streamed: growing partial texts while the LLM writes, then the
        final `Answer` (the extractive one alone when no LLM is configured or it fails)."""
        started = time.perf_counter()
        question = question.strip()[: self.settings.max_question_chars]
        conv = self.memory.get(conversation_id)
        answerer = await asyncio.to_thread(self._extractive)
        answer = await asyncio.to_thread(answerer.answer, question, conv.last_postings,
                                         conv.last)
        if self.llm is not None and self._llm_improves(answer):
            async for item in self.llm.astream(question, conv, answer, answerer):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
        self._answered(conversation_id, question, answer, started)
        yield answer

    def _llm_improves(self, answer: Answer) -> bool:
        # A comparison is a fixed, row-by-row layout: nothing for a model to rewrite.
        return answer.intent not in {"injection", "greeting", "eligibility", "compare",
                                     "profile_noted"}

    def _answered(self, conversation_id: str, question: str, answer: Answer,
                  started: float) -> None:
        """After every answer, streamed or not: remember the turn, then tell the hooks."""
        turn_postings = answer.posting_ids if len(answer.posting_ids) == 1 else (
            answer.posting_ids if answer.intent not in {"count", "mention"} else [])
        self.memory.add(conversation_id, Turn(question, turn_postings[:3], answer.text,
                                              answer.intent, answer.profile_basis,
                                              answer.intents))
        elapsed = time.perf_counter() - started
        for hook in self.on_answer:
            hook(question, answer, elapsed)
