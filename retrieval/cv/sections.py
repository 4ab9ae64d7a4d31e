"""A CV's text cut into its sections (education, experience, internships, languages, other).

Headings come from `retrieval/lexicon/cv.yaml` in English, French and Spanish, and are matched
after folding and dropping markdown marks, bullets, numbering and a trailing colon: "## WORK
EXPERIENCE", "**Formación académica**", "3. Langues :", "Experiencia profesional". A
"Heading: value" line (a DOCX table row, "Languages: English (C2), French (B1)") opens its
section and stays in it as a line, so "Mother tongue(s): Spanish" keeps its label. Lines before
the first heading (name, contact) are the "header".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from retrieval.lexicon import load_yaml
from retrieval.text import fold

KINDS = ("education", "experience", "internships", "languages", "other")


@dataclass
class Section:
    kind: str  # "header" or one of KINDS
    heading: str = ""  # the folded heading it was opened by
    lines: list[str] = field(default_factory=list)  # as written, cleaned, non-empty


@cache
def _headings() -> dict[str, str]:
    """Folded heading → section kind."""
    table = load_yaml("cv.yaml")["sections"]
    return {_normal(label): kind for kind in KINDS for label in table[kind]}


def _normal(text: str) -> str:
    text = fold(text).replace("’", "'")
    text = re.sub(r"^\s*(?:[#>*•·▪\-–—]+|\(?(?:\d{1,2}|[ivx]{1,4})[.)])\s*", "", text)
    text = re.sub(r"[^a-z']+", " ", text)
    return " ".join(text.split())


def heading_kind(line: str) -> tuple[str, str] | None:
    """(kind, folded heading) when the line is a CV heading, alone or before a colon."""
    headings = _headings()
    whole = _normal(line)
    if whole in headings and len(whole) <= 60:
        return headings[whole], whole
    label, colon, _value = line.partition(":")
    if colon:
        label = _normal(label)
        if label in headings:
            return headings[label], label
    return None


def _lines(text: str) -> list[str]:
    """Cleaned lines: markdown marks dropped, table cells ("a | b", tabs) as a list ("a, b"),
    and a range cut by a PDF's line break ("07/2023 -" / "06/2024") joined again."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.replace("’", "'").replace("*", " ").replace("\t", " | ")
        line = re.sub(r"\s*\|\s*", ", ", line)
        line = " ".join(line.split()).strip("#_,; ")
        if not line:
            continue
        if out and re.search(r"\d\s*[-–—]$", out[-1]):
            out[-1] = f"{out[-1]} {line}"
            continue
        out.append(line)
    return out


def split_sections(text: str) -> list[Section]:
    sections = [Section("header")]
    for line in _lines(text):
        found = heading_kind(line)
        if found is not None:
            kind, heading = found
            sections.append(Section(kind, heading))
            if line.partition(":")[2].strip():
                sections[-1].lines.append(line)  # "Languages: English (C2)" keeps its label
            continue
        sections[-1].lines.append(line)
    return [s for s in sections if s.lines or s.kind != "header"]


def section_kinds(sections: list[Section]) -> list[str]:
    return list(dict.fromkeys(s.kind for s in sections if s.kind not in ("header", "other")))
