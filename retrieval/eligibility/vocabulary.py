"""Eligibility vocabulary: the answer texts per language, number words, language names."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from retrieval.lexicon import load_yaml
from retrieval.parsing.values import NUMBER, number_value
from retrieval.text import fold, stem, words

SECTION = "Qualifications and experience"
ILO_LANGUAGES = ["en", "fr", "es"]
# the six official languages of the United Nations
UN_LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es"]


def lexicon_for(language: str) -> dict[str, Any]:
    table = load_yaml("eligibility.yaml")
    return table.get(language) or table["en"]


@lru_cache(maxsize=1)
def nationalities() -> dict[str, str]:
    """A nationality or country word, folded ("belgian", "belge", "belgium") → the country."""
    table: dict[str, list[str]] = load_yaml("nationalities.yaml")
    out: dict[str, str] = {}
    for country, names in table.items():
        for name in [country, *names]:
            out.setdefault(fold(name), country)
    return out


def nationality_in(words_: str) -> str:
    """The country a phrase names ("Belgian", "the Netherlands", "South Korean"), or ''."""
    table = nationalities()
    phrase = re.sub(r"^(?:the|a|an)\s+", "", fold(words_).strip())
    if phrase in table:
        return table[phrase]
    last = phrase.split()[-1] if phrase.split() else ""
    return table.get(last, "")


# ---- numbers --------------------------------------------------------------------------------

NUM = NUMBER
# "three (3) years": the bracketed digits repeat the number
NUM_P = NUM + r"(?:\s*\(\d+\))?"
YEAR = r"(?:years?|yrs?|ans?|annees?|anos?)"


def number_of(token: str) -> float:
    """A number matched by `NUM` ("3", "2,5", "three", "trois") as a value."""
    value = number_value(token)
    if value is None:
        raise ValueError(f"not a number: {token!r}")
    return value


def format_number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def format_span(years: float, lex: dict[str, Any]) -> str:
    """A length of experience the way the candidate would say it: "16 months" below two
    years, "3 years", "3 years and 1 month" — never "1.33" or "3.08"."""
    unit = lex["span"]
    months = round(years * 12)
    whole, rest = divmod(months, 12)
    if months < 24 and rest:
        return f"{months} {unit['month'] if months == 1 else unit['months']}"
    text = f"{whole} {unit['year'] if whole == 1 else unit['years']}"
    if rest:
        text += f" {unit['joint']} {rest} {unit['month'] if rest == 1 else unit['months']}"
    return text


def stem_words(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


# ISO code → the language's names (lexicon/languages.yaml)
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    iso: tuple(names) for iso, names in load_yaml("languages.yaml").items()}
LANGUAGE_WORD = {name: iso for iso, names in LANGUAGE_NAMES.items() for name in names}
LANGUAGE_RE = re.compile(r"\b(" + "|".join(sorted(LANGUAGE_WORD, key=len, reverse=True)) + r")\b")
