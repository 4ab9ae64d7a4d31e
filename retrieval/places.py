"""The names other languages give cities and countries ("Ginebra, Suiza" is Geneva,
Switzerland), from `lexicon/places.yaml`: postings written in French or Spanish name their duty
station so, people ask in English."""

from __future__ import annotations

import re
from functools import cache

from retrieval.lexicon import load_yaml
from retrieval.text import fold


@cache
def _other_names() -> tuple[dict[str, str], re.Pattern[str]]:
    names = {fold(k): fold(v) for k, v in (load_yaml("places.yaml").get("other_names")
                                            or {}).items()}
    return names, re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len,
                                                      reverse=True)) + r")\b")


def english_place_names(folded: str) -> str:
    """Folded text with the cities and countries other languages name written the English
    way the lexicon lists them ("ginebra, suiza" → "geneva, switzerland")."""
    names, pattern = _other_names()
    return pattern.sub(lambda m: names[m.group(1)], folded) if names else folded
