"""What a question asks: its language, its English reading and its intents.

Intents come from the multilingual patterns in `lexicon/intents.yaml`; which posting a question
is about is `retrieval.resolver`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from retrieval.lexicon import load_yaml
from retrieval.models import Posting
from retrieval.text import (
    GENERIC,
    STOPWORDS,
    clauses,
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
_REQUIRED_WORDS = (r"\b(required|requires|require|essential|mandatory|minimum|min|must|need|needs|"
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
    # ("a japanese national", "Dutch citizens", "the French ministry" name a nationality or a
    # country, not a language)
    intents["languages"].append(re.compile(
        r"\b(" + "|".join(names) + r")\b(?!\s+(?:" + "|".join(lex["country_nouns"]) + r")\b)"))
    return {
        "intents": intents,
        "not_stated": {k: {**v, "ask": re.compile(v["ask"]), "evidence": re.compile(v["evidence"])}
                       for k, v in lex["not_stated"].items()},
        "injection": [re.compile(p) for p in lex["injection"]],
        "corpus": [re.compile(p) for p in lex["corpus_scope"]],
        "greeting": re.compile(lex["greeting"]),
        "thanks": re.compile(lex["thanks"]),
        "follow_up": [re.compile(p) for p in lex["follow_up"]],
        "posting_reference": [re.compile(p) for p in lex["posting_reference"]],
        "event_place": _event_place(lex["event_nouns"]),
        "priority": list(lex["priority"]),
    }


def _event_place(nouns: list[str]) -> re.Pattern[str]:
    """"which course and where?", "where are the workshops?": a place asked of an event."""
    event = "(?:" + "|".join(map(re.escape, nouns)) + ")s?"
    return re.compile(rf"\b{event} (?:and|&|et|y) (?:where|ou|donde)\b|\b(?:where|ou|donde) "
                      rf"(?:is|are|will|would|est|sont|es|son) (?:the |that |this |these |"
                      rf"those |le |la |les |el |los |las )?{event}\b"
                      # "… some compulsory course, where is it held?": a post is never held
                      r"|\bwhere (?:is|are|will) (?:it|they) (?:be )?(?:held|taking place|"
                      r"organi[sz]ed|happening|given|run)\b|\b(?:held|take place|takes place) "
                      r"where\b")


def without_posting_reference(folded: str) -> str:
    """A follow-up without the words that name its posting by a field ("what about the one
    supervised by Oliver Liang?" → "what about ?"): what is left is what it asks."""
    for pattern in _compiled()["posting_reference"]:
        folded = pattern.sub(" ", folded)
    return folded


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
    # further topics the postings rarely state, asked in the same message ("how do I apply,
    # and what's the deadline?")
    other_topics: list[str] = field(default_factory=list)
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
    if q.not_stated:
        q.other_topics = [k for k, t in comp["not_stated"].items()
                          if k != q.not_stated and t["ask"].search(probe)]
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
    if "duty_station" not in q.intents and comp["event_place"].search(probe):
        # "which course and where?": the part "where?" alone would ask the duty station
        q.part_intents = [i for i in q.part_intents if i != "duty_station"]
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
    if "duty_station" in matched and comp["event_place"].search(probe) and not any(
            p.search(comp["event_place"].sub(" ", probe)) for p in comp["intents"]["duty_station"]):
        matched.discard("duty_station")  # the place of the course, not of the post
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
