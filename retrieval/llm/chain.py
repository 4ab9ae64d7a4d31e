"""The LLM answer: condense → context → model → checks, streamed or not, never raising.

    condense (only with history) → `ContextBuilder` (retrieval of its own; the extractive
    answer as one labelled excerpt) → answer prompt → chat model → `finish`

`finish` maps citations `[n]` back to the excerpts' sources and accepts the reply only when
it is safe (no prompt echo, no injected instructions) and grounded (checks.py: every e-mail,
grade, quantity, number and name it states is in the excerpts it cites, or in the context
when it cites none). A timeout, an error, an empty or malformed reply after the one retry
(model.py), or a failed check returns the extractive answer with a note.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable

from retrieval.llm.checks import Safety, norm, says_not_stated, ungrounded, unsupported
from retrieval.llm.citations import MARKER_RE, map_citations, merge, without_partial_marker
from retrieval.llm.context import ContextBuilder, Extractive, LLMContext
from retrieval.llm.model import LLMUnavailableError, ModelCaller, build_chat_model, model_name
from retrieval.llm.prompts import Prompts, as_data
from retrieval.models import Answer, AnswerMode
from retrieval.settings import Settings
from retrieval.understanding import analyse

if TYPE_CHECKING:
    from retrieval.answering import Conversation

log = logging.getLogger("retrieval.llm")

NOTE_UNAVAILABLE = ("The language model did not answer in time; this is the direct answer "
                    "from the postings.")
NOTE_MISMATCH = ("The language model's answer did not match the postings; this is the direct "
                 "answer from the postings.")
NOTE_WITHHELD = ("The language model's answer was withheld; this is the direct answer from "
                 "the postings.")

# Field questions: answered from the structured record, so a reply saying the postings do not
# state it contradicts what the record holds.
FACT_INTENTS = frozenset({
    "supervisor", "contact", "grade", "duration", "duty_station", "post_number", "issue_date",
    "department_unit", "languages", "education", "experience", "skills", "requirements",
    "count", "summary",
})
# Answers the model never rewrites (the service already skips injection/greeting/eligibility).
SKIP_INTENTS = frozenset({"injection", "greeting", "eligibility", "empty"})
MAX_HISTORY_TURNS = 4
MAX_OFFTOPIC_CHARS = 400
MAX_STANDALONE_CHARS = 500
_DEBRIS_RE = re.compile(  # what removing "ignore your rules and …" leaves at the start
    r"^[\s.,;:!?-]*(?:(?:and|then|also|et|puis|y|luego)\b[\s.,;:!?-]*)*", re.IGNORECASE)
_DENIAL_RE = re.compile(  # the explicit "not stated" phrasings only (not every "isn't")
    r"\b(do|does) not (state|say|mention|specify|give|list)\b|\bnot (stated|mentioned|"
    r"specified|given|listed)\b|\bno (information|mention)\b")


def build_llm(settings: Settings) -> LLMAnswerer | None:
    """The LLM layer for `AnswerService(..., llm=...)`, or None without a configured model."""
    if not settings.llm_enabled:
        return None
    model = build_chat_model(settings)
    return LLMAnswerer(settings, model) if model is not None else None


class LLMAnswerer:
    """Rewrites an extractive answer with the chat model, grounded in retrieved excerpts."""

    def __init__(self, settings: Settings, model: BaseChatModel, *,
                 retry_backoff: float = 0.5, prompts_dir: Path | None = None,
                 context: ContextBuilder | None = None) -> None:
        self.settings = settings
        self.model = model
        self.prompts = Prompts.load(prompts_dir)
        self.context = context or ContextBuilder(settings, self.prompts)
        self.safety = Safety(self.prompts)
        self.caller = ModelCaller(model_name(model), settings.llm_timeout, retry_backoff)
        condense_prompt = ChatPromptTemplate.from_messages(
            [("system", self.prompts.system), ("human", self.prompts.condense)])
        answer_prompt = ChatPromptTemplate.from_messages(
            [("system", self.prompts.system), ("human", self.prompts.answer)])
        self.condense_chain: Runnable[dict[str, str], BaseMessage] = condense_prompt | model
        self.answer_chain: Runnable[dict[str, str], BaseMessage] = answer_prompt | model

    @property
    def model_name(self) -> str:
        return self.caller.name

    # ---- entry points ---------------------------------------------------------------------

    def improve(self, question: str, conv: Conversation, answer: Answer,
                answerer: Extractive) -> Answer:
        """The model's answer, or `answer` (mode FALLBACK, with a note) if it cannot be used."""
        if answer.intent in SKIP_INTENTS:
            return answer
        started = time.perf_counter()
        try:
            inputs = self._condense_inputs(question, conv)
            standalone = (_standalone(self.caller.call(
                lambda: self.condense_chain.invoke(inputs), "condense"), question)
                if inputs else _clean_question(question))
            context = self.context.build(standalone, answer, answerer)
            reply = self.caller.call(lambda: self.answer_chain.invoke(context.inputs()),
                                     "answer")
        except LLMUnavailableError as exc:
            return self._fallback(answer, NOTE_UNAVAILABLE, f"unavailable: {exc}", started)
        except Exception as exc:  # retrieval or prompt trouble: never raise to the caller
            log.exception("LLM answer failed")
            return self._fallback(answer, NOTE_UNAVAILABLE, f"error: {exc}", started)
        return self.finish(context, reply, answer, started)

    async def astream(self, question: str, conv: Conversation, answer: Answer,
                      answerer: Extractive) -> AsyncIterator[str | Answer]:
        """Growing partial texts as tokens arrive, then the checked final `Answer`."""
        if answer.intent in SKIP_INTENTS:
            yield answer
            return
        started = time.perf_counter()
        try:
            inputs = self._condense_inputs(question, conv)
            standalone = (_standalone(await self.caller.acall(
                lambda: self.condense_chain.ainvoke(inputs), "condense"), question)
                if inputs else _clean_question(question))
            context = await asyncio.to_thread(self.context.build, standalone, answer, answerer)
        except LLMUnavailableError as exc:
            yield self._fallback(answer, NOTE_UNAVAILABLE, f"unavailable: {exc}", started)
            return
        except Exception as exc:
            log.exception("LLM answer failed")
            yield self._fallback(answer, NOTE_UNAVAILABLE, f"error: {exc}", started)
            return
        text, attempt, showing = "", 0, True
        try:
            async for number, piece in self.caller.astream(self.answer_chain, context.inputs(),
                                                           "answer"):
                if number != attempt:  # a retry: what was shown so far is void
                    text, attempt, showing = "", number, True
                text += piece
                if showing and self.safety.unsafe(text):
                    showing = False  # show no more of it; the final check replaces it
                if showing:
                    partial = self.render_partial(text, context)
                    if partial:
                        yield partial
        except LLMUnavailableError as exc:
            yield self._fallback(answer, NOTE_UNAVAILABLE, f"unavailable: {exc}", started)
            return
        yield self.finish(context, text, answer, started)

    # ---- the reply ------------------------------------------------------------------------

    def finish(self, context: LLMContext, reply: str, answer: Answer,
               started: float | None = None) -> Answer:
        """Map citations, check the claims, and decide between the reply and the fallback."""
        started = started if started is not None else time.perf_counter()
        reply = reply.strip()
        if not reply:
            return self._fallback(answer, NOTE_UNAVAILABLE, "empty reply", started)
        if self.safety.unsafe(reply):
            return self._fallback(answer, NOTE_WITHHELD, "prompt echo or injected text", started)
        text, cited = map_citations(reply, context.sources)
        text = text.strip()
        if not text:
            return self._fallback(answer, NOTE_UNAVAILABLE, "only citations", started)
        bad = _ungrounded_claims(reply, context)
        if bad:
            return self._fallback(answer, NOTE_MISMATCH, f"not in the excerpts: {bad}", started)
        found = answer.found
        if not answer.found and not says_not_stated(text):
            # The extractive layer found nothing; the model may have, in the excerpts.
            loose = unsupported(reply, context.grounding)
            if loose:
                return self._fallback(answer, NOTE_MISMATCH, f"unsupported: {loose}", started)
            found = True
        if answer.intent == "offtopic" and len(text) > MAX_OFFTOPIC_CHARS:
            return self._fallback(answer, NOTE_MISMATCH, "long off-topic reply", started)
        if answer.found and answer.intent in FACT_INTENTS and _DENIAL_RE.search(norm(text)):
            return self._fallback(answer, NOTE_MISMATCH, "denies what the record states",
                                  started)
        citations = merge(cited, [] if cited else answer.citations)
        posting_ids = list(dict.fromkeys(c.posting_id for c in cited)) or answer.posting_ids
        log.info("llm answer accepted intent=%s cited=%d latency_ms=%d", answer.intent,
                 len(cited), (time.perf_counter() - started) * 1000)
        return Answer(text=text, found=found, citations=citations, intent=answer.intent,
                      posting_ids=posting_ids, mode=AnswerMode.LLM)

    def render_partial(self, text: str, context: LLMContext) -> str:
        """What to show while tokens arrive: citations mapped, a half-written `[` held back."""
        shown, _ = map_citations(without_partial_marker(text), context.sources)
        return shown.strip()

    # ---- steps ----------------------------------------------------------------------------

    def _condense_inputs(self, question: str, conv: Conversation) -> dict[str, str] | None:
        if not conv.turns:
            return None
        lines: list[str] = []
        for turn in conv.turns[-MAX_HISTORY_TURNS:]:
            lines.append(f"User: {as_data(turn.question)}")
            if turn.answer:
                lines.append(f"Assistant: {as_data(turn.answer)[:400]}")
        return {"history": "\n".join(lines), "question": as_data(_clean_question(question))}

    def _fallback(self, answer: Answer, note: str, reason: str, started: float) -> Answer:
        log.warning("llm fallback to the extractive answer (%s) after %d ms", reason,
                    (time.perf_counter() - started) * 1000)
        return answer.model_copy(update={"mode": AnswerMode.FALLBACK, "note": note})


def _ungrounded_claims(reply: str, context: LLMContext) -> list[str]:
    """Values and people each sentence states that are missing from the excerpts it cites
    (plus the extractive answer and the question), or from the whole context when it cites
    none; other names missing from the whole context."""
    bad = ungrounded(MARKER_RE.sub(" ", reply), context.grounding)
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", reply):
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)
                   if 1 <= int(n) <= len(context.excerpts)]
        if not numbers:
            continue
        given = "\n".join([context.excerpt_texts(numbers + context.facts_numbers),
                           context.question])
        bad += [claim for claim in ungrounded(MARKER_RE.sub(" ", sentence), given,
                                              names=False, people=context.people)
                if claim not in bad]
    return bad


def _clean_question(question: str) -> str:
    """The question without injection attempts (they are not part of what is asked)."""
    q = analyse(question)
    if not q.injection:
        return question.strip()
    clean = re.sub(r"\s+([.,;:!?])", r"\1", q.clean)
    clean = _DEBRIS_RE.sub("", clean).strip()
    return clean if clean.strip(" ?.!,") else question.strip()


def _standalone(out: str, question: str) -> str:
    lines = [ln.strip() for ln in out.strip().splitlines() if ln.strip()]
    text = lines[0] if lines else ""
    text = re.sub(r"^(standalone question|question)\s*:\s*", "", text, flags=re.I)
    text = as_data(text.strip(" \"'“”"))
    if not text or len(text) > MAX_STANDALONE_CHARS or analyse(text).injection:
        return _clean_question(question)
    return text
