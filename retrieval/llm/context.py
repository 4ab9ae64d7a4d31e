"""What the model is given for a question: numbered excerpts found by retrieval on their own,
not only where the extractive layer looked.

* The question names one posting clearly (the resolver is confident): the best excerpts of
  that posting, then a few of the best corpus-wide.
* It does not (several postings, a posting known only from the conversation, none, or a
  typo the resolver missed): fewer excerpts per posting — the ones resolved plus the postings
  of the two best corpus-wide hits ("the hobden job" finds Claire Hobden's posting) — and more
  of the best corpus-wide.
* Whichever postings are looked at, the sections the question asks about (its intents,
  understood after fixing typos against the corpus's own words: "languges" → languages)
  come first; a question about no posting in particular gets those sections of every
  posting ("which jobs can I apply to with just a bachelor's?": every Education block).
* The extractive answer comes last as one more excerpt, labelled as an automatic reading
  that may have misread the question: the model can use it or correct it, never has to copy.

`ContextBuilder.build` never calls the model: `jpo-bot eval` measures `context_recall` with
the very context the model would be given, with or without an LLM configured.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from langchain_core.documents import Document

from retrieval.llm.checks import norm
from retrieval.llm.citations import doc_citation
from retrieval.llm.prompts import Prompts, as_data, fill
from retrieval.models import Answer, Citation
from retrieval.resolver import PostingResolver
from retrieval.settings import Settings
from retrieval.text import STOPWORDS, fold, words
from retrieval.understanding import analyse

if TYPE_CHECKING:
    from retrieval.store import IndexSnapshot

MAX_EXCERPT_CHARS = 1200
MAX_EXCERPTS = 20
MAX_FOCUS_POSTINGS = 3
MAX_SPREAD_POSTINGS = 8  # a question about no posting: its sections of up to this many
SECTION_DOCS_PER_POSTING = 3
TYPO_CUTOFF = 0.8  # difflib similarity for a question word to be read as a corpus word
_MINIMUM = ("education.minimum", "experience.minimum", "languages.minimum")
_SUMMARY = ("summary",)
# The sections an intent (retrieval/lexicon/intents.yaml) asks about (chunking.SECTION_LABELS).
INTENT_SECTIONS: dict[str, tuple[str, ...]] = {
    "eligibility": _MINIMUM, "requirements": (*_MINIMUM, "skills.minimum"),
    "contact": _SUMMARY, "supervisor": ("summary", "supervision"), "post_number": _SUMMARY,
    "issue_date": _SUMMARY, "duration": _SUMMARY, "grade": _SUMMARY,
    "department_unit": _SUMMARY, "duty_station": _SUMMARY, "summary": _SUMMARY,
    "languages": ("languages.minimum", "languages.desirable"),
    "education": ("education.minimum", "education.desirable"),
    "experience": ("experience.minimum", "experience.desirable"),
    "skills": ("skills.minimum", "skills.desirable"), "key_outputs": ("key_outputs",),
    "duties": ("duties",), "competencies": ("competencies",), "learning": ("learning",),
    "training": ("training",), "background": ("background",),
}
FACTS_HEADING = "Direct answer (automatic reading of the structured postings)"


class PostingRetriever(Protocol):
    def with_postings(self, posting_ids: list[str] | None, snapshot: IndexSnapshot | None = None,
                      k: int | None = None) -> PostingRetriever: ...

    def invoke(self, query: str, /) -> list[Document]: ...


class Extractive(Protocol):
    """What the context needs of the extractive answerer of one index snapshot."""

    # Read-only (properties), so that an answerer holding a HybridRetriever fits.
    @property
    def snap(self) -> IndexSnapshot: ...

    @property
    def retriever(self) -> PostingRetriever: ...

    @property
    def resolver(self) -> PostingResolver: ...


@dataclass(frozen=True)
class Excerpt:
    heading: str
    text: str
    sources: list[Citation]
    kind: str = "posting"  # or "facts": the extractive answer


@dataclass(frozen=True)
class LLMContext:
    question: str
    excerpts: list[Excerpt]
    notes: str = ""
    confident: bool = False
    focus: list[str] = field(default_factory=list)
    people: frozenset[str] = frozenset()  # the supervisors' names, normalised

    @property
    def excerpts_text(self) -> str:
        return "\n\n".join(f"[{n}] {e.heading}\n{e.text}"
                           for n, e in enumerate(self.excerpts, start=1))

    @property
    def text(self) -> str:
        """Everything the model is given to answer from: excerpts (facts included), notes."""
        return "\n\n".join(t for t in (self.excerpts_text, self.notes) if t)

    @property
    def sources(self) -> list[list[Citation]]:
        """Per excerpt number − 1, the sources it stands for."""
        return [e.sources for e in self.excerpts]

    @property
    def grounding(self) -> str:
        """What the reply's claims may come from: the context and the question itself."""
        return f"{self.text}\n{self.question}"

    def excerpt_texts(self, numbers: list[int]) -> str:
        return "\n".join(self.excerpts[n - 1].text for n in numbers
                         if 1 <= n <= len(self.excerpts))

    @property
    def facts_numbers(self) -> list[int]:
        return [n for n, e in enumerate(self.excerpts, start=1) if e.kind == "facts"]

    def inputs(self) -> dict[str, str]:
        return {"excerpts": self.excerpts_text or "(no excerpts found)",
                "notes": self.notes + ("\n" if self.notes else ""),
                "question": as_data(self.question)}


@dataclass(frozen=True)
class _SnapshotIndex:
    """Per index snapshot: its chunks by (posting, section), and its words."""

    snap: IndexSnapshot
    sections: dict[tuple[str, str], list[Document]]
    vocabulary: frozenset[str]
    surnames: dict[str, str]  # a supervisor's surname → their posting
    people: frozenset[str]  # the supervisors' full names, normalised as checks.norm does

    def named_people(self, question: str) -> list[str]:
        """Postings whose supervisor the question names."""
        return list(dict.fromkeys(self.surnames[w] for w in words(question)
                                  if w in self.surnames))

    @classmethod
    def of(cls, snap: IndexSnapshot) -> _SnapshotIndex:
        sections: dict[tuple[str, str], list[Document]] = {}
        vocabulary: set[str] = set()
        for doc in snap.chunks:
            key = (str(doc.metadata.get("posting_id", "")), str(doc.metadata.get("section", "")))
            sections.setdefault(key, []).append(doc)
            vocabulary.update(words(doc.page_content))
        surnames: dict[str, str] = {}
        for p in snap.postings:
            name = words(p.supervisor.name)
            if name and len(name[-1]) >= 3:
                surnames.setdefault(name[-1], p.id)
        people = frozenset(norm(p.supervisor.name) for p in snap.postings if p.supervisor.name)
        return cls(snap, sections, frozenset(w for w in vocabulary if len(w) >= 4), surnames,
                   people)


class ContextBuilder:
    def __init__(self, settings: Settings, prompts: Prompts) -> None:
        self.posting_k = max(1, settings.llm_posting_excerpts)
        self.corpus_k = max(0, settings.llm_corpus_excerpts)
        self.prompts = prompts
        self._index: _SnapshotIndex | None = None  # of the latest snapshot seen

    def build(self, question: str, answer: Answer, answerer: Extractive) -> LLMContext:
        snap = answerer.snap
        index = self._index_of(snap)
        query = self.corrected(question, index.vocabulary)
        q = analyse(query)
        sections = list(dict.fromkeys(
            s for intent in [*q.intents, answer.intent] for s in INTENT_SECTIONS.get(intent, ())))
        ids = [i for i in answer.posting_ids if i in snap.by_id]
        confident = self.confident(question, ids, answerer.resolver)
        corpus = self._retrieve(answerer, query, None, max(self.corpus_k, 10))
        focus = list(ids[:MAX_FOCUS_POSTINGS])
        for pid in index.named_people(query):  # "the hobden job", "lisa tortell supervises…"
            if pid not in focus and len(focus) < MAX_FOCUS_POSTINGS + 1:
                focus.append(pid)
        if not confident:
            for d in corpus[:2]:
                pid = str(d.metadata.get("posting_id", ""))
                if pid in snap.by_id and pid not in focus and len(focus) < MAX_FOCUS_POSTINGS:
                    focus.append(pid)
        spread: list[str] = []
        if not ids and sections:  # about no posting in particular: those sections of all
            ranked = [str(d.metadata.get("posting_id", "")) for d in corpus]
            spread = list(dict.fromkeys([*ranked, *snap.by_id]))[:MAX_SPREAD_POSTINGS]
        per_posting = self.posting_k if confident else max(2, self.posting_k // 2)
        corpus_k = max(2, self.corpus_k // 3) if confident else self.corpus_k
        docs: list[Document] = []
        for pid in focus:
            docs += self._sections(index, pid, sections)[:SECTION_DOCS_PER_POSTING]
            docs += self._retrieve(answerer, query, [pid], per_posting)
        for pid in spread:
            docs += self._sections(index, pid, sections)[:1]
        docs = _unique(docs)
        taken = {str(d.id) for d in docs}
        docs += [d for d in corpus if str(d.id) not in taken][:corpus_k]
        excerpts = [self._excerpt(d, snap) for d in docs[:MAX_EXCERPTS]]
        notes = ""
        if answer.intent == "offtopic":
            notes = self.prompts.offtopic
        elif answer.text.strip():
            template = self.prompts.facts if answer.found else self.prompts.not_stated
            excerpts.append(Excerpt(FACTS_HEADING, fill(template, facts=as_data(answer.text)),
                                    list(answer.citations), kind="facts"))
        return LLMContext(question, excerpts, notes, confident, focus, index.people)

    def _index_of(self, snap: IndexSnapshot) -> _SnapshotIndex:
        index = self._index
        if index is None or index.snap is not snap:
            index = self._index = _SnapshotIndex.of(snap)
        return index

    @staticmethod
    def corrected(question: str, vocabulary: frozenset[str]) -> str:
        """The question with words the corpus never uses replaced by the corpus word they
        are a typo of ("wat languges" → "wat languages"); the question itself otherwise."""
        def fix(m: re.Match[str]) -> str:
            word = fold(m.group(0))
            if len(word) < 4 or word in vocabulary or word in STOPWORDS:
                return m.group(0)
            close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=TYPO_CUTOFF)
            return close[0] if close else m.group(0)

        return re.sub(r"[^\W\d_]+", fix, question)

    @staticmethod
    def _sections(index: _SnapshotIndex, pid: str, sections: list[str]) -> list[Document]:
        return [d for s in sections for d in index.sections.get((pid, s), [])]

    @staticmethod
    def confident(question: str, ids: list[str], resolver: PostingResolver) -> bool:
        """The question itself names exactly the one posting the answer is about."""
        if len(ids) != 1:
            return False
        q = analyse(question)
        return resolver.resolve(q.clean, q.english) == ids

    @staticmethod
    def _retrieve(answerer: Extractive, question: str, ids: list[str] | None,
                  k: int) -> list[Document]:
        return answerer.retriever.with_postings(ids, answerer.snap, k=k).invoke(question)[:k]

    @staticmethod
    def _excerpt(doc: Document, snap: IndexSnapshot) -> Excerpt:
        citation = doc_citation(doc, snap.by_id)
        return Excerpt(f"{citation.title} — {citation.section}",
                       doc.page_content.strip()[:MAX_EXCERPT_CHARS], [citation])


def _unique(docs: list[Document]) -> list[Document]:
    seen: set[str] = set()
    out: list[Document] = []
    for d in docs:
        key = str(d.id or d.page_content[:80])
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
