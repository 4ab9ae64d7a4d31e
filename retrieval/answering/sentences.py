"""Open questions: the best sentences of the retrieved chunks, and per-posting sentence caches."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from langchain_core.documents import Document

from retrieval.answering.answer_types import asked_kinds, asking_words, names_kind
from retrieval.answering.base import AnswererBase
from retrieval.answering.common import cite, section_items
from retrieval.answering.polar import polar_lead, requirement_words, section_verdict
from retrieval.answering.questions import intent_words
from retrieval.lexicon import load_yaml
from retrieval.models import Citation, Posting
from retrieval.parsing import EMAIL_RE, WEB_ADDRESS, split_sentences
from retrieval.parsing.labels import sublabel
from retrieval.parsing.prose import is_heading
from retrieval.resolver import naming_words
from retrieval.text import content_tokens, fold, stem, words
from retrieval.understanding import FIELD_WORDS, Query, detect_language, to_english


class SentenceSelection(AnswererBase):
    """Mixed into `ExtractiveAnswerer`, whose attributes (snap, postings, retriever,
    eligibility) and other parts it uses."""

    _glossed_df: dict[str, int] | None = None

    def _general(self, q: Query, p: Posting | None,
                 f: dict[str, str]) -> tuple[str, list[Citation], bool]:
        """Open questions: the most relevant sentences of the posting, or, with no posting
        named, of the chunks a search over all postings returns."""
        if p is not None:
            # One posting is small: every sentence of it is a candidate, not only those of the
            # chunks a search returns.
            docs = [Document(page_content=text, metadata={"posting_id": p.id, "section": key})
                    for key, text in section_items(p) if key != "summary"]
        else:
            docs = self.retriever.with_postings(None, self.snap).invoke(
                q.english if q.language != "en" else q.clean)
        picked, found = self._best_sentences(
            q, docs, skip=(_naming(p, q) if p else set()) | requirement_words(q))
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
            verdict = section_verdict(q, str(picked[0][1].metadata["section"])) if p else None
            if verdict is not None:
                # "does the UNAIDS JPO need R or Stata?" → "Yes: the posting asks for it…"
                head = f"{polar_lead(verdict, q.language)}\n{head}"
        else:
            head = f["general_missing"]
        return "\n".join(x for x in [head, *lines] if x), cites, found

    def _finer(self, q: Query, p: Posting, answered: str,
               intents: list[str]) -> tuple[list[str], list[Citation]]:
        """Sentences of the posting that answer what the question asks beyond the field(s)
        already answered: its words that neither name the posting, nor the field, nor appear
        in the answer so far must be found, most of their weight, in one sentence; meaning
        orders those. Every sentence of the posting is weighed (one posting is small), so the
        answer may come from any section: "would I go on missions?" is answered under
        Supervision."""
        asked_field = frozenset().union(*(q.intent_words.get(i, frozenset()) for i in intents))
        kinds = asked_kinds(q.folded)  # "what software…": sentences naming tools answer it
        skip = (_naming(p, q) | set(content_tokens(answered)) | _field_words() | _QUESTION_WORDS
                | asked_field | set(content_tokens(" ".join(asking_words(q.folded)))))
        weights = self._weights(q, skip)
        if not weights and not kinds:
            return [], []
        total = sum(weights.values()) or 1.0
        scored: list[tuple[float, str, str]] = []
        for section, sentences in self._posting_sentences(p):
            for sentence in sentences:
                if sentence.text in answered:
                    continue
                stems = _stems(sentence)
                share = sum(w for t, w in weights.items() if t in stems) / total
                if kinds and names_kind(sentence.text, kinds):
                    share += _FINER_SHARE
                if share >= _FINER_SHARE:
                    scored.append((share, section, sentence.text))
        scored = self._by_meaning(q, scored, _naming(p))
        picked = list({text: (section, text) for _s, section, text in scored[:2]}.values())
        return ([text for _, text in picked],
                [cite(p, section, text) for section, text in picked])

    def _weights(self, q: Query, skip: set[str], *,
                 unknown: bool = False) -> dict[str, float]:
        """The question's content words, each weighed by its rarity in the index. Words no
        posting has ("is it just desk work?") cannot be evidence for any sentence; with
        `unknown` they are kept, for the share of the question the best sentence holds ("how
        often…": no posting says "often", so a sentence on meetings answers half of it)."""
        bm25 = self.snap.bm25
        n = max(len(self.snap.chunks), 1)
        # A French, Spanish or German word left untranslated is no sign that the postings are
        # silent; a word the glossary translated ("Startdatum" → "start date") is.
        english = q.language == "en"
        function = _function_words(q.language)
        glossed = self._glossed_frequencies()
        frequency = {t: bm25.term_document_frequency(t) or glossed.get(t, 0)
                     for t in dict.fromkeys(content_tokens(q.english))}
        return {t: _idf(df, n) for t, df in frequency.items()
                if t not in skip and t not in function and len(t) > 1 and not t.isdigit()
                and (df > 0 or (unknown and (english or t in _translated_words())))}

    def _glossed_frequencies(self) -> dict[str, int]:
        """In how many postings each word of the English glosses of their German sentences
        stands ("send", "application"): words the index has only through those sentences."""
        if self._glossed_df is None:
            counts: dict[str, int] = {}
            for p in self.postings:
                seen: set[str] = set()
                for _key, sentences in self._posting_sentences(p):
                    for sentence in sentences:
                        seen |= _glossed(sentence.text, content_tokens)
                for t in seen:
                    counts[t] = counts.get(t, 0) + 1
            self._glossed_df = counts
        return self._glossed_df

    def _by_meaning(self, q: Query, scored: list[tuple[float, str, str]],
                    naming: set[str]) -> list[tuple[float, str, str]]:
        """Keyword candidates, best first by keyword share plus closeness in meaning to what
        the question asks (its words naming the posting left out: in "how often do I meet
        Oliver in the creative sectors job?" they would favour any sentence on the sector)."""
        scored = sorted(scored, key=lambda x: -x[0])[:_RERANKED]
        if self.similarity is None or len(scored) < 2:
            return scored
        asked = " ".join(w for w in q.english.split() if stem(fold(w).strip("?.,!")) not in naming)
        closeness = self.similarity.scores(asked or q.english, [text for _s, _k, text in scored])
        ranked = sorted(zip(scored, closeness, strict=True), key=lambda x: -(x[0][0] + x[1]))
        return [item for item, _c in ranked]

    def _best_sentences(self, q: Query, docs: list[Document], limit: int = 3,
                        skip: set[str] | None = None, *, definitions: bool = True,
                        ) -> tuple[list[tuple[str, Document]], bool]:
        weights = self._weights(q, _QUESTION_WORDS | (skip or set()))
        kinds = asked_kinds(q.folded)
        if not (weights or kinds) or not docs:
            return [], False
        total = sum(weights.values()) or 1.0
        # "What is the SRM TWG?": the sentence that spells out "(SRM TWG)" defines it.
        # (Not an acronym that names the posting asked about: "for the NORMES post, which
        # meeting…" asks about a meeting, not what NORMES stands for.)
        acronyms = [m.group(0) for m in re.finditer(r"\b[A-Z]{2,}(?:[ /-][A-Z]{2,})*\b", q.clean)
                    if m.group(0) not in {"ILO", "JPO"}
                    and (not set(content_tokens(m.group(0))) & (skip or set())
                         or _asks_meaning(q.clean, m.group(0)))] \
            if definitions else []
        # "which countries…", "what software…": a sentence naming such things holds the
        # question's kind word as if it used it
        unknown = self._weights(q, _QUESTION_WORDS | (skip or set()), unknown=True)
        kind_weight = max(total / 2, max(unknown.values(), default=0.0)) if kinds else 0.0
        scored: list[tuple[float, str, str]] = []
        by_sentence: dict[str, Document] = {}
        for doc in docs:
            if doc.metadata.get("kind") == "summary":
                continue
            for sentence in _line_sentences(doc.page_content):
                st = set(content_tokens(sentence)) | _glossed(sentence, content_tokens)
                s = sum(w for t, w in weights.items() if t in st)
                if any(f"({a})" in sentence for a in acronyms):
                    s += total
                if kinds and names_kind(sentence, kinds):
                    s += kind_weight
                text = sentence.lstrip("-• ")
                if is_heading(text):
                    continue  # "TRAVEL": a heading kept in a section's text answers nothing
                level = sublabel(text)  # "Minimum: …" is the same sentence as "…"
                text = level[1] if level and level[1] else text
                if s > 0 and text not in by_sentence:
                    by_sentence[text] = doc
                    scored.append((s / total, "", text))
        best = max((x[0] for x in scored), default=0.0)
        asked = sum(unknown.values())
        found = best * total / (asked or 1.0) >= 0.5
        # Sentences holding much less of the question than the best one answer something else.
        ranked = self._by_meaning(q, [x for x in scored if x[0] >= best * _KEEP_SHARE],
                                  skip or set())
        # "Which technical meetings…?": every sentence holding all the best one holds is listed.
        ties = sum(1 for x in ranked if x[0] >= best - 1e-9)
        shown = ranked[:max(limit, min(ties, _MAX_TIED))]
        return [(text, by_sentence[text]) for _s, _k, text in shown], found

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

    def _folded_text(self, p: Posting) -> bytes:
        """The posting's text folded, whitespace runs made one space, in UTF-8: what phrases
        of a question are looked for in. (Bytes: a str holding one character beyond Latin-1,
        such as "’", takes two bytes for every character; UTF-8 matches only whole
        characters, so a substring test means the same.)"""
        if p.id not in self._folded_texts:
            self._folded_texts[p.id] = (" " + _flat_fold(p.text)).encode()
        return self._folded_texts[p.id]


_QUESTION_WORDS = {stem(w) for w in (
    "which", "what", "does", "posting", "mention", "mentions", "say", "said", "anything",
    "about", "tell", "is", "there", "any", "information", "involve", "involves", "include",
    "includes", "cover", "covers", "relate", "related", "deal", "deals", "talk", "mean")}


# The share of the question's remaining weight one sentence must hold to be worth adding.
_FINER_SHARE = 0.5
# Keyword candidates whose meaning is compared with the question's (one embedding batch).
_RERANKED = 12
# Of the best keyword share, what a further sentence of an open answer must hold.
_KEEP_SHARE = 0.5
# Sentences as good as the best one listed at most (a list question answered in full).
_MAX_TIED = 6


@lru_cache(maxsize=65536)
def _stems_of(folded_words: frozenset[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in folded_words)


def _stems(sentence: Sentence) -> frozenset[str]:
    return _stems_of(sentence.words)


def _naming(p: Posting, q: Query | None = None) -> set[str]:
    """Words that only name the posting: they say nothing about what is asked of it. With the
    question, also the words it names the posting with ("is python required for the imo ghg
    jpo?": "imo ghg" name it; "python" is what is asked)."""
    said = " ".join(naming_words(q.english, determined=True)) \
        if q is not None and q.language == "en" else ""
    return set(content_tokens(" ".join([p.short_title, p.department, p.unit, p.duty_station,
                                        p.organisation, p.supervisor.name, *p.acronyms,
                                        said])))


@cache
def _field_words() -> frozenset[str]:
    """Words that name a field or a question's intent, or fill a chat message: once the field
    is answered they ask for nothing more."""
    filler = load_yaml("chat.yaml")["filler"].split()
    return frozenset(FIELD_WORDS | intent_words() | {stem(w) for w in filler})


@cache
def _translated_words() -> frozenset[str]:
    """Stems of the English words the glossary translates questions into."""
    glossary = load_yaml("glossary.yaml")
    return frozenset(t for entries in glossary.values() for english in entries.values()
                     for t in content_tokens(str(english)))


@cache
def _function_words(language: str) -> frozenset[str]:
    """Stems of the language's words that carry no content (`lexicon/function_words.yaml`)."""
    listed = load_yaml("function_words.yaml").get(language, "")
    return frozenset(stem(w) for w in str(listed).split())


def _idf(df: int, n: int) -> float:
    import math

    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _line_sentences(text: str) -> list[str]:
    """Sentences, never running across lines (a summary's "Duration: …" stays alone), except
    that a short list and the sentence introducing it ("…endorsed in the following meetings:")
    are one passage: the list items are what that sentence says."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    out: list[str] = []
    i = 0
    while i < len(lines):
        sentences = split_sentences(lines[i].lstrip("-• "))
        items = list(itertools.takewhile(_is_item, lines[i + 1:i + 1 + _MAX_LIST + 1]))
        if sentences and sentences[-1].endswith(":") and 0 < len(items) <= _MAX_LIST \
                and not _is_item(lines[i]):
            out += sentences[:-1]
            out.append(" ".join([sentences[-1], *(x.lstrip("-• ").rstrip(";.") + ";"
                                                  for x in items)]).rstrip(";") + ".")
            i += 1 + len(items)
            continue
        out += sentences
        i += 1
    return out


# A list longer than this is a section of its own ("The JPO will: …"), not one passage.
_MAX_LIST = 5


def _is_item(line: str) -> bool:
    # a bullet, or an address alone on its line ("…can be consulted on:" / "www.ilo.org/x")
    return (line.startswith(("-", "•", "*")) and len(line) < 300) or bool(_ADDRESS.fullmatch(line))


_ADDRESS = re.compile(rf"<?{WEB_ADDRESS}>?|{EMAIL_RE.pattern}")


@dataclass(frozen=True)
class Sentence:
    text: str
    folded: str  # folded, whitespace collapsed: what a phrase is searched in
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Sentence:
        return cls(text, _flat_fold(text), frozenset(words(text)) | _glossed(text, words))


_GERMAN_HINT = re.compile(r"\b(?:sie|ihre?|der|die|das|und|bitte|unter|mit|für|fur|auf|dem)\b",
                          re.I)
_FRENCH_SPANISH_HINT = re.compile(r"\b(?:le|la|les|des|du|de|et|est|un|une|avec|pour|el|los|las|"
                                  r"del|y|una|con|para|por|que)\b", re.I)


@lru_cache(maxsize=65536)
def _german_gloss(text: str) -> str:
    """A German sentence of a posting in the glossary's English ("Bitte senden Sie Ihre
    JPO-Bewerbung direkt an das Büro …" → "please send your jpo application … office"), so
    that an English or French question finds the German application instructions every
    German JPO programme posting ends with; '' for other sentences."""
    from retrieval.german import german_glossary

    if len(_GERMAN_HINT.findall(text)) < 2 or detect_language(text) != "de":
        return ""
    return german_glossary().gloss_text(text)


@lru_cache(maxsize=65536)
def _french_spanish_gloss(text: str) -> str:
    """A French or Spanish sentence of a posting in the glossary's English ("un equipo de
    aproximadamente 25 personas" → "… team … people"), so that an English question finds
    what a posting written in French or Spanish says; '' for other sentences."""
    if len(_FRENCH_SPANISH_HINT.findall(text)) < 2:
        return ""
    language = detect_language(text)
    return to_english(text, language) if language in {"fr", "es"} else ""


def _glossed(text: str, tokens: Callable[[str], Iterable[str]]) -> frozenset[str]:
    gloss = _german_gloss(text) or _french_spanish_gloss(text)
    return frozenset(tokens(gloss)) if gloss else frozenset()


def _flat_fold(text: str) -> str:
    """Folded, whitespace runs made one space: what a phrase of the question is looked for in."""
    return re.sub(r"\s+", " ", fold(text))


def _asks_meaning(question: str, acronym: str) -> bool:
    """"What is the SRM TWG?", "what does MULTI stand for": the acronym's meaning is asked."""
    a = re.escape(acronym)
    return bool(re.search(
        rf"\b(what|what's|whats|que|qu'est-ce que|c'est quoi)\b[^?]{{0,20}}\b{a}\b"
        rf"(?!\s+(post|posting|job|jpo|one|position))"
        rf"|\b{a}\b.{{0,20}}\b(stand for|stands for|mean|means|short for|signifie|significa)\b",
        question, re.I))
