"""Open questions: the best sentences of the retrieved chunks, and per-posting sentence caches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from langchain_core.documents import Document

from retrieval.answering.common import cite, section_items
from retrieval.answering.questions import intent_words
from retrieval.models import Citation, Posting
from retrieval.parsing import split_sentences
from retrieval.text import content_tokens, fold, stem, words
from retrieval.understanding import FIELD_WORDS, Query, intent_pattern_words, load_yaml


class SentenceSelection:
    """Mixed into `ExtractiveAnswerer`, whose attributes (snap, postings, retriever,
    eligibility) and other parts it uses."""

    def _general(self, q: Query, p: Posting | None,
                 f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        """Open questions: the most relevant sentences of the retrieved chunks."""
        ids = [p.id] if p else None
        docs = self.retriever.with_postings(ids, self.snap).invoke(q.english if q.language != "en"
                                                                   else q.clean)
        picked, found = self._best_sentences(q, docs, skip=_naming(p) if p else set())
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

    def _finer(self, q: Query, p: Posting, answered: str) -> tuple[list[str], list[Citation]]:
        """Sentences of the posting that answer what the question asks beyond the field(s)
        already answered: its words that neither name the posting, nor the field, nor appear
        in the answer so far must be found, most of their weight, in one sentence. Every
        sentence of the posting is weighed (one posting is small), so the answer may come from
        any section: "would I go on missions?" is answered under Supervision."""
        skip = _naming(p) | set(content_tokens(answered)) | _field_words() | _QUESTION_WORDS
        q_tokens = [t for t in dict.fromkeys(content_tokens(q.english))
                    if t not in skip and len(t) > 1 and not t.isdigit()]
        if not q_tokens:
            return [], []
        n = max(len(self.snap.chunks), 1)
        weights = {t: _idf(self.snap.bm25.term_document_frequency(t), n) for t in q_tokens}
        total = sum(weights.values()) or 1.0
        scored: list[tuple[float, str, str]] = []
        for section, sentences in self._posting_sentences(p):
            for sentence in sentences:
                if sentence.text in answered:
                    continue
                stems = _stems(sentence)
                share = sum(w for t, w in weights.items() if t in stems) / total
                if share >= _FINER_SHARE:
                    scored.append((share, section, sentence.text))
        scored.sort(key=lambda x: -x[0])
        picked = list({text: (section, text) for _s, section, text in scored[:2]}.values())
        return ([text for _, text in picked],
                [cite(p, section, text) for section, text in picked])

    def _best_sentences(self, q: Query, docs: list[Document], limit: int = 3,
                        skip: set[str] | None = None, *, definitions: bool = True,
                        ) -> tuple[list[tuple[str, Document]], bool]:
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
                    if m.group(0) not in {"ILO", "JPO"}] if definitions else []
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


    def _posting_sentences(self, p: Posting) -> list[tuple[str, list[Sentence]]]:
        if p.id not in self._sentences:
            self._sentences[p.id] = [(k, self._text_sentences(t)) for k, t in section_items(p)]
        return self._sentences[p.id]

    def _text_sentences(self, text: str) -> list[Sentence]:
        """A section text's sentences; postings sharing the text (boilerplate across a job
        board) share them, read once."""
        found = self._sentences_of_text.get(text)
        if found is None:
            found = self._sentences_of_text[text] = [Sentence.of(s)
                                                     for s in _line_sentences(text)]
        return found

    def _folded_text(self, p: Posting) -> str:
        if p.id not in self._folded_texts:
            self._folded_texts[p.id] = " " + _flat_fold(p.text)
        return self._folded_texts[p.id]


_QUESTION_WORDS = {stem(w) for w in (
    "which", "what", "does", "posting", "mention", "mentions", "say", "said", "anything",
    "about", "tell", "is", "there", "any", "information", "involve", "involves", "include",
    "includes", "cover", "covers", "relate", "related", "deal", "deals", "talk", "mean")}


# The share of the question's remaining weight one sentence must hold to be worth adding.
_FINER_SHARE = 0.5


@lru_cache(maxsize=65536)
def _stems_of(folded_words: frozenset[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in folded_words)


def _stems(sentence: Sentence) -> frozenset[str]:
    return _stems_of(sentence.words)


def _naming(p: Posting) -> set[str]:
    """Words that only name the posting: they say nothing about what is asked of it."""
    return set(content_tokens(" ".join([p.short_title, p.department, p.unit, p.duty_station,
                                        p.organisation, p.supervisor.name, *p.acronyms])))


@cache
def _field_words() -> frozenset[str]:
    """Words that name a field or a question's intent, or fill a chat message: once the field
    is answered they ask for nothing more."""
    filler = load_yaml("chat.yaml")["filler"].split()
    return frozenset(FIELD_WORDS | intent_pattern_words() | intent_words()
                     | {stem(w) for w in filler})


def _idf(df: int, n: int) -> float:
    import math

    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _line_sentences(text: str) -> list[str]:
    """Sentences, never running across lines (a summary's "Duration: …" stays alone)."""
    return [s for line in text.split("\n") for s in split_sentences(line.lstrip("-• "))]


@dataclass(frozen=True)
class Sentence:
    text: str
    folded: str  # folded, whitespace collapsed: what a phrase is searched in
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Sentence:
        return cls(text, _flat_fold(text), frozenset(words(text)))


def _flat_fold(text: str) -> str:
    """Folded, whitespace runs made one space: what a phrase of the question is looked for in."""
    return re.sub(r"\s+", " ", fold(text))
