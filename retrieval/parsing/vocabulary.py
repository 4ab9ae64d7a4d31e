"""The parser's vocabulary, read once from `retrieval/lexicon/postings.yaml` and
`organisations.yaml` (through the lexicon's loader): section types with their labels and
example descriptions, field labels, Minimum/Desirable sub-labels and cue phrases, and the
organisations' names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from retrieval.lexicon import load_yaml
from retrieval.text import fold


@lru_cache(maxsize=65536)  # the same labels and lines come back in every posting
def norm_label(text: str) -> str:
    """A label as compared: lower case without accents, letters, '/' and single spaces
    ('E-mail:' → 'e mail', 'Lieu d'affectation' → 'lieu d affectation')."""
    text = fold(text).replace("’", "'").replace("&", " and ")
    # "Supervisor(a) directo(a)", "Superviseur(e)": a gendered ending is no word of the label
    text = re.sub(r"(?<=[a-z])\((?:a|e|es|s|as|os)\)", "", text)
    text = re.sub(r"[^a-z/ ]+", " ", text)
    text = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Vocabulary:
    sections: dict[str, str]  # normalised heading label → section type
    numbered_sections: dict[str, str]  # labels that open a section only when numbered
    # labels that open another section inside a requirements block ("Formation": education)
    within_requirements: dict[str, str]
    section_examples: dict[str, tuple[str, ...]]  # section type → descriptions
    fields: dict[str, str]  # normalised field label → field name
    sublabels: dict[str, str]  # normalised sub-label → "minimum" | "desirable"
    # phrases that make a short "…:" line a sub-label ("It would be great if you also have:")
    sublabel_cues: dict[str, tuple[str, ...]]
    # sub-label words by level, as written (English, French, Spanish), for headings
    level_words: dict[str, tuple[str, ...]]
    asset_phrases: tuple[str, ...]  # what makes a sentence only desirable
    organisations: dict[str, tuple[str, ...]]  # short name → names and acronyms


def _index(table: dict[str, list[str]]) -> dict[str, str]:
    return {norm_label(alias): key for key, aliases in table.items() for alias in aliases}


def _index_with_parts(table: dict[str, list[str]]) -> dict[str, str]:
    """Labels, and each part of a label written with '/' ('summary of key
    functions/accountabilities' also knows 'summary of key functions') unless a part is
    another type's label."""
    index = _index(table)
    for label, key in list(index.items()):
        for part in label.split("/"):
            if len(part) >= 8:
                index.setdefault(part.strip(), key)
    return index


@cache
def vocabulary() -> Vocabulary:
    data = load_yaml("postings.yaml")
    orgs = load_yaml("organisations.yaml")
    sections = data["sections"]
    translated = data["translated"]
    merged = {k: [*v["labels"], *translated["sections"].get(k, [])] for k, v in sections.items()}
    fields = {k: [*v, *translated["fields"].get(k, [])] for k, v in data["fields"].items()}
    sublabels = {k: [*v, *translated["sublabels"].get(k, [])]
                 for k, v in data["sublabels"].items()}
    # "Minimum requirements:", "Desirable requirement:"
    labelled = {k: [*v, *(f"{w} {r}" for w in data["sublabels"][k]
                          for r in ("requirement", "requirements"))]
                for k, v in sublabels.items()}
    return Vocabulary(
        sections=_index_with_parts(merged),
        numbered_sections=_index({k: v.get("numbered_labels", [])
                                  for k, v in sections.items()}),
        within_requirements=_index(translated["within_requirements"]),
        section_examples={k: tuple(v.get("examples") or ()) for k, v in sections.items()},
        fields=_index(fields),
        sublabels=_index(labelled),
        sublabel_cues={k: tuple(norm_label(c) for c in v)
                       for k, v in data["sublabel_cues"].items()},
        level_words={k: tuple(v) for k, v in sublabels.items()},
        asset_phrases=(*data["asset_phrases"], *translated["asset_phrases"]),
        organisations={k: tuple(v) for k, v in orgs.items()},
    )
