"""Which posting a question is about.

The posting is found by weighing the question's words against each posting's *names* (title,
department, unit, acronyms, post number, organisation, duty station) and, less, its body: rare
words weigh more (idf), so "domestic workers" finds the one posting that talks about them and
"work" alone finds none. Inverted indexes keep a question to the postings it shares a word with.

(A little over 400 lines as one file: the scores, the inverted indexes they read and the
tie-breakers that order near-equal scores — identifiers, the place named, the whole title —
share the postings' names and change together.)
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

import numpy as np

from retrieval.lexicon import load_yaml
from retrieval.models import Posting
from retrieval.places import english_place_names
from retrieval.text import FOREIGN_FUNCTION_WORDS, GENERIC, content_tokens, fold, stem, words
from retrieval.understanding import FIELD_WORDS

_FOREIGN_STEMS = frozenset(stem(w) for w in FOREIGN_FUNCTION_WORDS)


@dataclass
class _PostingNames:
    posting: Posting
    name_tokens: set[str]
    name_bigrams: set[tuple[str, str]]
    identifiers: set[str]  # acronyms, post numbers, the organisation's acronym: exact hits
    case_sensitive: set[str]  # acronyms that are also ordinary words ("SECTOR")
    # The organisation's names and the duty station's city and country ("the WFP job in
    # Dakar", "the refugee agency post in Colombia"): names of the posting too, which only
    # tell postings apart when some do not share them.
    where_tokens: set[str] = field(default_factory=set)
    # the words of the organisation's names, until the index decides which are distinctive
    org_tokens: set[str] = field(default_factory=set)
    # The organisation's names of several words ("UN Women", "World Food Programme"), folded
    # with single spaces: identifiers too, matched as phrases.
    phrases: set[str] = field(default_factory=set)


def _phrase_text(text: str) -> str:
    """A text folded to lower-case words between single spaces, padded for phrase lookups."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "


_ELIDED_WORD = re.compile(r"\b(?i:[cdjlmnst]|qu)['’][a-zà-ÿ][\w-]*")


def _body_tokens(text: str, line_tokens: dict[str, list[str]]) -> Counter[str]:
    """`Counter(content_tokens(text))`, line by line through a memo of lines."""
    body: Counter[str] = Counter()
    for line in text.split("\n"):
        found = line_tokens.get(line)
        if found is None:
            found = line_tokens[line] = content_tokens(line)
        body.update(found)
    return body


# Up to three words right before a word for "posting": how people name one ("the
# innovation jpo", "the domestic workers one", "hobden's job").
_NAMING_PHRASE = re.compile(r"((?:[\w'-]+\s+){1,3})(?:jpo|post|posting|job|position|role|"
                            r"vacancy|one)s?\b")


# "the one about domestic workers", "the job on spectrum management": the words after it
# (after "the", not "my": "my role on labour rights" tells about the writer)
_NAMED_AFTER = re.compile(r"\b(?:the|that) (?:jpo|post|posting|job|position|vacancy|one)s?\s+"
                          # "the job in geneva about standards": the place may come first
                          r"(?:(?:in|at) [\w'-]+(?: [\w'-]+)? )?"
                          r"(?:about|on|dealing with|working on|covering|focused on|related to)"
                          r"\s+([\w'-]+(?:\s+[\w'-]+){0,2}?)(?=\s*[.,;:?!]|\s+(?:who|what|"
                          r"which|where|when|how|is|are|do|does|and)\b|\s*$)")
_NOT_NAMING = {"the", "a", "an", "this", "that", "for", "in", "of", "to"}


# "the imo ghg jpo", "this due diligence post": the words between the article and the noun
_DETERMINED_NAME = re.compile(r"\b(?:the|this|that)\s+((?:[\w'-]+\s+){1,3})(?:jpo|post|posting|"
                              r"job|position|role|vacancy|one)s?\b")


def naming_words(text: str, *, determined: bool = False) -> set[str]:
    """The words with which an English question names a posting: those right before "jpo",
    "post", "job"… ("am I eligible for the NORMES job?" → {"normes"}) and those after "the
    one about …", folded. With `determined`, only those after an article ("which meeting will
    the JPO attend?" names no posting with "meeting")."""
    folded = fold(text)
    pattern = _DETERMINED_NAME if determined else _NAMING_PHRASE
    phrases = [m.group(1) for m in pattern.finditer(folded)]
    phrases += [m.group(1) for m in _NAMED_AFTER.finditer(folded)]
    return {w for phrase in phrases for w in phrase.split() if w not in _NOT_NAMING}


_NO_ROWS = np.zeros(0, dtype=np.int32)
_ADDRESS = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+")
_Key = TypeVar("_Key")


class _NameRows:
    """Inverted indexes over the postings' names (word → sorted posting rows), so that a
    question scores only the postings it shares something with."""

    def __init__(self, names: list[_PostingNames], bodies: list[Counter[str]],
                 body_df: Counter[str], most: int) -> None:
        name: dict[str, list[int]] = {}
        where: dict[str, list[int]] = {}
        bigram: dict[tuple[str, str], list[int]] = {}
        identifier: dict[str, list[int]] = {}
        phrase: dict[str, list[int]] = {}
        body: dict[str, tuple[list[int], list[int]]] = {}
        for row, (posting, counts) in enumerate(zip(names, bodies, strict=True)):
            for t in posting.name_tokens:
                name.setdefault(t, []).append(row)
            for t in posting.where_tokens:
                where.setdefault(t, []).append(row)
            for pair in posting.name_bigrams:
                bigram.setdefault(pair, []).append(row)
            for a in posting.identifiers:
                identifier.setdefault(a.lower(), []).append(row)
            for ph in posting.phrases:
                phrase.setdefault(ph, []).append(row)
            # A word more than half of the postings use names none of them: not kept.
            for t, k in counts.items():
                if body_df[t] <= most:
                    found = body.setdefault(t, ([], []))
                    found[0].append(row)
                    found[1].append(k)
        self.name = _arrays(name)
        self.where = _arrays(where)
        self.bigram = _arrays(bigram)
        self.identifier = _arrays(identifier)
        self.phrase = _arrays(phrase)
        self.body = {t: (np.asarray(r, dtype=np.int32), np.asarray(k, dtype=np.float64))
                     for t, (r, k) in body.items()}

    def identifier_candidates(self, raw_words: set[str], folded_words: set[str],
                              phrase_text: str) -> list[int]:
        """Rows of the postings with an identifier among the question's words or a phrase in
        its text (checked exactly by `PostingResolver._hits`)."""
        found: set[int] = set()
        for w in folded_words | {w.lower() for w in raw_words}:
            found.update(self.identifier.get(w, _NO_ROWS).tolist())
        for ph, rows in self.phrase.items():  # the organisations' names of several words
            if f" {ph} " in phrase_text:
                found.update(rows.tolist())
        return sorted(found)


def _arrays(rows: dict[_Key, list[int]]) -> dict[_Key, np.ndarray]:
    return {k: np.asarray(v, dtype=np.int32) for k, v in rows.items()}


class PostingResolver:
    """Find the postings a question names, by weighted word overlap with their names."""

    def __init__(self, postings: list[Posting]) -> None:
        self.postings = postings
        # Content tokens of each distinct line (lines repeat across postings; no token spans
        # a line break): a posting's body is counted from its lines'.
        line_tokens: dict[str, list[str]] = {}
        self._names = [self._names_of(p) for p in postings]
        self._names_by_id = {n.posting.id: n for n in self._names}
        bodies = [_body_tokens(p.text, line_tokens) for p in postings]
        del line_tokens
        n = max(len(postings), 1)
        # An acronym one posting keeps using and no other posting has ("MNE" ×10 in the due
        # diligence post) names it, even when it is not the expansion of a heading.
        body_acronyms = [Counter(re.findall(r"\b[A-Z][A-Z0-9]{1,7}\b", p.text)) for p in postings]
        acronym_df = Counter(a for c in body_acronyms for a in c)
        for names, counts in zip(self._names, body_acronyms, strict=True):
            names.identifiers |= {a for a, k in counts.items()
                                  if k >= 3 and acronym_df[a] == 1 and len(a) >= 3
                                  and fold(a) not in GENERIC and not a.isdigit()}
        name_df: Counter[str] = Counter()
        body_df: Counter[str] = Counter()
        where_df: Counter[str] = Counter()
        ident_df: Counter[str] = Counter()
        for body in bodies:
            body_df.update(body.keys())
        for names in self._names:
            # "Relief and Works Agency": "works" is in most postings ("working with…"), so it
            # names none; "refugee" in "UN Refugee Agency" does
            names.where_tokens |= {t for t in names.org_tokens if body_df[t] <= max(1, n // 2)}
            name_df.update(names.name_tokens)
            where_df.update(names.where_tokens)
            ident_df.update(names.identifiers | names.phrases)
        for names in self._names:
            # What every posting shares names none of them (five ILO postings in Geneva).
            names.where_tokens = {t for t in names.where_tokens if where_df[t] < n or n == 1}
            names.identifiers = {a for a in names.identifiers if ident_df[a] < n or n == 1}
            names.phrases = {a for a in names.phrases if ident_df[a] < n or n == 1}
        self._name_idf = {t: math.log(1 + n / c) for t, c in name_df.items()}
        self._body_idf = {t: math.log(1 + n / c) for t, c in body_df.items()}
        self._where_idf = {t: math.log(1 + n / c) for t, c in where_df.items()}
        self._ident_df = ident_df
        self._body_df = body_df
        self._n = n
        # Every word the postings use, sorted: a question word none of them has may be the
        # start of one ("the telecom job" → telecommunication, "admin" → administration).
        self._vocabulary = sorted(set(name_df) | set(body_df) | set(where_df))
        # (addresses left out: "a.diallo-kane@unesco.org" makes no ordinary word of UNESCO)
        lowercase_words = {w for p in postings
                           for w in re.findall(r"\b[a-z]{3,}\b", _ADDRESS.sub(" ", p.text))}
        for names in self._names:
            names.case_sensitive = {a for a in names.identifiers if a.lower() in lowercase_words}
        self._rows = _NameRows(self._names, bodies, body_df, max(1, n // 2))

    @staticmethod
    def _names_of(p: Posting) -> _PostingNames:
        # The long forms of the acronyms that name the post (in its title, department or
        # unit) or that it keeps using: not every one its body spells out once ("Long-Term
        # Global Aspirational Goal (LTAG)" makes "how long is the contract?" no name of it).
        named_by = " ".join([p.short_title, p.department, p.unit])
        long_forms = " ".join(long for short, long in p.acronyms.items()
                              if short in named_by or p.text.count(short) >= 3)
        name_text = " ".join([named_by, long_forms])
        toks = content_tokens(name_text)
        title_toks = content_tokens(p.short_title)
        identifiers = {a for a in p.acronyms if len(a) >= 2}
        identifiers |= {t for t in re.findall(r"\b[A-Z]{3,}\b", f"{p.department} {p.unit}")}
        # "JPO" is the programme every posting belongs to, not a name of one of them.
        identifiers = {a for a in identifiers if fold(a) not in GENERIC}
        aliases = _organisation_aliases().get(p.organisation, (p.organisation,))
        # the organisation's acronyms in every language ("ITU", "UIT"; "UNIDO", "ONUDI")
        identifiers |= {a for a in aliases if re.fullmatch(r"[A-Z]{2,}", a)}
        if p.post_number:
            identifiers.add(p.post_number)
        org_names = " ".join(aliases)
        station = " ".join(x for x in p.duty_station.split(",") if x.strip())
        station += " " + english_place_names(fold(station))  # "Santiago (Chili)": in Chile
        return _PostingNames(
            posting=p,
            name_tokens=set(toks),
            name_bigrams=set(itertools.pairwise(title_toks)),
            identifiers=identifiers,
            case_sensitive=set(),
            where_tokens=set(content_tokens(station)) - set(toks),
            org_tokens=set(content_tokens(org_names)) - set(toks),
            phrases={phrase for phrase in (_phrase_text(a).strip() for a in aliases)
                     if " " in phrase},
        )

    def scores(self, question: str,
               english: str | None = None) -> list[tuple[Posting, float, bool]]:
        """(posting, score, named by an identifier) for every posting, best first."""
        text = english or question
        # (French and Spanish function words name no posting, though a posting written in
        # French has them in its names: "Division de la réduction des risques")
        q_tokens = [t for t in dict.fromkeys(content_tokens(text))
                    if t not in FIELD_WORDS and t not in _FOREIGN_STEMS]
        q_bigrams = set(itertools.pairwise(q_tokens))
        # A lower-case word glued to a French elision is a word, not an acronym: the "ai" of
        # "j'ai" (I have) must not name the AI posting; "l'AI" still would.
        question_ids, text_ids = (_ELIDED_WORD.sub(" ", t) for t in (question, text))
        raw_words = set(re.findall(r"[\w/-]+", question_ids))
        folded_words = {w.lower() for w in raw_words} | set(words(text_ids))
        # "which committees and groups would I coordinate in the innovation jpo": the words
        # before "jpo" name the posting; a word of the rest that a posting's name or body
        # happens to use ("groups", "committees") is what is asked, and counts half.
        # (English word order only: "el puesto de trabajo vulnerable" names it after the noun.)
        naming = {t for w in naming_words(text) for t in content_tokens(w)} \
            if text == fold(question) else set()
        completions = {t: self._completions(t) for t in q_tokens}
        q_tokens = list(dict.fromkeys([*q_tokens, *(c for cs in completions.values() for c in cs)]))
        naming |= {c for t in naming for c in completions.get(t, [])}
        phrase_text = _phrase_text(text_ids)
        # Only the postings sharing a word, an identifier or a phrase with the question can
        # score: they are scored together over the inverted indexes (row = posting).
        rows = self._rows
        n = len(self._names)
        score = np.zeros(n)
        asked = np.zeros(n)  # what the words outside the naming phrase add
        named = np.zeros(n, dtype=bool)
        for row in rows.identifier_candidates(raw_words, folded_words, phrase_text):
            hits = self._hits(self._names[row], raw_words, folded_words, phrase_text)
            if hits:
                named[row] = True
                score[row] += 10.0 * len(hits)
        for t in q_tokens:
            taken = np.zeros(n, dtype=bool)  # a name word counts as a name, not as body
            name_rows = rows.name.get(t, _NO_ROWS)
            taken[name_rows] = True
            where_rows = rows.where.get(t, _NO_ROWS)
            where_rows = where_rows[~taken[where_rows]]
            taken[where_rows] = True
            score[where_rows] += 2.0 * self._where_idf.get(t, 0.0)
            weighted = [(name_rows, np.full(name_rows.size, 2.0 * self._name_idf.get(t, 0.0)))]
            body_rows, counts = rows.body.get(t, (_NO_ROWS, _NO_ROWS))
            if body_rows.size:
                fresh = ~taken[body_rows]
                # A posting's topic recurs in its text ("domestic workers" ×20); a word
                # it uses once is incidental.
                weight = (1.0 if self._body_df[t] == 1 else 0.3) \
                    * np.minimum(1.0, counts[fresh] / 3) * self._body_idf[t]
                weighted.append((body_rows[fresh], weight))
            target = asked if naming and t not in naming else score
            for where, weight in weighted:
                target[where] += weight / 2 if target is asked else weight
        for bigram in q_bigrams:
            score[rows.bigram.get(bigram, _NO_ROWS)] += 2.0
        # "what software … on the telecom job": once the naming words single out a posting,
        # what is asked ("software", used all over another posting) no longer competes with
        # them; when they name several ("the amman jpo"), it tells them apart
        by_name = [*np.sort(score)[::-1][:2].tolist(), 0.0, 0.0]
        singled_out = bool(naming) and by_name[0] > 0 and by_name[0] >= 1.6 * by_name[1]
        total = score + (asked / 2 if singled_out else asked)
        order = np.argsort(-total, kind="stable")
        return [(self._names[i].posting, float(total[i]), bool(named[i])) for i in order.tolist()]

    def _completions(self, token: str) -> list[str]:
        """The postings' words that begin with a question word they do not use themselves
        (five letters at least, at most three words: a clipped word, not a common prefix)."""
        if len(token) < 5 or token in self._body_df or token in self._name_idf \
                or token in self._where_idf:
            return []
        i = bisect.bisect_left(self._vocabulary, token)
        found: list[str] = []
        while i < len(self._vocabulary) and self._vocabulary[i].startswith(token):
            found.append(self._vocabulary[i])
            i += 1
        return found if len(found) <= 3 else []

    def resolve(self, question: str, english: str | None = None) -> list[str]:
        """Posting ids the question is about; empty when it names none clearly."""
        ranked = self.scores(question, english)
        if not ranked:
            return []
        named = [(p, s) for p, s, ident in ranked if ident]
        if named:
            return self._by_whole_title(self._by_place(
                self._by_identifiers(question, english, named), question, english),
                question, english)
        top = ranked[0][1]
        if top < 1.5:
            return []
        # "the ilo santiago youth employment jpo": the IFAD one in Rome fits its words better,
        # but not its place; a posting fitting well enough in the place named is the one meant
        pool = [(p, s) for p, s, _ in ranked[:6] if s >= 0.3 * top]
        placed = self._in_named_place([p.id for p, _ in pool], question, english)
        if placed and ranked[0][0].id not in placed:
            ranked = [(p, s, i) for p, s, i in ranked if p.id in placed]
            top = ranked[0][1]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if top >= 1.6 * second:
            return [ranked[0][0].id]
        # Near-ties: the question fits several postings about equally.
        return self._by_place([p.id for p, s, _ in ranked if s >= 0.8 * top][:3],
                              question, english)

    def _in_named_place(self, ids: list[str], question: str, english: str | None) -> list[str]:
        """Of these postings, those whose duty station the question names, when some are
        elsewhere; else none."""
        said = f"{english or ''} {question}"
        asked = set(content_tokens(english_place_names(fold(said))))
        # (the names other languages give places: "Santiago (Chili)" is in Chile)
        where = {i: len(asked & set(content_tokens(english_place_names(
                     fold(self._names_by_id[i].posting.duty_station))))) for i in ids}
        best = max(where.values(), default=0)
        inside = [i for i in ids if where[i] == best]
        return inside if best and len(inside) < len(ids) else []

    def _by_place(self, ids: list[str], question: str, english: str | None) -> list[str]:
        """Of postings the question fits about equally, those in the place it names ("the WHO
        digital health JPO in Geneva", when another is in Manila). A city many postings share
        weighs little in the scores, yet tells these few apart."""
        if len(ids) < 2:
            return ids
        asked = set(content_tokens(english or question))
        where = {i: len(asked & set(content_tokens(self._names_by_id[i].posting.duty_station)))
                 for i in ids}
        best = max(where.values())
        return [i for i in ids if where[i] == best] if best else ids


    def _by_whole_title(self, ids: list[str], question: str, english: str | None) -> list[str]:
        """Of postings the question fits about equally, those whose whole title it says: "the
        UNHCR Associate Protection Officer JPO" is the one titled so, not the "Associate
        Protection Officer (Statelessness)"."""
        if len(ids) < 2:
            return ids
        asked = set(content_tokens(english or question))
        titles = {i: set(content_tokens(self._names_by_id[i].posting.short_title)) for i in ids}
        whole = [i for i in ids if titles[i] and titles[i] <= asked]
        if whole and len(whole) < len(ids):
            return whole
        # "the WHO digital health standards JPO": the one whose title says more of it
        said = {i: len(titles[i] & asked) for i in ids}
        most = max(said.values())
        more = [i for i in ids if said[i] == most]
        return more if most >= 2 and len(more) == 1 else ids

    def _by_identifiers(self, question: str, english: str | None,
                        named: list[tuple[Posting, float]]) -> list[str]:
        """Of the postings an identifier names, those it names best. An identifier several
        postings share (their organisation, "UNICEF") counts 1/k for each of the k: "the
        UNICEF WASH post" is the one with WASH. Postings tied on shared identifiers only are
        told apart by their other names ("the UNICEF job in Maputo")."""
        hits = {p.id: self._identifier_hits(p, question, english) for p, _s in named}
        best = max(hits.values())
        kept = [(p, s) for p, s in named if hits[p.id] >= best - 1e-9]
        if len(kept) > 1 and best < 1:
            top, second = kept[0][1], kept[1][1]
            base = 10.0 * len(self._matched_identifiers(kept[0][0], question, english))
            if top - base >= 1.5 and top - base >= 1.6 * (second - base):
                kept = kept[:1]
        return [p.id for p, _s in kept]

    @staticmethod
    def _hits(names: _PostingNames, raw_words: set[str], folded_words: set[str],
              phrase_text: str) -> list[str]:
        """The posting's identifiers the question uses: acronyms and numbers as words, the
        organisation's longer names as phrases ("the UN Women job")."""
        found = [a for a in names.identifiers
                 if (a in raw_words if a in names.case_sensitive else a.lower() in folded_words)]
        return found + [ph for ph in names.phrases if f" {ph} " in phrase_text]

    def _matched_identifiers(self, p: Posting, question: str, english: str | None) -> list[str]:
        names = next(n for n in self._names if n.posting is p)
        text = english or question
        question_ids, text_ids = (_ELIDED_WORD.sub(" ", t) for t in (question, text))
        raw_words = set(re.findall(r"[\w/-]+", question_ids))
        folded_words = {w.lower() for w in raw_words} | set(words(text_ids))
        return self._hits(names, raw_words, folded_words, _phrase_text(text_ids))

    def _identifier_hits(self, p: Posting, question: str, english: str | None) -> float:
        return sum(1.0 / self._ident_df[a]
                   for a in self._matched_identifiers(p, question, english))


@cache
def _organisation_aliases() -> dict[str, tuple[str, ...]]:
    """Organisation short name → its names and acronyms (`lexicon/organisations.yaml`)."""
    return {k: (k, *v) for k, v in load_yaml("organisations.yaml").items()}
