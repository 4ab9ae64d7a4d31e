"""Academic fields: the taxonomy (canonical field → terms and groups) and how a candidate's
field relates to the fields a posting asks for."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from retrieval.eligibility.vocabulary import stem_words
from retrieval.lexicon import load_yaml

# ---- field taxonomy (lexicon/fields.yaml) ----------------------------------------------------

@lru_cache(maxsize=1)
def _taxonomy() -> dict[str, tuple[tuple[str, ...], frozenset[str]]]:
    """Canonical field → (its terms in en/fr/es, accent-folded; the families it belongs to)."""
    return {name: (tuple(entry["terms"]), frozenset(entry["families"]))
            for name, entry in load_yaml("fields.yaml")["fields"].items()}


@lru_cache(maxsize=1)
def _families() -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    """(families of the policy group, family → families near it, families a human judges)."""
    lex = load_yaml("fields.yaml")
    return (frozenset(lex["policy_families"]),
            {k: frozenset(v) for k, v in lex["near"].items()},
            frozenset(lex["ambiguous_families"]))


@lru_cache(maxsize=1)
def _term_index() -> list[tuple[tuple[str, ...], str]]:
    """(stemmed term, canonical field), longest terms first so phrases beat single words."""
    index = [
        (tuple(stem_words(term)), canonical)
        for canonical, (terms, _) in _taxonomy().items()
        for term in terms
    ]
    return sorted(index, key=lambda item: -len(item[0]))


def field_canonicals(text: str) -> list[str]:
    """Known fields named in a text ('a master's in labour law' → ['law'])."""
    return list(_field_canonicals(text))


@lru_cache(maxsize=8192)  # the same requirement and profile texts come back with every question
def _field_canonicals(text: str) -> tuple[str, ...]:
    seq = stem_words(text)
    found: list[str] = []
    used: set[int] = set()
    for term, canonical in _term_index():
        n = len(term)
        for i in range(len(seq) - n + 1):
            if tuple(seq[i:i + n]) == term and not used.intersection(range(i, i + n)):
                used.update(range(i, i + n))
                if canonical not in found:
                    found.append(canonical)
    return tuple(found)


def field_groups(text: str) -> frozenset[str]:
    groups: set[str] = set()
    for canonical in field_canonicals(text):
        groups |= _taxonomy()[canonical][1]
    return frozenset(groups)


def matched_field(have: str, need: list[str]) -> str:
    """The listed field a candidate's field falls under ('sociology' → 'social sciences')."""
    have_groups = field_groups(have)
    covered = [f for f in need if field_groups(f) and field_groups(f) <= have_groups]
    # the most specific listed field wins: economics over social sciences for "économie"
    return max(covered, key=lambda f: len(field_groups(f)), default="")


# Words that many fields share and that say nothing of the subject ("international relations"
# and "international business" are not related by "international").
_BROAD_STEMS = frozenset(stem_words("international studies study science sciences general "
                                    "applied advanced other related relevant field fields"))


def field_relation(have: str, need: list[str], related_ok: bool) -> Literal[
        "only", "listed", "related", "unrelated", "unclear"]:
    """How a candidate's field stands against the fields a requirement lists."""
    have_groups = field_groups(have)
    have_stems = set(stem_words(have))
    for f in need:
        need_groups = field_groups(f)
        # the candidate's field must cover the listed one: international law ⊇ law and
        # sociology ⊇ social sciences, but political science is not economics
        direct = (need_groups and need_groups <= have_groups) or (
            not need_groups and set(stem_words(f)) and set(stem_words(f)) <= have_stems)
        if direct:
            return "only" if len(need) == 1 else "listed"
    if not related_ok:
        return "unrelated"
    # "urban design" beside "urban planning", "public health" beside "health informatics":
    # a subject word shared with a listed field, where related fields are accepted
    shared = {s for f in need for s in set(stem_words(f)) & have_stems} - _BROAD_STEMS
    if shared:
        return "related"
    if not have_groups:
        return "unclear"
    need_groups = frozenset().union(*(field_groups(f) for f in need)) if need else frozenset()
    policy, near_families, ambiguous = _families()
    for g in have_groups:
        near = near_families.get(g)
        if near is not None and near & need_groups:
            return "related"
        if g in policy and need_groups & (policy | {"communications"}):
            return "related"
        if g in policy and need_groups & {"data_science"}:
            return "related" if g in {"economics", "social_science"} else "unclear"
    if have_groups & ambiguous:
        return "unclear"
    return "unrelated"


@lru_cache(maxsize=1)
def not_a_field_words() -> dict[str, tuple[str, ...]]:
    """The words that name no field of work, as listed (`lexicon/fields.yaml` not_a_field):
    "generic" (about experience itself), "weak" (a level, not an area), "workplaces",
    "roles_and_time"."""
    return {kind: tuple(words) for kind, words in load_yaml("fields.yaml")["not_a_field"].items()}


@lru_cache(maxsize=1)
def not_a_field() -> dict[str, frozenset[str]]:
    """The stems of `not_a_field_words`, by kind."""
    return {kind: frozenset(stem_words(" ".join(words)))
            for kind, words in not_a_field_words().items()}


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = load_yaml("fields.yaml")["work_abbreviations"]
    names = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![\w&])(" + "|".join(re.escape(n) for n in names) + r")(?![\w&])"), table


def expand_work_abbreviations(folded: str) -> str:
    """"3 yrs m&e at an ngo" → "3 yrs monitoring and evaluation at an ngo" (folded text)."""
    pattern, table = _abbreviations()
    return pattern.sub(lambda m: table[m.group(1)], folded)

