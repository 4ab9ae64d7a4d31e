"""Grounded answers: facts are read from the structured postings, never made up.

`ExtractiveAnswerer` answers from the parsed records (and, for open questions, from the best
retrieved sentences). `AnswerService` adds conversation memory (follow-ups use the posting of
the previous turn) and, when an LLM is configured, hands over to the LLM chain with the
extractive answer as the safe fallback.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from langchain_core.documents import Document

from retrieval.chunking import section_label
from retrieval.eligibility import (
    EligibilityChecker,
    accepts_language,
    education_field_match,
    field_canonicals,
)
from retrieval.models import Answer, AnswerMode, Citation, Posting
from retrieval.parsing import duration_in_months, number_value, split_sentences
from retrieval.retriever import HybridRetriever
from retrieval.settings import Settings
from retrieval.store import IndexSnapshot, IndexStore
from retrieval.text import (
    FOREIGN_FUNCTION_WORDS,
    GENERIC,
    STOPWORDS,
    clauses,
    content_tokens,
    fold,
    stem,
    words,
)
from retrieval.understanding import (
    PostingResolver,
    Query,
    analyse,
    load_yaml,
    not_stated_topics,
    rare_terms,
    without_titles,
    word_forms,
)

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {
    "english": "en", "anglais": "en", "ingles": "en",
    "french": "fr", "francais": "fr", "frances": "fr",
    "spanish": "es", "espagnol": "es", "espanol": "es",
}
LANGUAGE_LABEL = {"en": "English", "fr": "French", "es": "Spanish"}
MAX_ITEMS = 10


def frames(language: str) -> dict[str, str]:
    table = load_yaml("answers.yaml")
    return {**table["en"], **table.get(language, {})}


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"• {i.strip()}" for i in items if i.strip())


def cite(p: Posting, section: str, excerpt: str = "") -> Citation:
    return Citation(posting_id=p.id, title=p.title, section=section_label(section),
                    excerpt=excerpt[:300])


@dataclass
class Turn:
    question: str
    posting_ids: list[str]
    answer: str = ""


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)

    @property
    def last_postings(self) -> list[str]:
        for turn in reversed(self.turns):
            if turn.posting_ids:
                return turn.posting_ids
        return []


class ConversationMemory:
    """Recent turns per conversation, in memory, least recently used dropped first."""

    def __init__(self, max_conversations: int = 10_000, max_turns: int = 6) -> None:
        self._data: OrderedDict[str, Conversation] = OrderedDict()
        self._max = max_conversations
        self._turns = max_turns

    def get(self, conversation_id: str) -> Conversation:
        conv = self._data.pop(conversation_id, None) or Conversation()
        self._data[conversation_id] = conv
        while len(self._data) > self._max:
            self._data.popitem(last=False)
        return conv

    def add(self, conversation_id: str, turn: Turn) -> None:
        conv = self.get(conversation_id)
        conv.turns = [*conv.turns, turn][-self._turns:]

    def reset(self, conversation_id: str) -> None:
        self._data.pop(conversation_id, None)


class ExtractiveAnswerer:
    """Answers from the structured records of one index snapshot."""

    def __init__(self, snapshot: IndexSnapshot, retriever: HybridRetriever,
                 eligibility: EligibilityChecker) -> None:
        self.snap = snapshot
        self.postings = snapshot.postings
        self.retriever = retriever
        self.eligibility = eligibility
        self.resolver = PostingResolver(self.postings)
        # Per-snapshot caches for questions over all postings (built on first use).
        self._bodies: list[set[str]] | None = None
        # Per posting: its sections' sentences, each with its folded text and folded words,
        # and its whole folded text (corpus-wide "mention" questions scan them all).
        self._sentences: dict[str, list[tuple[str, list[_Sentence]]]] = {}
        self._folded_texts: dict[str, str] = {}

    # ---- entry point --------------------------------------------------------------------------

    def answer(self, question: str, context_postings: list[str] | None = None) -> Answer:
        return _cap_lists(self._answer(question, context_postings))

    def _answer(self, question: str, context_postings: list[str] | None = None) -> Answer:
        q = analyse(question)
        f = frames(q.language)
        if not self.postings:
            return Answer(text=f["nothing"], found=False, intent="empty")
        if q.injection and not q.clean.strip(" ?.!,"):
            return Answer(text=f["injection"], found=False, intent="injection")
        if q.thanks and not q.intents:
            return Answer(text=f["thanks"], found=True, intent="greeting")
        if q.greeting and not q.intents:
            return Answer(text=f["greeting"].format(n=len(self.postings)), found=True,
                          intent="greeting")
        named = self.resolver.resolve(q.clean, q.english)
        if named:
            q = without_titles(q, [self.snap.by_id[i] for i in named if i in self.snap.by_id])
        if "eligibility" in q.intents:
            ids = None if q.corpus_scope else (named or context_postings or None)
            verdict = self.eligibility.answer(q.clean, ids, q.language)
            if verdict is not None:
                return verdict
        if "count" in q.intents:
            return self._conditional_count(q) or self._count(q)
        corpus = q.corpus_scope and not (named and not q.mentions and len(named) == 1
                                         and not re.search(r"\b(which|any|all|how many)\b",
                                                           q.english))
        if corpus:
            answer = self._corpus(q)
            if answer is not None:
                return answer
        ids = named or context_postings or []
        if not ids:
            return self._unscoped(q)
        posts = [self.snap.by_id[i] for i in ids if i in self.snap.by_id]
        if len(posts) == 1:
            return self._one(q, posts[0])
        return self._several(q, posts)

    # ---- one posting -------------------------------------------------------------------------

    def _one(self, q: Query, p: Posting) -> Answer:
        f = frames(q.language)
        t = p.short_title
        if q.not_stated and not _fields_asked(q):
            return self._not_stated(q, [p])
        intents = [i for i in q.intents if i not in {"mention", "count"}] or ["general"]
        main = intents[0]
        chosen = [main, *[i for i in intents[1:] if main in _COMBINE and i in _COMBINE][:2]]
        parts: list[str] = []
        citations: list[Citation] = []
        found = True
        for intent in chosen:
            text, cites, ok = self._field(q, p, intent, f)
            if text:
                parts.append(text)
            citations += cites
            found = found and ok
        wrong = _false_claims(q, p, "\n".join(parts))
        if wrong:
            parts.insert(0, f["premise_wrong"].format(name=", ".join(wrong)))
        text = "\n\n".join(parts) or f["not_in_posting"].format(t=t)
        return Answer(text=text, found=found and bool(parts), citations=citations,
                      intent=main, posting_ids=[p.id])

    def _field(self, q: Query, p: Posting, intent: str,
               f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        """(text, citations, found) for one intent about one posting."""
        t = p.short_title
        sup = p.supervisor.describe()
        if intent == "supervisor":
            if not sup:
                return f["supervisor_missing"].format(t=t), [cite(p, "supervision")], False
            if not p.supervisor.name and not re.match(r"(?i)(the|a|an)\b", sup):
                sup = f"the {sup}"  # a role, not a person: "supervised by the Adviser to …"
            return f["supervisor"].format(t=t, value=sup), [cite(p, "supervision", sup)], True
        if intent == "contact":
            if p.supervisor.email:
                value = f"{p.supervisor.email}" + (f" ({p.supervisor.name})"
                                                    if p.supervisor.name else "")
                return f["contact"].format(t=t, value=value), [cite(p, "supervision", sup)], True
            return (f["contact_missing"].format(t=t, value=sup or "—"),
                    [cite(p, "supervision", sup)], False)
        if intent in _SCALAR_FIELDS:
            attr, missing = _SCALAR_FIELDS[intent]
            value = getattr(p, attr)
            if not value:
                return f[missing].format(t=t), [cite(p, "summary")], False
            return f[intent].format(t=t, value=value), [cite(p, "summary", value)], True
        if intent == "department_unit":
            lines = []
            if p.department:
                lines.append(f["department"].format(t=t, value=p.department))
            if p.unit:
                lines.append(f["unit"].format(value=p.unit))
            ok = bool(lines)
            return (" ".join(lines) or f["not_in_posting"].format(t=t),
                    [cite(p, "summary", f"{p.department}; {p.unit}")], ok)
        if intent == "duties":
            if not p.duties:
                return self._general(q, p, f)
            return (f"{f['duties'].format(t=t)}\n{bullets(p.duties[:MAX_ITEMS])}",
                    [cite(p, "duties", p.duties[0])], True)
        if intent == "key_outputs":
            if not p.key_outputs:
                return self._general(q, p, f)
            return (f"{f['key_outputs'].format(t=t)}\n{bullets(p.key_outputs)}",
                    [cite(p, "key_outputs", p.key_outputs[0])], True)
        if intent in {"education", "experience", "skills", "languages"}:
            return self._block(q, p, intent, f)
        if intent == "requirements":
            texts, cites = [f["requirements"].format(t=t)], []
            for name in ("education", "experience", "languages", "skills"):
                block = getattr(p, name)
                if block.minimum:
                    texts.append(f"• {section_label(name + '.minimum')}: {_inline(block.minimum)}")
                    cites.append(cite(p, f"{name}.minimum", block.minimum))
            return "\n".join(texts), cites, bool(cites)
        if intent == "competencies":
            if not p.competencies:
                return f["not_in_posting"].format(t=t), [cite(p, "competencies")], False
            return (f"{f['competencies'].format(t=t)}\n{bullets(p.competencies)}",
                    [cite(p, "competencies", p.competencies[0])], True)
        if intent in {"learning", "training"}:
            parts, cites = [], []
            order = ["learning", "training"] if intent == "learning" else ["training", "learning"]
            for name in order:
                if name == "learning" and p.learning:
                    parts.append(f"{f['learning'].format(t=t)}\n{bullets(p.learning)}")
                    cites.append(cite(p, "learning", p.learning[0]))
                if name == "training" and p.training:
                    parts.append(f"{f['training'].format(t=t)}\n{_trim(p.training, 700)}")
                    cites.append(cite(p, "training", p.training))
            if not parts:
                return f["not_in_posting"].format(t=t), [], False
            return "\n\n".join(parts), cites, True
        if intent == "background":
            if not p.background:
                return self._general(q, p, f)
            return (f"{f['background'].format(t=t)}\n{_trim(p.background, 800)}",
                    [cite(p, "background", p.background)], True)
        if intent == "summary":
            return self._summary(p, f)
        return self._general(q, p, f)

    def _block(self, q: Query, p: Posting, name: str,
               f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        block = getattr(p, name)
        t = p.short_title
        if block.is_empty:
            return f["not_in_posting"].format(t=t), [cite(p, f"{name}.minimum")], False
        lines = [f[name].format(t=t)]
        cites: list[Citation] = []
        show_min = not q.wants_desirable or not block.desirable
        show_des = (q.wants_desirable or not q.wants_minimum) and bool(block.desirable)
        if show_min and block.minimum:
            lines.append(f"• {f['minimum']}: {_inline(block.minimum)}")
            cites.append(cite(p, f"{name}.minimum", block.minimum))
        if show_des:
            lines.append(f"• {f['desirable']}: {_inline(block.desirable)}")
            cites.append(cite(p, f"{name}.desirable", block.desirable))
        elif q.wants_desirable:
            lines.append(f"• {f['desirable']}: {f['not_stated_short']}")
        return "\n".join(lines), cites, True

    def _summary(self, p: Posting, f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        rows = [
            (f["label_department"], p.department), (f["label_unit"], p.unit),
            (f["label_station"], p.duty_station), (f["label_duration"], p.duration),
            (f["label_grade"], p.grade or f["not_stated_grade"]),
            (f["label_supervisor"], p.supervisor.describe()),
            (f["label_post_number"], p.post_number), (f["label_issued"], p.issued),
        ]
        head = f"{p.title}\n" + "\n".join(f"• {k}: {v}" for k, v in rows if v)
        intro = split_sentences(p.introduction)[:2]
        text = head + (f"\n\n{' '.join(intro)}" if intro else "")
        cites = [cite(p, "summary", p.title)]
        if intro:
            cites.append(cite(p, "introduction", intro[0]))
        return text, cites, True

    def _general(self, q: Query, p: Posting | None,
                 f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        """Open questions: the most relevant sentences of the retrieved chunks."""
        ids = [p.id] if p else None
        docs = self.retriever.with_postings(ids, self.snap).invoke(q.english if q.language != "en"
                                                                   else q.clean)
        # Words that only named the posting say nothing about what is asked of it.
        naming = set(content_tokens(" ".join([p.short_title, p.department, p.unit,
                                              *p.acronyms]))) if p else set()
        picked, found = self._best_sentences(q, docs, skip=naming)
        if not picked:
            text = f["not_in_posting"].format(t=p.short_title) if p else f["nothing"]
            return text, [], False
        lines = []
        cites: list[Citation] = []
        for sentence, doc in picked:
            post = self.snap.by_id.get(str(doc.metadata["posting_id"]))
            if post is None:
                continue
            prefix = "" if p else f"{post.short_title}: "
            lines.append(f"• {prefix}{sentence}")
            cites.append(cite(post, str(doc.metadata["section"]), sentence))
        if found:
            head = f["general_found"].format(t=p.short_title) if p else ""
        else:
            head = f["general_missing"]
        return "\n".join(x for x in [head, *lines] if x), cites, found

    def _best_sentences(self, q: Query, docs: list[Document], limit: int = 3,
                        skip: set[str] | None = None) -> tuple[list[tuple[str, Document]], bool]:
        skip = _QUESTION_WORDS | (skip or set())
        q_tokens = [t for t in dict.fromkeys(content_tokens(q.english))
                    if t not in skip and len(t) > 1 and not t.isdigit()]
        if not q_tokens or not docs:
            return [], False
        n = max(len(self.snap.chunks), 1)
        weights = {t: _idf(self.snap.bm25.term_document_frequency(t), n) for t in q_tokens}
        total = sum(weights.values()) or 1.0
        # "What is the SRM TWG?": the sentence that spells out "(SRM TWG)" defines it.
        acronyms = [m.group(0) for m in re.finditer(r"\b[A-Z]{2,}(?:[ /-][A-Z]{2,})*\b", q.clean)
                    if m.group(0) not in {"ILO", "JPO"}]
        scored: list[tuple[float, int, str, Document]] = []
        for rank, doc in enumerate(docs):
            if doc.metadata.get("kind") == "summary":
                continue
            for sentence in split_sentences(doc.page_content.replace("\n", " ")):
                st = set(content_tokens(sentence))
                s = sum(w for t, w in weights.items() if t in st)
                if any(f"({a})" in sentence for a in acronyms):
                    s += total
                if s > 0:
                    scored.append((s / total, -rank, sentence.lstrip("-• "), doc))
        scored.sort(key=lambda x: (-x[0], -x[1]))
        seen: set[str] = set()
        out: list[tuple[str, Document]] = []
        for _s, _r, sentence, doc in scored:
            if sentence not in seen:
                seen.add(sentence)
                out.append((sentence, doc))
            if len(out) >= limit:
                break
        best = scored[0][0] if scored else 0.0
        return out, best >= 0.5

    # ---- not stated ---------------------------------------------------------------------------

    def _not_stated(self, q: Query, posts: list[Posting]) -> Answer:
        f = frames(q.language)
        topic = not_stated_topics()[q.not_stated or ""]
        name = topic["name"].get(q.language, topic["name"]["en"])
        evidence: list[tuple[Posting, str]] = []
        for p in posts:
            for sentence in split_sentences(p.text.replace("\n", " ")):
                if topic["evidence"].search(fold(sentence)):
                    evidence.append((p, sentence))
        if evidence:
            lines = [f"• {p.short_title}: {s}" for p, s in evidence[:4]]
            return Answer(text="\n".join(lines), found=True, intent=q.not_stated or "",
                          citations=[cite(p, "background", s) for p, s in evidence[:4]],
                          posting_ids=[p.id for p in posts])
        if len(posts) == 1:
            head = f["not_stated_one"].format(t=posts[0].short_title, topic=name)
        else:
            head = f["not_stated"].format(topic=name)
        lines = [head]
        cites: list[Citation] = []
        related = topic.get("related", [])
        said: list[str] = []
        if len(posts) == 1:
            for intent in related:
                text, c, ok = self._field(q, posts[0], intent, f)
                if ok:
                    said.append(text)
                    cites += c
            context = topic.get("context")
            if context:
                for section, text in _section_items(posts[0]):
                    sentence = next((s for s in split_sentences(text.replace("\n", " "))
                                     if re.search(context, fold(s))), None)
                    if sentence:
                        said.append(sentence)
                        cites.append(cite(posts[0], section, sentence))
                        break
        if said:
            lines += [f["what_they_say"], *said]
        if not cites:
            cites = [cite(p, "summary") for p in posts]
        return Answer(text="\n".join(lines), found=False, citations=cites,
                      intent=q.not_stated or "not_stated", posting_ids=[p.id for p in posts])

    # ---- no posting named --------------------------------------------------------------------

    def _unscoped(self, q: Query) -> Answer:
        f = frames(q.language)
        if q.not_stated and not _fields_asked(q):
            return self._not_stated(q, self.postings)
        field_intents = [i for i in q.intents if i in _FIELD_INTENTS]
        if field_intents:
            if len(self.postings) == 1:
                return self._one(q, self.postings[0])
            return self._several(q, self.postings)
        if q.injection:
            return Answer(text=f["injection"], found=False, intent="injection")
        text, cites, found = self._general(q, None, f)
        if not found:
            if not cites:
                return Answer(text=f["offtopic"].format(n=len(self.postings)), found=False,
                              intent="offtopic")
            return Answer(text=text, found=False, citations=cites, intent="general")
        ids = list(dict.fromkeys(c.posting_id for c in cites))
        return Answer(text=text, found=True, citations=cites, intent="general", posting_ids=ids)

    def _several(self, q: Query, posts: list[Posting]) -> Answer:
        """The same field for several postings, one paragraph each."""
        if q.not_stated and not _fields_asked(q):
            return self._not_stated(q, posts)
        f = frames(q.language)
        intents = [i for i in q.intents if i in _FIELD_INTENTS] or ["summary"]
        parts: list[str] = []
        cites: list[Citation] = []
        any_found = False
        for p in posts:
            text, c, ok = self._field(q, p, intents[0], f)
            if text:
                parts.append(text)
            cites += c
            any_found = any_found or ok
        return Answer(text="\n\n".join(parts), found=any_found, citations=cites,
                      intent=intents[0], posting_ids=[p.id for p in posts])

    # ---- questions over all postings ---------------------------------------------------------

    def _count(self, q: Query) -> Answer:
        f = frames(q.language)
        lines = [f["count"].format(n=len(self.postings))]
        lines += [f"• {p.title} — {p.duty_station or '?'}" for p in self.postings]
        return Answer(text="\n".join(lines), found=True, intent="count",
                      citations=[cite(p, "summary", p.title) for p in self.postings],
                      posting_ids=[p.id for p in self.postings])

    def _conditional_count(self, q: Query) -> Answer | None:
        """"How many postings require an advanced degree?": the corpus-wide answer to the
        condition, headed by how many postings meet it."""
        asked = [i for i in q.intents if i != "count"]
        if not asked and not q.mentions:
            return None
        answer = self._corpus(replace(q, intents=asked))
        if answer is None or answer.intent not in _COUNTABLE:
            return None  # an answer that is no list of matching postings: count them all
        head = frames(q.language)["count_of"].format(k=len(answer.posting_ids),
                                                     n=len(self.postings))
        return answer.model_copy(update={"text": f"{head}\n{answer.text}"})

    def _corpus(self, q: Query) -> Answer | None:
        f = frames(q.language)
        posts = self.postings
        intents = set(q.intents)
        if q.not_stated and not _fields_asked(q):
            return self._not_stated(q, posts)
        if "duration" in intents:
            compared = self._durations_compared(q, posts)
            if compared is not None:
                return compared
            months = _asked_months(q.english)
            if months:
                hits = [p for p in posts if p.duration_months == months]
                label = _asked_duration_text(q.english) or _months_label(months)
                if hits:
                    lines = [f["duration_match"].format(value=label)]
                    lines += [f"• {p.title}: {p.duration}" for p in hits]
                    return _corpus_answer(lines, hits, "summary", "duration")
                return _all_durations(f["duration_none"].format(value=label), posts)
        if "experience" in intents:
            bounds = _asked_years(q.english)
            if bounds:
                return self._years_corpus(q, posts, *bounds)
        if "duty_station" in intents and not (intents & {"languages", "education", "experience"}):
            return self._stations(q, posts)
        if "languages" in intents:
            asked = [iso for w, iso in LANGUAGE_NAMES.items() if re.search(rf"\b{w}\b", q.english)]
            if asked:
                return self._languages_corpus(q, posts, list(dict.fromkeys(asked)))
        if "education" in intents or "requirements" in intents:
            fields = _degree_fields(q)
            if fields:
                return self._education_corpus(q, posts, fields)
            level = _asked_degree_level(q.english)
            if level:
                return self._degree_level_corpus(q, posts, level)
        if "grade" in intents:
            asked_grade = re.search(r"\b([pgd])\s*-?\s*(\d)\b", q.english)
            if asked_grade:
                grade = f"{asked_grade.group(1)}{asked_grade.group(2)}".upper()
                hits = [p for p in posts if p.grade.replace(" ", "").upper() == grade]
                lines = [f["grade_match"].format(value=grade) if hits
                         else f["grade_none"].format(value=grade)]
                lines += [f"• {p.title}" for p in hits]
                others = [p for p in posts if p not in hits]
                if others:
                    lines.append(f["grade_others"])
                    lines += [f"• {p.short_title}: {p.grade or f['not_stated_grade']}"
                              for p in others]
                return _corpus_answer(lines, hits or posts, "summary", "grade")
            groups: dict[str, list[Posting]] = {}
            for p in posts:
                groups.setdefault(p.grade or f["not_stated_grade"], []).append(p)
            lines = [f["grade_groups"]]
            lines += [f"• {g}: " + "; ".join(p.short_title for p in ps) for g, ps in groups.items()]
            return _corpus_answer(lines, posts, "summary", "grade")
        if self._bodies is None:
            self._bodies = [set(words(p.text)) for p in self.postings]
        skip = _intent_words() | (FOREIGN_FUNCTION_WORDS if q.language != "en" else set())
        terms = rare_terms(q.english, posts, skip=skip, bodies=self._bodies)
        if not terms:
            # "Does any posting require Python?": a name no posting contains gets a plain
            # "none mention it", not a list built from the question's other words.
            absent = _absent_names(q.clean, self._bodies)
            if absent:
                return Answer(text=f["mention_none"].format(term=" / ".join(absent)),
                              found=False, intent="mention")
        if terms and (q.mentions or not (intents & _FIELD_INTENTS)):
            return self._mentions(q, posts, terms)
        field_intents = [i for i in q.intents if i in _FIELD_INTENTS]
        if terms and field_intents and field_intents[0] in _SECTION_KEYS:
            # "Which postings require experience in due diligence?": look in that section only.
            return self._mentions(q, posts, terms, sections=_SECTION_KEYS[field_intents[0]])
        if field_intents:
            return self._several(q, posts)
        if terms:
            return self._mentions(q, posts, terms)
        return None

    def _stations(self, q: Query, posts: list[Posting]) -> Answer:
        f = frames(q.language)
        groups: dict[str, list[Posting]] = {}
        for p in posts:
            groups.setdefault(p.duty_station or "?", []).append(p)
        if len(groups) == 1:
            station = next(iter(groups))
            text = f["station_all_same"].format(n=len(posts), value=station)
            return Answer(text=text, found=True, intent="duty_station",
                          citations=[cite(p, "summary", p.duty_station) for p in posts],
                          posting_ids=[p.id for p in posts])
        lines = [f["station_groups"]]
        lines += [f"• {s}: " + "; ".join(p.short_title for p in ps) for s, ps in groups.items()]
        return _corpus_answer(lines, posts, "summary", "duty_station")

    def _languages_corpus(self, q: Query, posts: list[Posting], asked: list[str]) -> Answer:
        f = frames(q.language)
        lines: list[str] = []
        hits: list[Posting] = []
        sections: dict[str, str] = {}
        for iso in asked:
            label = LANGUAGE_LABEL[iso]
            groups: dict[str, list[Posting]] = {"required": [], "accepted": [], "desirable": []}
            for p in posts:
                kind = accepts_language(p, iso, self.eligibility.requirements(p))
                if kind:
                    groups[kind].append(p)
            for kind, key in (("required", "lang_required"), ("accepted", "lang_accept"),
                              ("desirable", "lang_desirable")):
                if groups[kind]:
                    lines.append(f[key].format(lang=label))
                    lines += [f"• {p.title}: {_inline(p.languages.minimum if kind != 'desirable' else p.languages.desirable)}"  # noqa: E501
                              for p in groups[kind]]
                    hits += groups[kind]
                    for p in groups[kind]:
                        sections.setdefault(p.id, "languages.desirable" if kind == "desirable"
                                            else "languages.minimum")
        if not hits:
            lines = [f["none_match"].format(n=len(posts))]
        uniq = list({p.id: p for p in hits}.values())
        return Answer(text="\n".join(lines), found=True, intent="languages",
                      citations=[cite(p, sections[p.id]) for p in uniq],
                      posting_ids=[p.id for p in uniq])

    def _education_corpus(self, q: Query, posts: list[Posting], fields: list[str]) -> Answer:
        f = frames(q.language)
        lines: list[str] = []
        hits: list[Posting] = []
        for field_name in fields:
            match = {p.id: education_field_match(p, field_name, self.eligibility.requirements(p))
                     for p in posts}
            required = [p for p in posts if match[p.id] == "required"]
            accepted = [p for p in posts if match[p.id] == "accepted"]
            if required:
                lines.append(f["law_required"].format(field=field_name))
                lines += [f"• {p.title}: {_inline(p.education.minimum)}" for p in required]
            if accepted and not q.wants_minimum:
                lines.append(f["law_accepted"].format(field=field_name))
                lines += [f"• {p.title}" for p in accepted]
            if not required and not accepted:
                lines.append(f["field_none"].format(field=field_name))
            hits += required + accepted
        uniq = list({p.id: p for p in hits}.values())
        return Answer(text="\n".join(lines), found=True, intent="education",
                      citations=[cite(p, "education.minimum", p.education.minimum) for p in uniq],
                      posting_ids=[p.id for p in uniq])

    def _durations_compared(self, q: Query, posts: list[Posting]) -> Answer | None:
        """"Which posting is the longest?", "…shorter than 2 years?" (durations in months)."""
        f = frames(q.language)
        known = [p for p in posts if p.duration_months]
        text = f"{q.folded} {q.english}"
        if not known:
            return None
        if re.search(r"\b(longest|le plus long|la plus longue|mas larg[oa])\b", text):
            best = max(p.duration_months or 0 for p in known)
            hits = [p for p in known if p.duration_months == best]
            lines = [f["duration_longest"].format(value=_months_label(best))]
        elif re.search(r"\b(shortest|le plus court|la plus courte|mas cort[oa])\b", text):
            best = min(p.duration_months or 0 for p in known)
            hits = [p for p in known if p.duration_months == best]
            lines = [f["duration_shortest"].format(value=_months_label(best))]
        else:
            m = re.search(r"\b(longer|more|over|above|shorter|less|fewer|under|below)\s+(than\s+)?"
                          rf"{_TIME_AMOUNT}\b", q.english)
            months = _asked_months(m.group(0)) if m else None
            if not m or not months:
                return None
            longer = m.group(1) in {"longer", "more", "over", "above"}
            hits = [p for p in known if (p.duration_months or 0) > months] if longer else \
                [p for p in known if (p.duration_months or 0) < months]
            frame = "duration_longer" if longer else "duration_shorter"
            lines = [f[frame].format(value=_months_label(months))]
        if not hits:
            return _all_durations(f["duration_cmp_none"], posts)
        lines += [f"• {p.title}: {p.duration}" for p in hits]
        return _corpus_answer(lines, hits, "summary", "duration")

    def _years_corpus(self, q: Query, posts: list[Posting], kind: str, years: float) -> Answer:
        f = frames(q.language)
        hits: list[tuple[Posting, str]] = []
        for p in posts:
            for req in self.eligibility.requirements(p):
                if req.kind != "experience" or req.level != "minimum":
                    continue
                value = req.max_years if kind == "max" else req.min_years
                if (value is not None and abs(value - years) < 1e-6) or (
                        kind == "any" and years in (req.min_years, req.max_years)):
                    hits.append((p, req.source_text))
                    break
        label = f"{years:g}"
        if not hits:
            lines = [f["none_match"].format(n=len(posts))]
            lines += [f"• {p.short_title}: {_inline(p.experience.minimum)}" for p in posts]
            return Answer(text="\n".join(lines), found=True, intent="experience",
                          citations=[cite(p, "experience.minimum") for p in posts])
        lines = [f["years_match"].format(value=label)]
        lines += [f"• {p.title}: {_inline(text)}" for p, text in hits]
        return Answer(text="\n".join(lines), found=True, intent="experience",
                      citations=[cite(p, "experience.minimum", t) for p, t in hits],
                      posting_ids=[p.id for p, _t in hits])

    def _degree_level_corpus(self, q: Query, posts: list[Posting], level: str) -> Answer:
        f = frames(q.language)
        levels: dict[str, list[Posting]] = {"advanced": [], "first": [], "": []}
        for p in posts:
            found = [r.degree_level for r in self.eligibility.requirements(p)
                     if r.kind == "education" and r.level == "minimum" and r.degree_level]
            levels[found[0] if found else ""].append(p)
        hits = levels[level]
        key = "level_advanced" if level == "advanced" else "level_first"
        lines = [f[key]] + [f"• {p.title}: {_inline(p.education.minimum)}" for p in hits]
        if level == "first" and levels["advanced"]:
            lines.append(f["level_advanced"])
            lines += [f"• {p.title}" for p in levels["advanced"]]
        if not hits:
            lines = [f["none_match"].format(n=len(posts))]
        return Answer(text="\n".join(lines), found=True, intent="education",
                      citations=[cite(p, "education.minimum", p.education.minimum)
                                 for p in hits or posts],
                      posting_ids=[p.id for p in hits])

    def _mentions(self, q: Query, posts: list[Posting], terms: list[tuple[str, str]],
                  sections: tuple[str, ...] | None = None) -> Answer:
        """Postings whose text contains what the question names: the longest phrase of the
        question found in the postings ("domestic workers"), else its rarest word."""
        f = frames(q.language)
        phrase = _longest_phrase(q.english, [self._folded_text(p) for p in posts])
        _stem, surface = terms[0]
        display = phrase or _surface_in_corpus(surface, posts)

        forms = word_forms(surface)
        folded_phrase = fold(phrase)

        def contains(sentence: _Sentence) -> bool:
            if phrase:
                return folded_phrase in sentence.folded
            return bool(forms & sentence.words)

        hits: list[tuple[Posting, str, str]] = []
        for p in posts:
            for key, sentences in self._posting_sentences(p):
                if sections and not key.startswith(sections):
                    continue
                found = next((s for s in sentences if contains(s)), None)
                if found:
                    hits.append((p, key, found.text))
                    break
        if not hits:
            return Answer(text=f["mention_none"].format(term=display), found=False,
                          intent="mention")
        lines = [f["mention"].format(term=display)]
        lines += [f"• {p.title} ({section_label(k)}): {_trim(s, 300)}" for p, k, s in hits]
        return Answer(text="\n".join(lines), found=True, intent="mention",
                      citations=[cite(p, k, s) for p, k, s in hits],
                      posting_ids=[p.id for p, _k, _s in hits])

    def _posting_sentences(self, p: Posting) -> list[tuple[str, list[_Sentence]]]:
        if p.id not in self._sentences:
            self._sentences[p.id] = [(k, [_Sentence.of(s) for s in _line_sentences(t)])
                                     for k, t in _section_items(p)]
        return self._sentences[p.id]

    def _folded_text(self, p: Posting) -> str:
        if p.id not in self._folded_texts:
            self._folded_texts[p.id] = " " + _flat_fold(p.text)
        return self._folded_texts[p.id]


# ---- helpers ------------------------------------------------------------------------------------

# Corpus-wide answers whose posting_ids are exactly the postings meeting the condition.
_COUNTABLE = {"education", "languages", "duration", "experience", "mention"}
_FIELD_INTENTS = {
    "supervisor", "contact", "duty_station", "grade", "duration", "department_unit",
    "post_number", "issue_date", "duties", "key_outputs", "education", "experience", "skills",
    "languages", "competencies", "learning", "training", "background", "requirements",
}
_COMBINE = {"education", "experience", "skills", "languages", "supervisor"}
# One-value fields: intent → (Posting attribute, answer frame used when the posting is silent).
_SCALAR_FIELDS = {
    "duty_station": ("duty_station", "not_in_posting"),
    "grade": ("grade", "grade_missing"),
    "duration": ("duration", "not_in_posting"),
    "post_number": ("post_number", "not_in_posting"),
    "issue_date": ("issued", "issue_date_missing"),
}
_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "education": ("education",), "experience": ("experience",), "skills": ("skills",),
    "languages": ("languages",), "duties": ("duties", "key_outputs"),
    "key_outputs": ("key_outputs",), "learning": ("learning", "training"),
    "training": ("training", "learning"), "competencies": ("competencies",),
    "duration": ("summary",), "background": ("background", "introduction"),
}
_QUESTION_WORDS = {stem(w) for w in (
    "which", "what", "does", "posting", "mention", "mentions", "say", "said", "anything",
    "about", "tell", "is", "there", "any", "information", "involve", "involves", "include",
    "includes", "cover", "covers", "relate", "related", "deal", "deals", "talk", "mean")}


_CLAIM_RE = re.compile(r"\b(\d+(?:\.\d+)?\s*(?:years?|months?)|[PGD]-?\d|[\w.+-]+@[\w.-]+)\b")


def _false_claims(q: Query, p: Posting, answer_text: str) -> list[str]:
    """Names and values the question asserts ("supervised by John Smith, right?", "lasts
    3 years, correct?") that the posting does not contain."""
    claims = list(q.named_people)
    if q.confirming:
        claims += [m.group(1) for m in _CLAIM_RE.finditer(q.clean)]
    haystack = f"{p.text}\n{answer_text}".lower()
    return [c for c in dict.fromkeys(claims) if c.lower() not in haystack]


MAX_LISTED = 25


def _cap_lists(answer: Answer, limit: int = MAX_LISTED) -> Answer:
    """Keep corpus-wide answers readable on a large corpus: at most `limit` bullets in a row,
    at most `limit` names in a "; "-joined group, and citations for what is shown."""
    out: list[str] = []
    run = hidden = 0
    for line in answer.text.split("\n"):
        if line.startswith("• "):
            run += 1
            if run > limit:
                hidden += 1
                continue
            head, sep, names = line.partition(": ")
            parts = names.split("; ")
            if sep and len(parts) > limit:
                line = f"{head}: {'; '.join(parts[:limit])}; … (+{len(parts) - limit})"
        else:
            if hidden:
                out.append(f"• … (+{hidden})")
            run = hidden = 0
        out.append(line)
    if hidden:
        out.append(f"• … (+{hidden})")
    text = "\n".join(out)
    if text == answer.text and len(answer.citations) <= limit * 2:
        return answer
    shown = list(dict.fromkeys(c.posting_id for c in answer.citations))[: limit]
    return answer.model_copy(update={
        "text": text,
        "citations": [c for c in answer.citations if c.posting_id in shown]})


def _fields_asked(q: Query) -> bool:
    """A not-stated topic plus a real field ("what is the pay grade?"): answer the field."""
    return q.not_stated == "salary" and "grade" in q.intents


def _inline(text: str) -> str:
    return re.sub(r"\s*\n\s*(- )?", " ", text).strip()


def _trim(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("\n"))
    return (cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0] + "…").strip()


def _idf(df: int, n: int) -> float:
    import math

    return math.log(1 + (n - df + 0.5) / (df + 0.5))


# "2 years", "eighteen months", "12-month": a number and its unit.
_TIME_AMOUNT = r"(\d+|one|two|three|four|five|six|twelve|eighteen)[\s-]*(years?|months?|yrs?)"


def _asked_months(text: str) -> int | None:
    m = re.search(_TIME_AMOUNT, text)
    if not m:
        return None
    return duration_in_months(f"{m.group(1)} {m.group(2)}")


def _all_durations(head: str, posts: list[Posting]) -> Answer:
    """No posting matched the asked duration: say so and list what the durations are."""
    lines = [head, *(f"• {p.short_title}: {p.duration}" for p in posts)]
    return Answer(text="\n".join(lines), found=True, intent="duration",
                  citations=[cite(p, "summary", p.duration) for p in posts], posting_ids=[])


def _line_sentences(text: str) -> list[str]:
    """Sentences, never running across lines (a summary's "Duration: …" stays alone)."""
    return [s for line in text.split("\n") for s in split_sentences(line.lstrip("-• "))]


def _asked_duration_text(text: str) -> str:
    m = re.search(r"\b(\d+|one|two|three|four|six|twelve|eighteen)[\s-]*(years?|months?)\b", text)
    return m.group(0) if m else ""


_YEAR_WORDS = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)"


def _asked_years(text: str) -> tuple[str, float] | None:
    """('max'|'min'|'any', years) from "a maximum of 4 years", "at least two years"…"""
    m = re.search(r"\b(maximum|max|at most|up to|no more than|upper limit of)\s+(of\s+)?"
                  + _YEAR_WORDS + r"\s+years?", text)
    if m:
        return "max", float(number_value(m.group(3)) or 0)
    m = re.search(r"\b(minimum|min|at least|more than)\s+(of\s+)?" + _YEAR_WORDS + r"\s+years?",
                  text)
    if m:
        return "min", float(number_value(m.group(3)) or 0)
    m = re.search(_YEAR_WORDS + r"\s+years? (of )?(work |relevant |professional )?experience", text)
    if m:
        return "any", float(number_value(m.group(1)) or 0)
    return None


def _asked_degree_level(text: str) -> str:
    if re.search(r"\b(master|masters|advanced|post ?graduate|graduate degree|phd|doctorate)\b",
                 text):
        return "advanced"
    if re.search(r"\b(first (university )?degree|bachelor|bachelors|undergraduate|licence)\b",
                 text):
        return "first"
    return ""


@dataclass(frozen=True)
class _Sentence:
    text: str
    folded: str  # folded, whitespace collapsed: what a phrase is searched in
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> _Sentence:
        return cls(text, _flat_fold(text), frozenset(words(text)))


def _flat_fold(text: str) -> str:
    """Folded, whitespace runs made one space: what a phrase of the question is looked for in."""
    return re.sub(r"\s+", " ", fold(text))


def _longest_phrase(question: str, texts: list[str]) -> str:
    """The longest run (2+ words) of the question's content words that a posting contains;
    `texts` are the postings' folded texts, whitespace collapsed, each after one space."""
    ws = [w for w in re.findall(r"[\w'’-]+", question)]
    best = ""
    for i in range(len(ws)):
        if ws[i].lower() in STOPWORDS or ws[i].lower() in GENERIC:
            continue
        for j in range(len(ws), i + 1, -1):
            if ws[j - 1].lower() in STOPWORDS:
                continue
            phrase = " ".join(ws[i:j])
            needle = f" {fold(phrase)}"  # at a word start
            if len(phrase) > len(best) and any(needle in t for t in texts):
                best = phrase
                break
    return best if " " in best else ""


def _months_label(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} months"


_DEGREE_WORDS = {
    "degree", "degrees", "diploma", "university", "advanced", "first", "master", "masters",
    "bachelor", "bachelors", "phd", "doctorate", "education", "require", "requires", "required",
    "requiring", "need", "needs", "accept", "accepts", "study", "studies", "background",
    "field", "fields", "qualification", "qualifications", "postings", "posting", "which", "what",
    "minimum", "ask", "asks", "for", "in", "a", "an", "the", "do", "does", "any", "of", "with",
    "or", "and", "only", "graduate", "requirement", "requirements", "academic", "have", "me",
}


def _degree_fields(q: Query) -> list[str]:
    """The academic field(s) a corpus question names: 'law degree' → ['law']."""
    known = field_canonicals(q.english)
    if known:
        return known
    ws = [w for w in words(q.english) if w not in _DEGREE_WORDS and w not in STOPWORDS
          and w not in GENERIC]
    return [" ".join(ws)] if ws and len(ws) <= 3 else []


@cache
def _intent_words() -> frozenset[str]:
    base = {
        "mention", "mentions", "mentioning", "collaboration", "collaborate", "collaborates",
        "refer", "refers", "involve", "involves", "related", "cover", "covers", "include",
        "includes", "talk", "deal", "deals", "work", "works", "about", "postings", "posting",
        "does", "which", "any", "say", "says", "require", "requires", "required", "requiring",
        "need", "needs", "needed", "ask", "asks", "expect", "expects", "knowledge", "know",
    }
    return frozenset(base | {stem(w) for w in base})


def _absent_names(text: str, bodies: list[set[str]]) -> list[str]:
    """Capitalised words inside a sentence (names: Python, Stata, UNICEF) that no posting
    contains."""
    names: list[str] = []
    for sentence in clauses(text):
        for m in re.finditer(r"(?<!\w)([A-Z][\w+#-]+)", sentence):  # l'OCDE counts
            if not sentence[:m.start()].strip(" ¿¡\"'“«("):
                continue  # the sentence's first word is capitalised anyway
            word = m.group(1)
            folded = fold(word)
            if folded in STOPWORDS or folded in GENERIC or len(folded) < 2:
                continue
            forms = word_forms(folded)
            if not any(forms & body for body in bodies) and word not in names:
                names.append(word)
    return names


def _surface_in_corpus(word: str, posts: list[Posting]) -> str:
    """The word as the postings write it ('unesco' → 'UNESCO')."""
    for p in posts:
        m = re.search(rf"\b({re.escape(word)})\b", p.text, flags=re.I)
        if m:
            return m.group(1)
    return word


def _section_items(p: Posting) -> list[tuple[str, str]]:
    from retrieval.chunking import section_texts

    return section_texts(p)


def _corpus_answer(lines: list[str], posts: list[Posting], section: str, intent: str) -> Answer:
    return Answer(text="\n".join(lines), found=True, intent=intent,
                  citations=[cite(p, section) for p in posts],
                  posting_ids=[p.id for p in posts])


# ---- the service --------------------------------------------------------------------------------

class AnswerService:
    """The one entry point for questions: memory, extractive answers, optional LLM."""

    def __init__(self, settings: Settings, store: IndexStore,
                 eligibility: EligibilityChecker, llm: Any | None = None) -> None:
        self.settings = settings
        self.store = store
        self.eligibility = eligibility
        self.memory = ConversationMemory(max_turns=settings.conversation_turns)
        self.retriever = HybridRetriever(store=store, k=settings.top_k, rrf_k=settings.rrf_k)
        self.llm = llm
        self._answerer: ExtractiveAnswerer | None = None
        self.on_answer: list[Callable[[str, Answer, float], None]] = []

    def _extractive(self) -> ExtractiveAnswerer:
        snap = self.store.snapshot()
        if self._answerer is None or self._answerer.snap is not snap:
            self._answerer = ExtractiveAnswerer(snap, self.retriever, self.eligibility)
        return self._answerer

    def answer(self, question: str, conversation_id: str = "default") -> Answer:
        started = time.perf_counter()
        question = question.strip()[: self.settings.max_question_chars]
        conv = self.memory.get(conversation_id)
        answerer = self._extractive()
        answer = answerer.answer(question, conv.last_postings)
        if self.llm is not None and answer.intent not in {"injection", "greeting", "eligibility"}:
            answer = self.llm.improve(question, conv, answer, answerer)
        turn_postings = answer.posting_ids if len(answer.posting_ids) == 1 else (
            answer.posting_ids if answer.intent not in {"count", "mention"} else [])
        self.memory.add(conversation_id, Turn(question, turn_postings[:3], answer.text))
        elapsed = time.perf_counter() - started
        for hook in self.on_answer:
            hook(question, answer, elapsed)
        return answer

    def draft(self, question: str,
              conversation_id: str = "default") -> tuple[str, Answer, ExtractiveAnswerer]:
        """The extractive answer to a question in a conversation, before any LLM, memory
        unchanged: what the LLM context is built from (retrieval/llm/context.py)."""
        question = question.strip()[: self.settings.max_question_chars]
        answerer = self._extractive()
        context_postings = self.memory.get(conversation_id).last_postings
        return question, answerer.answer(question, context_postings), answerer

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
        answer = await asyncio.to_thread(answerer.answer, question, conv.last_postings)
        if self.llm is not None and answer.intent not in {"injection", "greeting", "eligibility"}:
            async for item in self.llm.astream(question, conv, answer, answerer):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
        turn_postings = answer.posting_ids if len(answer.posting_ids) == 1 else (
            answer.posting_ids if answer.intent not in {"count", "mention"} else [])
        self.memory.add(conversation_id, Turn(question, turn_postings[:3], answer.text))
        elapsed = time.perf_counter() - started
        for hook in self.on_answer:
            hook(question, answer, elapsed)
        yield answer


__all__ = ["AnswerMode", "AnswerService", "ExtractiveAnswerer", "number_value"]
