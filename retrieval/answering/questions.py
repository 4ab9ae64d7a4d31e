"""Reading what a corpus-wide question asks: a duration, years, a degree level or field, names."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from retrieval.eligibility import field_canonicals
from retrieval.lexicon import degrees as degree_words
from retrieval.lexicon import load_yaml
from retrieval.parsing import duration_in_months, number_value
from retrieval.parsing.values import NUMBER
from retrieval.text import GENERIC, STOPWORDS, clauses, fold, stem, words
from retrieval.understanding import Query, word_forms

TIME_AMOUNT = r"(\d+|one|two|three|four|five|six|twelve|eighteen)[\s-]*(years?|months?|yrs?)"


def asked_months(text: str) -> int | None:
    m = re.search(TIME_AMOUNT, text)
    if not m:
        return None
    return duration_in_months(f"{m.group(1)} {m.group(2)}")


def asked_duration_text(text: str) -> str:
    m = re.search(rf"\b{TIME_AMOUNT}\b", text)
    return m.group(0) if m else ""


YEAR_WORDS = NUMBER


def asked_years(text: str) -> tuple[str, float] | None:
    """('max'|'min'|'any', years) from "a maximum of 4 years", "at least two years"…"""
    m = re.search(r"\b(maximum|max|at most|up to|no more than|upper limit of)\s+(of\s+)?"
                  + YEAR_WORDS + r"\s+years?", text)
    if m:
        return "max", float(number_value(m.group(3)) or 0)
    m = re.search(r"\b(minimum|min|at least|more than)\s+(of\s+)?" + YEAR_WORDS + r"\s+years?",
                  text)
    if m:
        return "min", float(number_value(m.group(3)) or 0)
    m = re.search(YEAR_WORDS + r"\s+years? (of )?(work |relevant |professional )?experience", text)
    if m:
        return "any", float(number_value(m.group(1)) or 0)
    return None


_ADVANCED_NAMED = degree_words.pattern("advanced", typed=True)
_FIRST_NAMED = degree_words.pattern("first", typed=True)
# "met with a first-level degree instead of a Master's"
_INSTEAD_OF_ADVANCED = re.compile(
    r"\b(?:instead of|in lieu of|rather than|in place of|without)\s+(?:an?\s+)?(?:advanced|"
    + degree_words.names("advanced", phrases=False, typed=True) + r")\b")


def asked_degree_level(text: str) -> str:
    if _INSTEAD_OF_ADVANCED.search(text):
        return "first"
    if re.search(r"\badvanced\b", text) or _ADVANCED_NAMED.search(text):
        return "advanced"
    if _FIRST_NAMED.search(text):
        return "first"
    return ""


def longest_phrase(question: str, texts: list[bytes],
                   holding: Callable[[list[str]], Iterable[int]] | None = None) -> str:
    """The longest run (2+ words) of the question's content words that a posting contains;
    `texts` are the postings' folded texts in UTF-8, whitespace collapsed, each after one
    space. `holding` (optional) narrows the search to the texts holding every one of some
    whole words (positions in `texts`): on 10,000 postings, each phrase is looked for in those
    only."""
    ws = [w for w in re.findall(r"[\w'’-]+", question)]
    best = ""
    for i in range(len(ws)):
        if ws[i].lower() in STOPWORDS or ws[i].lower() in GENERIC:
            continue
        for j in range(len(ws), i + 1, -1):
            if ws[j - 1].lower() in STOPWORDS:
                continue
            phrase = " ".join(ws[i:j])
            if len(phrase) <= len(best):
                continue
            needle = f" {fold(phrase)}".encode()  # at a word start
            # every word but the last is whole in a text that holds the phrase
            whole = [w for w in (fold(x) for x in ws[i:j - 1]) if re.fullmatch(r"[a-z0-9]+", w)]
            among = holding(whole) if holding and whole else range(len(texts))
            if any(needle in texts[k] for k in among):
                best = phrase
                break
    return best if " " in best else ""


_DEGREE_NAME = degree_words.pattern("advanced", "first", "generic", phrases=False, typed=True)
# words of a degree question that name no field (besides the degree names themselves)
_NOT_A_FIELD = {
    "degrees", "university", "advanced", "first", "education", "require", "requires", "required",
    "requiring", "need", "needs", "accept", "accepts", "study", "studies", "background",
    "field", "fields", "qualification", "qualifications", "postings", "posting", "which", "what",
    "minimum", "ask", "asks", "for", "in", "a", "an", "the", "do", "does", "any", "of", "with",
    "or", "and", "only", "graduate", "requirement", "requirements", "academic", "have", "me",
}


def degree_fields(q: Query, education_words: set[str]) -> list[str]:
    """The academic field(s) a corpus question names: 'law degree' → ['law']. A field the
    taxonomy does not know counts only when the postings' education requirements use its
    words, so no other word of the question ("which jobs can I apply to with a bachelors
    degre?") ends up named as a field."""
    known = field_canonicals(q.english)
    if known:
        return known
    filler = set(load_yaml("chat.yaml")["filler"].split())
    ws = [w for w in words(q.english) if w not in _NOT_A_FIELD and not _DEGREE_NAME.fullmatch(w)
          and w not in STOPWORDS
          and w not in GENERIC and w not in filler]
    if ws and len(ws) <= 3 and all(w in education_words for w in ws):
        return [" ".join(ws)]
    # "a degree in astrophysics", "an astrophysics degree": named as a field all the same
    named = _NAMED_FIELD.search(q.english)
    field = next((g for g in named.groups() if g), "") if named else ""
    return [field] if field and field.split()[0] not in STOPWORDS | filler else []


_NAMED_FIELD = re.compile(
    r"\b(?:" + degree_words.names("advanced", "first", "generic", phrases=False, typed=True)
    + r"|studies) (?:in|of) ([a-z]+(?: [a-z]+)?)"
    r"(?=\s*(?:[?.,!]|$))|\b(?:an?|the) ([a-z]+) (?:degree|diploma)\b")


@cache
def intent_words() -> frozenset[str]:
    base = {
        "mention", "mentions", "mentioning", "collaboration", "collaborate", "collaborates",
        "refer", "refers", "involve", "involves", "related", "cover", "covers", "include",
        "includes", "talk", "deal", "deals", "work", "works", "about", "postings", "posting",
        "does", "which", "any", "say", "says", "require", "requires", "required", "requiring",
        "need", "needs", "needed", "ask", "asks", "expect", "expects", "knowledge", "know",
    }
    return frozenset(base | {stem(w) for w in base})


def absent_names(text: str, contained: Callable[[set[str]], bool]) -> list[str]:
    """Capitalised words inside a sentence (names: Python, Stata, UNICEF) that no posting
    contains (`contained`: whether some posting holds any of a word's forms)."""
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
            if not contained(forms) and word not in names:
                names.append(word)
    return names


_IN_MONTH_RE = re.compile(r"\b(?:in|im|en|de|of)\s+([a-z]{3,9})\b")


def asked_month(q: Query) -> int | None:
    """The month a question dates something by: "published in January", "im Januar",
    "en janvier"."""
    from retrieval.eligibility.periods import month_number

    for m in _IN_MONTH_RE.finditer(f"{q.folded} {q.english}"):
        month = month_number(m.group(1))
        if month is not None:
            return month
    return None
