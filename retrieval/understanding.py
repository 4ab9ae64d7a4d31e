"""What a question asks and which posting it is about.

(Longer than our usual modules: `analyse` and `PostingResolver` read the same compiled
lexicon, language detection and glosses; the words themselves live in `lexicon/`.)

Intents come from the multilingual patterns in `lexicon/intents.yaml`. The posting is found by
weighing the question's words against each posting's *names* (title, department, unit,
acronyms, post number) and, less, its body: rare words weigh more (idf), so "domestic workers"
finds the one posting that talks about them and "work" alone finds none.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, TypeVar

import numpy as np

from retrieval.lexicon import load_yaml
from retrieval.models import Posting
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

# Intents that can be answered together ("what degree and experience do I need?").
COMBINABLE = {"education", "experience", "skills", "languages", "supervisor", "contact"}
_DESIRABLE_WORDS = (r"(desirable|preferred|preferably|advantage|asset|plus|nice to have|bonus|"
                    r"souhaitable|atout|deseable|ventaja|valora)")
DESIRABLE_RE = re.compile(r"\b" + _DESIRABLE_WORDS)
MINIMUM_RE = re.compile(
    r"\b(minimum|mandatory|must|essential|at least|strictly|obligatoire|minimo|obligatorio|"
    r"imprescindible)\b")
MENTION_RE = re.compile(
    r"\b(mention|mentions|mentioning|mentioned|refer|refers|involve|involves|involving|"
    r"talk about|talks about|related to|deal with|deals with|cover|covers|include|includes|"
    r"work with|works with|collaborat\w*|mentionne\w*|menciona\w*)\b")
_FOREIGN_STEMS = frozenset(stem(w) for w in FOREIGN_FUNCTION_WORDS)
# Words that name a field of every posting, not a posting: never used to find one.
FIELD_WORDS = frozenset(stem(w) for w in """
unit units department departments section branch team office division service sector duty station
grade level duration supervisor supervise supervision language languages skill skills experience
education degree competencies training learning background requirement requirements email
contact number reference outputs duties responsibilities tasks based located where general
information details
""".split())
# A required part and a desirable part asked side by side: "required … and which … desirable",
# "essential and which are desirable", "exigées et lesquelles sont souhaitables", "what do
# they ask for … and what is a plus" ("qué piden … y qué es deseable").
_REQUIRED_WORDS = (r"\b(required|requires|require|essential|mandatory|minimum|must|need|needs|"
                   r"needed|obligatoire\w*|exig\w+|requis\w*|obligatori\w+|imprescindible\w*|"
                   r"requerid\w+|demand\w*|piden|pide|necesit\w+)\b")
_AND = r".{0,60}\b(and|or|et|ou|y|o|versus|vs)\b.{0,40}"
BOTH_PARTS_RE = re.compile(_REQUIRED_WORDS + _AND + _DESIRABLE_WORDS
                           + "|" + r"\b" + _DESIRABLE_WORDS + _AND + _REQUIRED_WORDS)
CONFIRM_RE = re.compile(
    r"(, ?(right|correct|true|no|yes)\s*\?|\b(right|correct|true)\s*\?|"
    r"\b(is that|isn't it|is it|am i) (right|correct|true)|"
    r"\bconfirm\b|\bisn'?t it\b|\bdoesn'?t it\b|\bn'est-ce pas\b|\bverdad\b|\bcorrecto\b)")
NAME_RE = re.compile(r"\b([A-Z][a-z]+(?:[- ][A-Z][a-z]+)+)\b")


@cache
def _compiled() -> dict[str, Any]:
    lex = load_yaml("intents.yaml")
    intents = {k: [re.compile(p) for p in v] for k, v in lex["intents"].items()}
    # a language's name asks about languages: every name the lexicon knows, written once
    names = sorted({n for ns in load_yaml("languages.yaml").values() for n in ns}, key=len,
                   reverse=True)
    # ("a japanese national", "Dutch citizens" name a nationality, not a language)
    intents["languages"].append(re.compile(
        r"\b(" + "|".join(names) + r")\b(?!\s+(?:nationals?|citizens?|passport))"))
    return {
        "intents": intents,
        "not_stated": {k: {**v, "ask": re.compile(v["ask"]), "evidence": re.compile(v["evidence"])}
                       for k, v in lex["not_stated"].items()},
        "injection": [re.compile(p) for p in lex["injection"]],
        "corpus": [re.compile(p) for p in lex["corpus_scope"]],
        "greeting": re.compile(lex["greeting"]),
        "thanks": re.compile(lex["thanks"]),
        "follow_up": [re.compile(p) for p in lex["follow_up"]],
        "priority": list(lex["priority"]),
    }


def pattern_words(pattern: str) -> set[str]:
    """The words a regular expression spells, with and without its optional letters:
    'e-?mails?' gives 'email' and 'emails'."""
    bare = re.sub(r"\\[bswdBSWD]", " ", pattern)
    variants = (re.sub(r".\?", "", bare), bare.replace("?", ""))
    return {w for v in variants for w in re.findall(r"[a-z]{3,}", re.sub(r"[^a-z']", " ", v))}




def not_stated_topics() -> dict[str, dict[str, Any]]:
    return _compiled()["not_stated"]


@cache
def _language_words() -> dict[str, frozenset[str]]:
    """Function words that tell a question's language (`lexicon/intents.yaml`)."""
    return {k: frozenset(fold(w) for w in v.split())
            for k, v in load_yaml("intents.yaml")["language_words"].items()}


def detect_language(text: str) -> str:
    """'en', 'fr', 'es' or 'de', from function words and letters (questions are short)."""
    lowered = text.lower()
    ws = words(text)
    known = _language_words()
    score = {
        "en": sum(w in known["en"] for w in ws),
        # "é" is French and Spanish alike; the other marks tell them apart.
        "fr": sum(w in known["fr"] for w in ws)
        + 2 * len(re.findall(r"[èêàçùœâîôû]|\b(qu|l|d|j|n|c|s)['’]", lowered)),
        "es": sum(w in known["es"] for w in ws) + 2 * len(re.findall(r"[ñáíóú]", lowered))
        + 4 * len(re.findall(r"[¿¡]", lowered)),
        # "ü" is German and Spanish ("pingüino") alike, but rare in Spanish questions.
        "de": sum(w in known["de"] for w in ws) + 2 * len(re.findall(r"[äöüß]", lowered)),
    }
    best = max(score, key=lambda k: score[k])
    return best if best != "en" and score[best] > score["en"] else "en"


@cache
def _glossary() -> dict[str, dict[str, str]]:
    return load_yaml("glossary.yaml")


def to_english(text: str, language: str, glosses: dict[str, str] | None = None) -> str:
    """Word-by-word domain glossary translation, enough to find postings and fields;
    `glosses` adds words of this question the glossary lacks (cognates of the postings'
    words: "investigacion" → "investigation")."""
    if language == "en":
        return fold(text)
    if language == "de":
        from retrieval.german import german_glossary

        return " ".join(words(german_glossary().gloss_text(text, glosses)))
    table = {**(glosses or {}), **_glossary().get(language, {})}
    return " ".join(table.get(w, w) for w in words(text))


@dataclass
class Query:
    text: str
    clean: str
    folded: str
    english: str
    language: str = "en"
    intents: list[str] = field(default_factory=list)
    not_stated: str | None = None
    injection: bool = False
    corpus_scope: bool = False
    greeting: bool = False
    thanks: bool = False
    confirming: bool = False
    wants_desirable: bool = False
    wants_minimum: bool = False
    mentions: bool = False
    named_people: list[str] = field(default_factory=list)
    continues: bool = False  # "what about the NORMES one?": a follow-up with no question of its own
    # The main intent of each part of a multi-part question ("post 2396 - what grade and
    # where is it?" → grade, duty_station), in the order asked.
    part_intents: list[str] = field(default_factory=list)
    # Stems of the words that made the intents: "report" in "who do I report to". Once a
    # field is answered they ask for nothing more; the question's other words might.
    intent_words: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def intent(self) -> str:
        return self.intents[0] if self.intents else "general"


def analyse(text: str, glosses: dict[str, str] | None = None) -> Query:
    comp = _compiled()
    injection = False
    clean = text
    for pattern in comp["injection"]:
        if pattern.search(fold(clean)):
            injection = True
            clean = _remove_folded(clean, pattern)
    language = detect_language(clean or text)
    folded = fold(clean)
    english = to_english(clean, language, glosses)
    q = Query(text=text, clean=clean.strip(), folded=folded, english=english, language=language,
              injection=injection)
    probe = _probe(folded, english, language)
    q.intents, q.not_stated = _detect(_asked_part(clean, language) or probe)
    if not q.intents and not q.not_stated:
        q.intents, q.not_stated = _detect(probe)
    q.corpus_scope = any(p.search(probe) for p in comp["corpus"]) or bool(
        re.search(r"\bwhich (posting|post|position|job|vacancy|jpo|announcement)\b(?! number)",
                  probe))
    q.greeting = bool(comp["greeting"].search(folded.strip()))
    q.thanks = bool(comp["thanks"].search(folded.strip()))
    q.confirming = bool(CONFIRM_RE.search(folded))
    # "Which languages are required and which are only an asset?" asks for both parts.
    both = bool(BOTH_PARTS_RE.search(probe))
    q.wants_desirable = bool(DESIRABLE_RE.search(probe)) and not both
    q.wants_minimum = bool(MINIMUM_RE.search(probe)) and not q.wants_desirable and not both
    q.mentions = bool(MENTION_RE.search(probe))
    q.named_people = [m.group(1) for m in NAME_RE.finditer(clean)
                      if m.start() > 0 and not _german_nouns(m.group(1), language)]
    q.part_intents = _part_intents(clean, language)
    q.intent_words = matched_words(probe, q.intents)
    q.continues = any(p.search(folded) for p in comp["follow_up"])
    return q


def _german_nouns(name: str, language: str) -> bool:
    """German capitalises every noun: "Jahre Berufserfahrung" looks like a person's name but is
    made of words the glossary knows."""
    if language != "de":
        return False
    from retrieval.german import german_glossary

    glossary = german_glossary()
    return any(glossary.lookup(w) is not None for w in words(name))


# Where a message asks for one thing after another: "grade and where", "dept, supervisor",
# "2396 - who supervises", "¿de qué grado es y cuánto dura?".
_PART_SPLIT_RE = re.compile(r"\s(?:and|&|\+|plus|also|et|y|e|und)\s|[,;:?!/]|\s[-–—]\s",
                            re.IGNORECASE)


def _part_intents(text: str, language: str) -> list[str]:
    out: list[str] = []
    # Split as written: German "würde" (would) and "wurde" (was) differ only before folding.
    for part in _PART_SPLIT_RE.split(text):
        if len(part.split()) == 0:
            continue
        intents, _ = _detect(_probe(fold(part), to_english(part, language), language))
        if intents and intents[0] not in out:
            out.append(intents[0])
    return out


def _asked_part(text: str, language: str) -> str:
    """The probe of just the question sentences, when statements come with them: in "I have
    a master's in law. Where is the post based?" the first sentence is context (a profile),
    and its "master's" must not turn the question into one about education. Empty when
    there is nothing to separate."""
    sentences = clauses(text)
    asked = [s for s in sentences if "?" in s]
    if not asked or len(asked) == len(sentences):
        return ""
    part = " ".join(asked)
    return _probe(fold(part), to_english(part, language), language)


def _probe(folded: str, english: str, language: str) -> str:
    """What intent patterns are matched against: the folded text, plus its glossary English
    when it is French, Spanish or German."""
    return f"{folded} {english}" if language != "en" else folded


def _detect(probe: str) -> tuple[list[str], str | None]:
    comp = _compiled()
    matched = {k for k, pats in comp["intents"].items() if any(p.search(probe) for p in pats)}
    not_stated = next((k for k, t in comp["not_stated"].items() if t["ask"].search(probe)), None)
    return [k for k in _compiled()["priority"] if k in matched], not_stated


def matched_words(probe: str, intents: list[str]) -> dict[str, frozenset[str]]:
    """Per intent, the stems of the words its patterns spell and match in `probe` (not what a
    wildcard of the pattern spans: "when was … updated" names no field)."""
    pats = _compiled()["intents"]
    return {k: frozenset(stem(w) for p in pats.get(k, []) for m in p.finditer(probe)
                         for w in words(m.group(0)) if w in _spelled(p.pattern))
            for k in intents}


@cache
def _spelled(pattern: str) -> frozenset[str]:
    return frozenset(pattern_words(pattern))


def without_titles(q: Query, postings: list[Posting]) -> Query:
    """The question with the named postings' titles taken out, re-read for what it asks:
    "How long is the unemployment insurance JPO?" asks about duration, not benefits."""
    ws = words(q.english)
    drop = [False] * len(ws)
    for p in postings:
        title = set(words(p.short_title))
        i = 0
        while i < len(ws):
            j = i
            while j < len(ws) and ws[j] in title:
                j += 1
            if sum(w not in STOPWORDS for w in ws[i:j]) >= 2:
                drop[i:j] = [True] * (j - i)
            i = max(j, i + 1)
    if not any(drop):
        return q
    rest = " ".join(w for w, d in zip(ws, drop, strict=True) if not d)
    original = words(q.clean)
    if q.language != "en" and len(original) == len(ws):
        # The glossary translates word by word, so positions line up with the original.
        rest = " ".join(w for w, d in zip(original, drop, strict=True) if not d) + " " + rest
    elif q.language != "en":
        # A German gloss may be several words ("Dienstort" → duty station): the original
        # without the title's words, so that its own phrasing ("kann ich mich … bewerben")
        # still counts.
        dropped = {w for w, d in zip(ws, drop, strict=True) if d}
        rest = " ".join(w for w in original if w not in dropped) + " " + rest
    intents, not_stated = _detect(rest)
    return replace(q, intents=intents, not_stated=not_stated,
                   intent_words={**matched_words(rest, intents), **q.intent_words})


def _remove_folded(text: str, pattern: re.Pattern[str]) -> str:
    """Remove what `pattern` matches in the accent-folded text from the original text."""
    folded = fold(text)
    if len(folded) != len(text):  # folding changed lengths: fall back to the folded text
        return pattern.sub(" ", folded)
    out, last = [], 0
    for m in pattern.finditer(folded):
        out.append(text[last:m.start()])
        last = m.end()
    out.append(text[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip(" .,;:!")


# ---- which posting ----------------------------------------------------------------------------

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
                          r"(?:about|on|dealing with|working on|covering|focused on|related to)"
                          r"\s+([\w'-]+(?:\s+[\w'-]+){0,2}?)(?=\s*[.,;:?!]|\s+(?:who|what|"
                          r"which|where|when|how|is|are|do|does|and)\b|\s*$)")
_NOT_NAMING = {"the", "a", "an", "this", "that", "for", "in", "of", "to"}


def naming_words(text: str) -> set[str]:
    """The words with which an English question names a posting: those right before "jpo",
    "post", "job"… ("am I eligible for the NORMES job?" → {"normes"}) and those after "the
    one about …", folded."""
    folded = fold(text)
    phrases = [m.group(1) for m in _NAMING_PHRASE.finditer(folded)]
    phrases += [m.group(1) for m in _NAMED_AFTER.finditer(folded)]
    return {w for phrase in phrases for w in phrase.split() if w not in _NOT_NAMING}


_NO_ROWS = np.zeros(0, dtype=np.int32)
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
        lowercase_words = {w for p in postings for w in re.findall(r"\b[a-z]{3,}\b", p.text)}
        for names in self._names:
            names.case_sensitive = {a for a in names.identifiers if a.lower() in lowercase_words}
        self._rows = _NameRows(self._names, bodies, body_df, max(1, n // 2))

    @staticmethod
    def _names_of(p: Posting) -> _PostingNames:
        long_forms = " ".join(p.acronyms.values())
        name_text = " ".join([p.short_title, p.department, p.unit, long_forms])
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
            return self._by_identifiers(question, english, named)
        top = ranked[0][1]
        if top < 1.5:
            return []
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if top >= 1.6 * second:
            return [ranked[0][0].id]
        # Near-ties: the question fits several postings about equally.
        return [p.id for p, s, _ in ranked if s >= 0.8 * top][:3]


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


def word_forms(word: str) -> set[str]:
    """A word with its plural/singular: 'worker' ↔ 'workers', 'policy' ↔ 'policies'."""
    forms = {word, f"{word}s", f"{word}es"}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("s"):
        forms.add(word[:-1])
    return forms


def rare_terms(question: str, count: int, skip: AbstractSet[str],
               frequency: Callable[[set[str]], int]) -> list[tuple[str, str]]:
    """(stem, surface word) of the question's words that some but not all of `count` postings
    contain (`frequency`: how many contain any of a word's forms), rarest first: what a
    "which postings mention X?" question is looking for."""
    # Surface words, not stems: "Excel" must not match "excellent" (both stem to "excel").
    out: list[tuple[int, str, str]] = []
    for w in dict.fromkeys(words(question)):
        if w in STOPWORDS or w in GENERIC or w in skip:
            continue
        s = stem(w)
        if s in skip:
            continue
        forms = word_forms(w)
        df = frequency(forms)
        if 0 < df < count or count == 1:
            out.append((df, s, w))
    out.sort()
    return [(s, w) for _df, s, w in out]
