"""What kind of thing a question asks for ("which countries…", "what software…", "which
partners…") and whether a sentence names such a thing (`lexicon/answer_types.yaml`): the
sentence "… works in Ghana, Viet Nam and Ecuador" answers "which countries does the programme
cover?" though it shares no word with it."""

from __future__ import annotations

import re
from functools import cache

from retrieval.lexicon import load_yaml
from retrieval.parsing.facts import country_names


@cache
def _kinds() -> dict[str, tuple[re.Pattern[str], list[re.Pattern[str]]]]:
    """Kind → (what asks for it, what names it in a sentence)."""
    lex = load_yaml("answer_types.yaml")
    organisations = [a for aliases in load_yaml("organisations.yaml").values() for a in aliases]
    out = {}
    for kind, entry in lex.items():
        names = list(entry.get("names", []))
        if kind == "country":
            names += country_names()
        elif kind == "organisation":
            names += organisations
        found = [re.compile(r"(?<![\w-])(?:" + "|".join(
            re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w-])")] \
            if names else []
        found += [re.compile(shape) for shape in entry.get("shapes", [])]
        out[kind] = (re.compile(entry["asks"]), found)
    return out


def asked_kinds(folded_question: str) -> list[str]:
    """The kinds of thing a question asks for."""
    return [kind for kind, (asks, _names) in _kinds().items() if asks.search(folded_question)]


def names_kind(sentence: str, kinds: list[str]) -> bool:
    """Whether a sentence names a thing of one of these kinds."""
    return any(p.search(sentence) for kind in kinds for p in _kinds()[kind][1])


def asking_words(folded_question: str) -> set[str]:
    """The words with which the question asks for a kind ("how many people", "how often"):
    they say what kind of thing is wanted, not a word the answer must hold ("people" in
    "keeping people informed" answers no "how many people?")."""
    return {w for _kind, (asks, _names) in _kinds().items()
            for m in asks.finditer(folded_question) for w in re.findall(r"\w+", m.group(0))}
