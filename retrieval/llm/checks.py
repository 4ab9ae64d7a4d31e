"""Checks of the model's reply against what it was given, before anyone sees it as final.

* `Safety`: the reply echoes a prompt or carries injected instructions → withheld.
* `ungrounded`: every e-mail, grade, quantity (12 months, 2 years), number and name the reply
  states must appear in the context the model was given (the excerpts, the extractive
  answer given as one of them, and the question). The model may say more or less than the
  extractive answer; it may not say what the context does not.
* `unsupported`: when the extractive layer found no answer but the model gives one, each
  sentence of it must also be made of the context's words ("the salary is competitive and
  tax-free" is not, though it names no number).
* `says_not_stated`: the reply says the postings do not state the answer.
"""

from __future__ import annotations

import re
from functools import cache

from retrieval.lexicon import load_yaml
from retrieval.llm.citations import MARKER_RE
from retrieval.llm.prompts import LEAK_WINDOW, Prompts, leak_words
from retrieval.parsing import EMAIL_RE, number_value
from retrieval.text import FOREIGN_FUNCTION_WORDS, STOPWORDS, clauses, content_tokens, fold, words

_GRADE_RE = re.compile(r"\b([pdg])\s?-?\s?(\d)\b")
_QTY_RE = re.compile(
    r"\b(\d+(?:[.,]\d+)?)\s*-?\s*(years?|yrs?|months?|weeks?|days?|hours?|ans?|annees?|mois|"
    r"semaines?|jours?|anos?|meses|mes|semanas?|dias?)\b")
_NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w]|[.,]\d)")
_NUMBER_WORD_RE = re.compile(r"\b[a-z]+(?:-[a-z]+)?\b")
_LIST_MARK_RE = re.compile(r"(?m)^\s*\d{1,2}[.)]\s")
# Two or more capitalised words in a row: a person, a unit, a place, an organisation.
_NAME_RUN_RE = re.compile(r"(?<![\w@.])[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*)+")
_OPENERS = frozenset("yes no oui non si sí dear hello hi bonjour hola".split())
SUPPORTED_SHARE = 0.6  # of a sentence's content words found in the context
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
_UNITS = {
    "year": ("year", "yr", "an", "annee", "ano"), "month": ("month", "mois", "mes"),
    "week": ("week", "semaine", "semana"), "day": ("day", "jour", "dia"), "hour": ("hour",),
}


def norm(text: str) -> str:
    text = fold(text).replace("’", "'").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip()


def _with_digits(text: str) -> str:
    """Number words as digits ("two years" → "2 years"), so either spelling matches."""
    def digit(m: re.Match[str]) -> str:
        value = number_value(m.group(0))
        return m.group(0) if value is None else f"{value:g}"

    return _NUMBER_WORD_RE.sub(digit, text)


def _grades(text: str) -> set[str]:
    return {f"{a}{b}" for a, b in _GRADE_RE.findall(text)}


def _unit(word: str) -> str:
    for unit, stems in _UNITS.items():
        if any(word.startswith(s) for s in stems):
            return unit
    return word


def _quantities(text: str) -> set[tuple[str, str]]:
    return {(f"{float(n.replace(',', '.')):g}", _unit(u)) for n, u in _QTY_RE.findall(text)}


def _numbers(text: str) -> set[str]:
    """Every number written in digits ("5,500" → "5500"), grades and e-mails aside."""
    text = EMAIL_RE.sub(" ", _GRADE_RE.sub(" ", text))
    return {f"{float(n.replace(',', '')):g}" for n in _NUMBER_RE.findall(text)}


def _names(reply: str) -> list[str]:
    """Runs of capitalised words, without the sentence's opening function words."""
    out: list[str] = []
    for m in _NAME_RUN_RE.finditer(reply):
        run = m.group(0).split()
        while run and (fold(run[0]) in STOPWORDS or fold(run[0]) in FOREIGN_FUNCTION_WORDS
                       or fold(run[0]) in _OPENERS):
            run = run[1:]
        if len(run) >= 2:
            out.append(" ".join(run))
    return out


def _claims_text(reply: str) -> str:
    """The reply as checked: citation markers and list numbering are not claims."""
    return _LIST_MARK_RE.sub(" ", MARKER_RE.sub(" ", reply))


def ungrounded(reply: str, context: str, *, names: bool = True,
               people: frozenset[str] = frozenset()) -> list[str]:
    """E-mails, grades, quantities, numbers, the `people` (normalised full names) and, with
    `names`, any run of capitalised words that the reply states and `context` lacks."""
    raw = _claims_text(reply)
    r, s = _with_digits(norm(raw)), _with_digits(norm(context))
    bad = [e for e in EMAIL_RE.findall(r) if e not in s]
    bad += sorted(_grades(r) - _grades(s))
    bad += [f"{n} {u}" for n, u in sorted(_quantities(r) - _quantities(s))]
    bad += sorted(_numbers(r) - _numbers(s))
    bad += sorted(p for p in people if p in r and p not in s)
    if names:
        known = set(words(context))
        bad += [name for name in _names(EMAIL_RE.sub(" ", raw))
                if not all(w in known for w in words(name))]
    return bad


def unsupported(reply: str, context: str) -> list[str]:
    """Sentences of the reply whose content words are mostly absent from the context."""
    known = set(content_tokens(context))
    out: list[str] = []
    for sentence in clauses(_claims_text(reply)):
        toks = set(content_tokens(sentence))
        if len(toks) >= 2 and len(toks & known) < SUPPORTED_SHARE * len(toks):
            out.append(sentence.strip())
    return out


def says_not_stated(reply: str) -> bool:
    return bool(_NOT_STATED_RE.search(norm(reply)))


@cache
def _injection_patterns() -> list[re.Pattern[str]]:
    """The lexicon's injection patterns (the ones questions are cleaned of), for replies."""
    return [re.compile(p) for p in load_yaml("intents.yaml")["injection"]]


class Safety:
    """Whether a reply echoes one of the prompts or carries instructions of its own."""

    def __init__(self, prompts: Prompts) -> None:
        self._shingles = prompts.shingles()

    def unsafe(self, text: str) -> bool:
        ws = leak_words(text)
        if any(tuple(ws[i:i + LEAK_WINDOW]) in self._shingles
               for i in range(len(ws) - LEAK_WINDOW + 1)):
            return True
        folded = fold(text)
        return any(p.search(folded) for p in _injection_patterns())
