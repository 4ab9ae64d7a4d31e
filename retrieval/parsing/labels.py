"""Label lookups shared by the line classifier, the parser and the requirement blocks."""

from __future__ import annotations

import re
from functools import cache

from retrieval.parsing.headings import exact_or_fuzzy_section, strip_numbering
from retrieval.parsing.vocabulary import norm_label, vocabulary
from retrieval.text import fold


def heading_key(text: str) -> str | None:
    """The section a heading line opens by its label, or None."""
    return exact_or_fuzzy_section(text)


def split_label(text: str) -> tuple[str, str] | None:
    """Split 'Label: value' when the label is a known field, heading or sub-label."""
    m = re.match(r"^([^:]{2,60}?)\s*:\s*(.*)$", text)
    if not m:
        return None
    label = norm_label(strip_numbering(m.group(1)))
    vocab = vocabulary()
    if label in vocab.fields or label in vocab.sections or label in vocab.sublabels:
        return label, m.group(2).strip()
    # "Competencies (UNAIDS competency framework): …", "Education (required): …"
    bare = norm_label(re.sub(r"\([^)]*\)", " ", strip_numbering(m.group(1))))
    if bare != label and (bare in vocab.fields or bare in vocab.sections):
        return bare, m.group(2).strip()
    return None


def heading_level(heading: str) -> str:
    """'Desirable Qualifications', 'DESIRED EXPERIENCES…' → 'desirable'; 'Minimum …' →
    'minimum'; else ''."""
    desirable, minimum, _asset = _level_patterns()
    folded = fold(heading)
    if desirable.search(folded):
        return "desirable"
    return "minimum" if minimum.search(folded) else ""


def is_asset(sentence: str) -> bool:
    """Whether a sentence says what it asks is only desirable ("Spanish would be an asset",
    "la connaissance du portugais serait un atout")."""
    return bool(_level_patterns()[2].search(fold(sentence)))


@cache
def _level_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a desirable sub-label word, a minimum one, an asset phrase), on folded text."""
    vocab = vocabulary()

    def any_of(phrases: tuple[str, ...]) -> re.Pattern[str]:
        alternatives = sorted({fold(p) for p in phrases}, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(map(re.escape, alternatives)) + r")\b")

    return (any_of(vocab.level_words["desirable"]), any_of(vocab.level_words["minimum"]),
            any_of(vocab.asset_phrases))


def sublabel(text: str) -> tuple[str, str] | None:
    """'Minimum:' / 'Desirable: rest' → ('minimum'|'desirable', rest)."""
    sublabels = vocabulary().sublabels
    m = re.match(r"^([^\W\d_][^\W\d_ ]*(?: [^\W\d_]+){0,4})\s*:\s*(.*)$", text)
    if m and norm_label(m.group(1)) in sublabels:
        return sublabels[norm_label(m.group(1))], m.group(2).strip()
    if norm_label(text) in sublabels and len(text) < 30:
        return sublabels[norm_label(text)], ""
    if text.rstrip().endswith(":") and 2 <= len(text.split()) <= 12:
        # "You must have:", "It would be great if you also have:"
        said = f" {norm_label(text)} "
        for kind in ("desirable", "minimum"):
            if any(f" {cue} " in said for cue in vocabulary().sublabel_cues[kind]):
                return kind, ""
    return None
