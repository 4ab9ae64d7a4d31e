"""Degree names as patterns, built once from `degrees.yaml` for every reader.

The alternations (`names`) are regex sources without a group, to be placed inside a reader's
own pattern (`rf"\\b(?:{names('first')})\\b"`); the compiled ones match whole words on folded
text. Abbreviations are matched on the text as written.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from retrieval.lexicon import load_yaml

Kind = Literal["advanced", "first", "titles", "generic", "study"]


@cache
def names(*kinds: Kind, phrases: bool = True, typed: bool = False, short: bool = False) -> str:
    """One alternation of the degree words of `kinds` (longest first, so that "graduate
    degree" wins over "graduate"); for advanced and first, the level phrases unless not
    `phrases`, with `typed` the lower-case abbreviations ("msc") and with `short` the
    two-letter forms ("ma") too."""
    lex = load_yaml("degrees.yaml")
    entries = [e for kind in kinds for e in lex[kind]]
    for extra, wanted in (("phrases", phrases), ("typed", typed), ("short", short)):
        if wanted:
            entries += [e for kind in kinds if kind in lex[extra] for e in lex[extra][kind]]
    return "|".join(sorted(dict.fromkeys(entries), key=len, reverse=True))


@cache
def pattern(*kinds: Kind, phrases: bool = True, typed: bool = False,
            short: bool = False) -> re.Pattern[str]:
    """The whole-word pattern of `names(...)`; group 1 is the word found."""
    return re.compile(rf"\b({names(*kinds, phrases=phrases, typed=typed, short=short)})\b")


@cache
def abbreviations(level: Literal["advanced", "first"]) -> re.Pattern[str]:
    """Degree abbreviations of one level as written ("MSc", "LL.M."), case-sensitive."""
    forms = []
    for form in load_yaml("degrees.yaml")["abbreviations"][level]:
        forms.append(re.escape(form[:-1]) + r"\.?" if form.endswith(".") else re.escape(form))
    return re.compile(r"\b(" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?![\w.])")


@cache
def short_forms() -> dict[str, Literal["advanced", "first"]]:
    """The lower-case two-letter forms and their level ("ma" → "advanced")."""
    short = load_yaml("degrees.yaml")["short"]
    return {form: level for level in ("advanced", "first") for form in short[level]}
