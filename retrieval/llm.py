"""LLM answers through LangChain: grounded in retrieved excerpts, cited, checked, streamed.

The extractive answer always comes first and is the safe fallback. The chain is

    condense (only with history) → retrieve (within the extractive answer's postings)
    → numbered excerpts + verified facts → answer prompt → chat model

and the model's reply is then checked before anyone sees it as final:

* citations `[n]` are mapped back to excerpts (posting title + section); numbers that do not
  exist are dropped from the text;
* key facts of the extractive answer (e-mails, supervisor names, grades, quantities, quoted
  field values) must be present and nothing the model states as an e-mail, grade, quantity,
  long number or supervisor name may be missing from what it was given;
* when the postings do not state the answer (`found=False`) the reply must say so;
* a reply that echoes the prompts or carries injected instructions is withheld.

Any failure — timeout, connection error, 429/5xx, empty or malformed output (one retry with a
short backoff), or a failed check — returns the extractive answer with a note. Nothing here
raises to the caller.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import Runnable
from pydantic import SecretStr

from retrieval.answering import LANGUAGE_NAMES, Conversation, cite
from retrieval.models import Answer, AnswerMode, Citation, Posting
from retrieval.prompts import load_prompt, template_variables
from retrieval.settings import Settings
from retrieval.text import fold
from retrieval.understanding import analyse, load_yaml

if TYPE_CHECKING:
    from retrieval.answering import ExtractiveAnswerer
    from retrieval.store import IndexSnapshot

log = logging.getLogger(__name__)

NOTE_UNAVAILABLE = ("The language model did not answer in time; this is the direct answer "
                    "from the postings.")
NOTE_MISMATCH = ("The language model's answer did not match the postings; this is the direct "
                 "answer from the postings.")
NOTE_WITHHELD = ("The language model's answer was withheld; this is the direct answer from "
                 "the postings.")

# Field questions: the extractive answer is handed over as verified facts to copy verbatim.
FACT_INTENTS = frozenset({
    "supervisor", "contact", "grade", "duration", "duty_station", "post_number", "issue_date",
    "department_unit", "languages", "education", "experience", "skills", "requirements",
    "count", "summary",
})
# Answers the model never rewrites (the service already skips injection/greeting/eligibility).
SKIP_INTENTS = frozenset({"injection", "greeting", "eligibility", "empty"})
MAX_HISTORY_TURNS = 4
MAX_EXCERPT_CHARS = 1200
MAX_OFFTOPIC_CHARS = 400
MAX_STANDALONE_CHARS = 500
LEAK_WINDOW = 10  # words in a row shared with a prompt = the prompt is being echoed


# ---- the chat model -------------------------------------------------------------------------

def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model; None when no LLM is configured (or it cannot be built)."""
    provider = settings.llm_provider
    try:
        if provider == "openai":
            from langchain_openai import ChatOpenAI

            key = settings.llm_api_key.get_secret_value()
            if not key and settings.llm_base_url:
                key = "not-needed"  # local OpenAI-compatible servers take any key
            kwargs: dict[str, Any] = {"api_key": SecretStr(key)} if key else {}
            return ChatOpenAI(
                model=settings.llm_model,
                base_url=settings.llm_base_url or None,
                timeout=settings.llm_timeout,
                max_retries=0,  # one retry with backoff is done here, not in the client
                temperature=settings.llm_temperature,
                max_tokens=settings.llm_max_tokens,
                stream_usage=True,
                **kwargs,
            )
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(
                model=settings.llm_model,
                base_url=settings.llm_base_url or None,
                temperature=settings.llm_temperature,
                num_predict=settings.llm_max_tokens,
                client_kwargs={"timeout": settings.llm_timeout},
            )
    except Exception as exc:  # misconfiguration: serve extractive answers, say why
        log.error("LLM provider %s could not be set up (%s); answering without it",
                  provider, exc)
        return None
    return None


def build_llm(settings: Settings) -> LLMAnswerer | None:
    """The LLM layer for `AnswerService(..., llm=...)`, or None without a configured model."""
    if not settings.llm_enabled:
        return None
    model = build_chat_model(settings)
    return LLMAnswerer(settings, model) if model is not None else None


# ---- errors ---------------------------------------------------------------------------------

class LLMUnavailableError(RuntimeError):
    """The model did not give a usable reply (after the retry)."""


class EmptyOutputError(RuntimeError):
    """The model answered with nothing."""


def _retryable(exc: BaseException) -> bool:
    """Timeouts, connection errors, 408/429/5xx and empty/malformed output are worth a retry;
    other client errors (bad key, unknown model) are not."""
    status = getattr(exc, "status_code", None)
    if status is None:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
    if isinstance(status, int) and status >= 400:
        return status in {408, 409, 429} or status >= 500
    return True  # no status, or a 200 whose body could not be read: malformed output


# ---- prompts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Prompts:
    system: str
    condense: str
    answer: str
    facts: str
    not_stated: str
    offtopic: str

    @classmethod
    def load(cls, directory: Path | None = None) -> Prompts:
        texts = {name: load_prompt(name, directory) for name in
                 ("system", "condense", "answer", "facts", "not_stated", "offtopic")}
        for name, needed in (("condense", {"history", "question"}),
                             ("answer", {"excerpts", "facts", "question"}),
                             ("facts", {"facts"}), ("not_stated", {"facts"})):
            missing = needed - template_variables(texts[name])
            if missing:
                raise ValueError(f"prompt {name!r} lacks {sorted(missing)}")
        return cls(**texts)

    def shingles(self) -> frozenset[tuple[str, ...]]:
        """Runs of LEAK_WINDOW words of the fixed prompt text (placeholders excluded)."""
        out: set[tuple[str, ...]] = set()
        for text in (self.system, self.condense, self.answer, self.facts, self.not_stated,
                     self.offtopic):
            for segment in re.split(r"\{[a-zA-Z_]\w*\}", text):
                ws = _leak_words(segment)
                out.update(tuple(ws[i:i + LEAK_WINDOW])
                           for i in range(len(ws) - LEAK_WINDOW + 1))
        return frozenset(out)


@cache
def _injection_patterns() -> list[re.Pattern[str]]:
    """The lexicon's injection patterns (the ones questions are cleaned of), for replies."""
    return [re.compile(p) for p in load_yaml("intents.yaml")["injection"]]


def _leak_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


# ---- citations ------------------------------------------------------------------------------

_CITE_RE = re.compile(r"\[(\s*\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*\s*)\]")
_PARTIAL_CITE_RE = re.compile(r"\[[\d,;\s–-]*$")
_DEBRIS_RE = re.compile(  # what removing "ignore your rules and …" leaves at the start
    r"^[\s.,;:!?-]*(?:(?:and|then|also|et|puis|y|luego)\b[\s.,;:!?-]*)*", re.IGNORECASE)
_RUN_RE = re.compile(r"\[\d+\](?:\s*\[\d+\])+")  # adjacent markers: "[1][2]", "[1] [1]"


def doc_citation(doc: Document, snap: IndexSnapshot) -> Citation:
    meta = doc.metadata
    pid = str(meta.get("posting_id", ""))
    posting = snap.by_id.get(pid)
    if posting is not None:
        return cite(posting, str(meta.get("section", "")), doc.page_content)
    return Citation(posting_id=pid, title=str(meta.get("title", "")),
                    section=str(meta.get("section_label", meta.get("section", ""))),
                    excerpt=doc.page_content[:300])


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", group.strip()):
        m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            out += list(range(lo, hi + 1)) if 0 < hi - lo < 20 else [lo, hi]
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def map_citations(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Replace `[n]` markers by numbers of the de-duplicated sources they point to.

    `citations[n-1]` is what excerpt n is; the sources are numbered in order of first
    citation, one number per distinct "title — section" label, so the numbers match the
    "Sources" list shown to the user. Markers pointing to no excerpt are dropped."""
    labels: list[str] = []
    cited: list[Citation] = []

    def replace(match: re.Match[str]) -> str:
        new: list[int] = []
        for n in _numbers(match.group(1)):
            if not 1 <= n <= len(citations):
                continue
            c = citations[n - 1]
            if c.label not in labels:
                labels.append(c.label)
                cited.append(c)
            idx = labels.index(c.label) + 1
            if idx not in new:
                new.append(idx)
        return "".join(f"[{i}]" for i in new) if new else "\x00"

    out = _CITE_RE.sub(replace, text)
    out = re.sub(r"[ \t]*\x00", "", out)
    out = _RUN_RE.sub(lambda m: "".join(dict.fromkeys(re.findall(r"\[\d+\]", m.group(0)))), out)
    return out, cited


# ---- fact checks ----------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_GRADE_RE = re.compile(r"\b([pdg])\s?-?\s?(\d)\b")
_QTY_RE = re.compile(
    r"\b(\d+(?:[.,]\d+)?)\s*-?\s*(years?|yrs?|months?|weeks?|days?|hours?|ans?|annees?|mois|"
    r"semaines?|jours?|anos?|meses|mes|semanas?|dias?)\b")
_LONG_NUMBER_RE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[,.]\d{3})+|\d{3,})(?![\d])")
_UNITS = {
    "year": ("year", "yr", "an", "annee", "ano"), "month": ("month", "mois", "mes"),
    "week": ("week", "semaine", "semana"), "day": ("day", "jour", "dia"), "hour": ("hour",),
}
_NOT_STATED_RE = re.compile("|".join([
    # English
    r"\b(do|does|did|is|are|was|were)\s*(n't|not)\s+(\w+\s+)?(state|say|mention|specify|give|"
    r"provide|include|contain|list|indicate|cover|name|stated|said|mentioned|specified|given|"
    r"provided|included|listed|indicated|covered|named|available)",
    r"\b(isn't|aren't|doesn't|don't)\b", r"\bno (information|mention|details?|data|indication)\b",
    r"\bnot (stated|mentioned|specified|provided|given|listed|included|indicated|available|"
    r"covered|found)\b",
    r"\b(can|could) only (help|answer)\b", r"\bonly (help|answer) with\b",
    r"\b(cannot|can't|could not|couldn't) (find|see|answer|help)\b", r"\bnothing (about|on)\b",
    r"\bneither\b.*\bnor\b", r"\bnone of the postings\b", r"\bsilent\b", r"\bunknown\b",
    # French (accents folded)
    r"\bn'(indiqu|mentionn|precis|donn|dit|contien|specifi|enonc)", r"\bne (\w+ )?(pas|rien)\b",
    r"\b(pas|non) (indique|mentionne|precise|specifie)", r"\baucune? (information|mention|"
    r"indication|precision)\b",
    # Spanish
    r"\bno (se )?(indica|menciona|especifica|dice|precisa|incluye|contiene|establece|aparece|"
    r"detalla|informa)", r"\b(ninguna|no hay|sin) (informacion|mencion|indicacion)\b",
    r"\bsolo (puedo|respondo)\b",
]))


def _norm(text: str) -> str:
    text = fold(text).replace("’", "'").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip()


def _grades(text: str) -> set[str]:
    return {f"{a}{b}" for a, b in _GRADE_RE.findall(text)}


def _unit(word: str) -> str:
    for unit, stems in _UNITS.items():
        if any(word.startswith(s) for s in stems):
            return unit
    return word


def _quantities(text: str) -> set[tuple[str, str]]:
    return {(n.replace(",", "."), _unit(u)) for n, u in _QTY_RE.findall(text)}


def _long_numbers(text: str) -> set[str]:
    """Numbers of three digits or more ("2144", "2024", "5,500" → "5500")."""
    return {re.sub(r"[,.]", "", n) for n in _LONG_NUMBER_RE.findall(text)}


def _languages(text: str) -> set[str]:
    return {iso for name, iso in LANGUAGE_NAMES.items() if re.search(rf"\b{name}\b", text)}


@dataclass
class KeyFacts:
    """What the model's answer must contain to agree with the extractive answer."""

    emails: set[str] = field(default_factory=set)
    grades: set[str] = field(default_factory=set)
    quantities: set[tuple[str, str]] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)

    def missing_from(self, reply: str) -> list[str]:
        r = _norm(reply)
        missing = [e for e in self.emails if e not in r]
        missing += [g for g in self.grades if g not in _grades(r)]
        qs = _quantities(r)
        missing += [f"{n} {u}" for n, u in self.quantities if (n, u) not in qs]
        missing += [n for n in self.numbers if n not in _long_numbers(r)]
        missing += [n for n in self.names if n not in r]
        missing += [v for v in self.values if v not in r]
        missing += [lang for lang in self.languages if lang not in _languages(r)]
        return missing


_VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    "duty_station": ("duty_station",),
    "department_unit": ("department", "unit"),
    "issue_date": ("month_of_issue", "year_of_issue"),
    "post_number": ("post_number",),
    "supervisor": ("supervisor_role",),
}


def key_facts(answer: Answer, snap: IndexSnapshot) -> KeyFacts:
    """The facts of a field answer that the model must repeat."""
    text = _norm(answer.text)
    facts = KeyFacts(
        emails={e.lower() for e in _EMAIL_RE.findall(text)},
        grades=_grades(text),
        quantities=_quantities(text),
        numbers=_long_numbers(text),
        languages=_languages(text) if answer.intent in {"languages", "requirements"} else set(),
    )
    names = {_norm(p.supervisor.name) for p in snap.postings if p.supervisor.name}
    facts.names = {n for n in names if n in text}
    for pid in answer.posting_ids:
        p = snap.by_id.get(pid)
        if p is None:
            continue
        for attr in _VALUE_FIELDS.get(answer.intent, ()):
            value = _norm(_field_value(p, attr))
            if value and len(value) <= 120 and value in text:
                facts.values.add(value)
    return facts


def _field_value(p: Posting, attr: str) -> str:
    if attr == "supervisor_role":
        return "" if p.supervisor.name else p.supervisor.role
    return str(getattr(p, attr, "") or "")


def ungrounded(reply: str, source: str, snap: IndexSnapshot) -> list[str]:
    """E-mails, grades, quantities, long numbers and supervisor names the reply states that
    appear nowhere in what the model was given."""
    r, s = _norm(reply), _norm(source)
    bad = [e for e in _EMAIL_RE.findall(r) if e.lower() not in s]
    bad += sorted(_grades(r) - _grades(s))
    bad += [f"{n} {u}" for n, u in sorted(_quantities(r) - _quantities(s))]
    bad += sorted(_long_numbers(r) - _long_numbers(s))
    names = {_norm(p.supervisor.name) for p in snap.postings if p.supervisor.name}
    bad += sorted(n for n in names if n in r and n not in s)
    return bad


def says_not_stated(reply: str) -> bool:
    return bool(_NOT_STATED_RE.search(_norm(reply)))


# ---- the LLM layer --------------------------------------------------------------------------

@dataclass
class Prepared:
    """Everything one question sends to the model, and what the reply is checked against."""

    question: str
    docs: list[Document]
    citations: list[Citation]
    inputs: dict[str, str]
    source: str
    facts: KeyFacts | None


class LLMAnswerer:
    """Rewrites an extractive answer with the chat model, grounded in retrieved excerpts."""

    def __init__(self, settings: Settings, model: BaseChatModel, *,
                 retry_backoff: float = 0.5, prompts_dir: Path | None = None) -> None:
        self.settings = settings
        self.model = model
        self.retry_backoff = retry_backoff
        self.prompts = Prompts.load(prompts_dir)
        self._shingles = self.prompts.shingles()
        self.condense_prompt = ChatPromptTemplate.from_messages(
            [("system", self.prompts.system), ("human", self.prompts.condense)])
        self.answer_prompt = ChatPromptTemplate.from_messages(
            [("system", self.prompts.system), ("human", self.prompts.answer)])
        # LCEL chains; the retry/timeout/fallback policy wraps their calls.
        self.condense_chain: Runnable[dict[str, str], BaseMessage] = (
            self.condense_prompt | self.model)
        self.answer_chain: Runnable[dict[str, str], BaseMessage] = self.answer_prompt | self.model

    @property
    def model_name(self) -> str:
        return str(getattr(self.model, "model_name", None) or getattr(self.model, "model", None)
                   or type(self.model).__name__)

    # ---- entry points ---------------------------------------------------------------------

    def improve(self, question: str, conv: Conversation, answer: Answer,
                answerer: ExtractiveAnswerer) -> Answer:
        """The model's answer, or `answer` (mode FALLBACK, with a note) if it cannot be used."""
        if answer.intent in SKIP_INTENTS:
            return answer
        started = time.perf_counter()
        try:
            standalone = self._condense(question, conv)
            prepared = self._prepare(standalone, answer, answerer)
            reply = self._call(lambda: self.answer_chain.invoke(prepared.inputs), "answer")
        except LLMUnavailableError as exc:
            return self._fallback(answer, NOTE_UNAVAILABLE, f"unavailable: {exc}", started)
        except Exception as exc:  # retrieval or prompt trouble: never raise to the caller
            log.exception("LLM answer failed")
            return self._fallback(answer, NOTE_UNAVAILABLE, f"error: {exc}", started)
        return self.finish(prepared, reply, answer, answerer, started)

    async def aimprove(self, question: str, conv: Conversation, answer: Answer,
                       answerer: ExtractiveAnswerer) -> Answer:
        final = answer
        async for item in self.astream(question, conv, answer, answerer):
            if isinstance(item, Answer):
                final = item
        return final

    async def astream(self, question: str, conv: Conversation, answer: Answer,
                      answerer: ExtractiveAnswerer) -> AsyncIterator[str | Answer]:
        """Growing partial texts as tokens arrive, then the checked final `Answer`."""
        if answer.intent in SKIP_INTENTS:
            yield answer
            return
        started = time.perf_counter()
        try:
            standalone = await self._acondense(question, conv)
            prepared = await asyncio.to_thread(self._prepare, standalone, answer, answerer)
        except LLMUnavailableError as exc:
            yield self._fallback(answer, NOTE_UNAVAILABLE, f"unavailable: {exc}", started)
            return
        except Exception as exc:
            log.exception("LLM answer failed")
            yield self._fallback(answer, NOTE_UNAVAILABLE, f"error: {exc}", started)
            return
        reply = ""
        failure: BaseException | None = None
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(self.retry_backoff)
            call_started = time.perf_counter()
            text = ""
            total: AIMessageChunk | None = None
            showing = True
            try:
                async with aclosing(self._stream_once(prepared.inputs)) as stream:
                    async for chunk in stream:
                        if isinstance(chunk, AIMessageChunk):
                            total = chunk if total is None else total + chunk
                        piece = _message_text(chunk)
                        if not piece:
                            continue
                        text += piece
                        if showing and self._unsafe(text):
                            showing = False  # show no more of it; the final check replaces it
                        if showing:
                            partial = self.render_partial(text, prepared)
                            if partial:
                                yield partial
                if not text.strip():
                    raise EmptyOutputError("empty reply")
                self._log_call("answer", call_started, total, attempt, "ok")
                reply = text
                failure = None
                break
            except Exception as exc:
                failure = exc
                self._log_call("answer", call_started, total, attempt, repr(exc))
                if not _retryable(exc):
                    break
        if failure is not None or not reply:
            yield self._fallback(answer, NOTE_UNAVAILABLE, f"unavailable: {failure!r}", started)
            return
        yield self.finish(prepared, reply, answer, answerer, started)

    async def _stream_once(self, inputs: dict[str, str]) -> AsyncIterator[BaseMessage]:
        """The model's chunks; TimeoutError when none arrives within `llm_timeout`.

        The stream is read by a separate task so that the timeout never spans a `yield`
        (a timeout armed in the consumer's task would cancel whatever the consumer awaits)."""
        queue: asyncio.Queue[BaseMessage | BaseException | None] = asyncio.Queue()
        limit = self.settings.llm_timeout

        async def produce() -> None:
            loop = asyncio.get_running_loop()
            try:
                async with asyncio.timeout(limit) as deadline:
                    async for chunk in self.answer_chain.astream(inputs):
                        deadline.reschedule(loop.time() + limit)
                        queue.put_nowait(chunk)
                queue.put_nowait(None)
            except Exception as exc:
                queue.put_nowait(exc)

        task = asyncio.create_task(produce())
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            if not task.done():
                task.cancel()

    # ---- steps ----------------------------------------------------------------------------

    def _history(self, conv: Conversation) -> str:
        lines: list[str] = []
        for turn in conv.turns[-MAX_HISTORY_TURNS:]:
            lines.append(f"User: {_as_data(turn.question)}")
            if turn.answer:
                lines.append(f"Assistant: {_as_data(turn.answer)[:400]}")
        return "\n".join(lines)

    def _condense_inputs(self, question: str, conv: Conversation) -> dict[str, str] | None:
        if not conv.turns:
            return None
        return {"history": self._history(conv), "question": _as_data(_clean_question(question))}

    def _condense(self, question: str, conv: Conversation) -> str:
        inputs = self._condense_inputs(question, conv)
        if inputs is None:
            return _clean_question(question)
        out = self._call(lambda: self.condense_chain.invoke(inputs), "condense")
        return _standalone(out, question)

    async def _acondense(self, question: str, conv: Conversation) -> str:
        inputs = self._condense_inputs(question, conv)
        if inputs is None:
            return _clean_question(question)
        out = await self._acall(lambda: self.condense_chain.ainvoke(inputs), "condense")
        return _standalone(out, question)

    def _prepare(self, question: str, answer: Answer,
                 answerer: ExtractiveAnswerer) -> Prepared:
        snap = answerer.snap
        ids = [i for i in answer.posting_ids if i in snap.by_id] or None
        docs = self.retrieve(question, ids, answerer)
        citations = [doc_citation(d, snap) for d in docs]
        excerpts = "\n\n".join(
            f"[{n}] {c.title} — {c.section}\n{d.page_content.strip()[:MAX_EXCERPT_CHARS]}"
            for n, (d, c) in enumerate(zip(docs, citations, strict=True), start=1))
        facts_block = ""
        facts: KeyFacts | None = None
        if answer.intent == "offtopic":
            facts_block = self.prompts.offtopic
        elif not answer.found:
            facts_block = _fill(self.prompts.not_stated, facts=_as_data(answer.text))
        elif answer.intent in FACT_INTENTS:
            facts_block = _fill(self.prompts.facts, facts=_as_data(answer.text))
            facts = key_facts(answer, snap)
        inputs = {
            "excerpts": excerpts or "(no excerpts found)",
            "facts": facts_block + ("\n" if facts_block else ""),
            "question": _as_data(question),
        }
        source = "\n".join([excerpts, answer.text, question])
        return Prepared(question, docs, citations, inputs, source, facts)

    def retrieve(self, question: str, posting_ids: list[str] | None,
                 answerer: ExtractiveAnswerer) -> list[Document]:
        docs = answerer.retriever.with_postings(posting_ids, answerer.snap).invoke(question)
        seen: set[str] = set()
        out: list[Document] = []
        for d in docs:
            key = str(d.id or d.page_content[:80])
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def finish(self, prepared: Prepared, reply: str, answer: Answer,
               answerer: ExtractiveAnswerer, started: float | None = None) -> Answer:
        """Map citations, check the facts, and decide between the reply and the fallback."""
        started = started if started is not None else time.perf_counter()
        reply = reply.strip()
        if not reply:
            return self._fallback(answer, NOTE_UNAVAILABLE, "empty reply", started)
        if self._unsafe(reply):
            return self._fallback(answer, NOTE_WITHHELD, "prompt echo or injected text", started)
        text, cited = map_citations(reply, prepared.citations)
        text = text.strip()
        if not text:
            return self._fallback(answer, NOTE_UNAVAILABLE, "only citations", started)
        bad = ungrounded(text, prepared.source, answerer.snap)
        if bad:
            return self._fallback(answer, NOTE_MISMATCH, f"not in the postings: {bad}", started)
        if not answer.found and not says_not_stated(text):
            return self._fallback(answer, NOTE_MISMATCH, "claims an answer the postings lack",
                                  started)
        if answer.intent == "offtopic" and len(text) > MAX_OFFTOPIC_CHARS:
            return self._fallback(answer, NOTE_MISMATCH, "long off-topic reply", started)
        if prepared.facts is not None:
            missing = prepared.facts.missing_from(text)
            if missing:
                return self._fallback(answer, NOTE_MISMATCH, f"facts missing: {missing}",
                                      started)
        citations = _merge(cited, answer.citations if (answer.intent in FACT_INTENTS
                                                        or not cited) else [])
        log.info("llm answer accepted intent=%s cited=%d latency_ms=%d", answer.intent,
                 len(cited), (time.perf_counter() - started) * 1000)
        return Answer(text=text, found=answer.found, citations=citations, intent=answer.intent,
                      posting_ids=answer.posting_ids, mode=AnswerMode.LLM)

    def render_partial(self, text: str, prepared: Prepared) -> str:
        """What to show while tokens arrive: citations mapped, a half-written `[` held back."""
        shown, _ = map_citations(_PARTIAL_CITE_RE.sub("", text), prepared.citations)
        return shown.strip()

    # ---- safety ---------------------------------------------------------------------------

    def _unsafe(self, text: str) -> bool:
        """The reply echoes a prompt, or carries instructions of its own."""
        ws = _leak_words(text)
        if any(tuple(ws[i:i + LEAK_WINDOW]) in self._shingles
               for i in range(len(ws) - LEAK_WINDOW + 1)):
            return True
        folded = fold(text)
        return any(p.search(folded) for p in _injection_patterns())

    # ---- calls with one retry -------------------------------------------------------------

    def _call(self, fn: Any, step: str) -> str:
        failure: BaseException | None = None
        for attempt in range(2):
            if attempt:
                time.sleep(self.retry_backoff)
            started = time.perf_counter()
            try:
                result = fn()
                text = _message_text(result)
                if not text.strip():
                    raise EmptyOutputError("empty reply")
                self._log_call(step, started, result, attempt, "ok")
                return text
            except Exception as exc:
                failure = exc
                self._log_call(step, started, None, attempt, repr(exc))
                if not _retryable(exc):
                    break
        raise LLMUnavailableError(repr(failure)) from failure

    async def _acall(self, fn: Any, step: str) -> str:
        failure: BaseException | None = None
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(self.retry_backoff)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self.settings.llm_timeout):
                    result = await fn()
                text = _message_text(result)
                if not text.strip():
                    raise EmptyOutputError("empty reply")
                self._log_call(step, started, result, attempt, "ok")
                return text
            except Exception as exc:
                failure = exc
                self._log_call(step, started, None, attempt, repr(exc))
                if not _retryable(exc):
                    break
        raise LLMUnavailableError(repr(failure)) from failure

    def _log_call(self, step: str, started: float, result: object, attempt: int,
                  outcome: str) -> None:
        usage = getattr(result, "usage_metadata", None) or {}
        log.info("llm %s model=%s attempt=%d latency_ms=%d input_tokens=%s output_tokens=%s "
                 "outcome=%s", step, self.model_name, attempt + 1,
                 (time.perf_counter() - started) * 1000, usage.get("input_tokens", "?"),
                 usage.get("output_tokens", "?"), outcome)

    def _fallback(self, answer: Answer, note: str, reason: str, started: float) -> Answer:
        log.warning("llm fallback to the extractive answer (%s) after %d ms", reason,
                    (time.perf_counter() - started) * 1000)
        return answer.model_copy(update={"mode": AnswerMode.FALLBACK, "note": note})


# ---- helpers --------------------------------------------------------------------------------

def _message_text(result: object) -> str:
    if isinstance(result, str):
        return result
    if isinstance(result, BaseMessage):
        return str(result.text)
    raise TypeError(f"unexpected model output {type(result).__name__}")


def _fill(template: str, **values: str) -> str:
    return PromptTemplate.from_template(template).format(**values)


def _as_data(text: str) -> str:
    """User or corpus text placed inside the prompt's tags cannot close them."""
    return re.sub(r"</?\s*(question|facts)\s*>", " ", text, flags=re.IGNORECASE).strip()


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
    text = _as_data(text.strip(" \"'“”"))
    if not text or len(text) > MAX_STANDALONE_CHARS or analyse(text).injection:
        return _clean_question(question)
    return text


def _merge(first: Iterable[Citation], second: Iterable[Citation]) -> list[Citation]:
    out: list[Citation] = []
    seen: set[str] = set()
    for c in [*first, *second]:
        if c.label not in seen:
            seen.add(c.label)
            out.append(c)
    return out


__all__ = [
    "FACT_INTENTS", "NOTE_MISMATCH", "NOTE_UNAVAILABLE", "NOTE_WITHHELD", "LLMAnswerer",
    "build_chat_model", "build_llm", "map_citations",
]
