"""Requirement blocks: Minimum/Desirable sub-labels, and requirements stated in prose."""

from __future__ import annotations

import re

from retrieval.models import RequirementBlock
from retrieval.parsing.labels import sublabel
from retrieval.parsing.lines import Line
from retrieval.parsing.values import split_sentences

_TEMPLATE_HINT = re.compile(
    r"^(indicate|please (complete|indicate|describe)|background information should)", re.I)


def _is_intro(text: str) -> bool:
    """Lead-in sentences ("… specifically:", "The JPO will:") and template instructions."""
    return text.rstrip().endswith(":") or bool(_TEMPLATE_HINT.match(text))


_NOTHING_RE = re.compile(r"^(not available|n/?a|none|not applicable)\.?$", re.I)


def heading_level(heading: str) -> str:
    """'Desirable Qualifications', 'DESIRED EXPERIENCES…' → 'desirable'; 'Minimum …' →
    'minimum'; else ''."""
    if _DESIRED_HEADING_RE.search(heading):
        return "desirable"
    return "minimum" if _MINIMUM_HEADING_RE.search(heading) else ""


_DESIRED_HEADING_RE = re.compile(r"\b(desirable|desired|preferred|an asset|advantageous)\b", re.I)
_MINIMUM_HEADING_RE = re.compile(r"\b(minimum|required|essential|mandatory)\b", re.I)


def _requirement_block(content: list[Line], level: str = "") -> RequirementBlock:
    minimum: list[str] = []
    desirable: list[str] = []
    target = desirable if level == "desirable" else minimum
    for ln in content:
        # "- **Required:** …" bullets carry their level too.
        sub = sublabel(ln.text) if not ln.bullet or re.match(r"^[A-Za-z ]{3,30}:\s*\S",
                                                            ln.text) else None
        if sub and ln.bullet and not sub[1]:
            sub = None
        if sub:
            target = minimum if sub[0] == "minimum" else desirable
            if sub[1]:
                target.append(sub[1])
            continue
        if _TEMPLATE_HINT.match(ln.text) or _NOTHING_RE.match(ln.text):
            continue
        target.append(("- " if ln.bullet else "") + ln.text)
    if minimum and not desirable:
        # "Excellent command of English. Spanish would be an asset." — one block, two levels.
        kept: list[str] = []
        for item in minimum:
            for sentence in split_sentences(item) if not item.startswith("- ") else [item]:
                (desirable if _ASSET_RE.search(sentence) else kept).append(sentence)
        minimum = kept if kept else minimum
    return RequirementBlock(minimum="\n".join(minimum).strip(),
                            desirable="\n".join(desirable).strip())


_ASSET_RE = re.compile(r"\b(would be an asset|is an asset|an advantage|desirable|preferred|"
                       r"would be a plus|is a plus|considered an asset|are an asset)\b", re.I)

_LANGUAGE_RE = re.compile(
    r"\b(english|french|spanish|arabic|chinese|russian|portuguese|german|italian|swahili|"
    r"languages?|fluency|fluent|bilingual)\b", re.I)
_EDUCATION_RE = re.compile(
    r"\b(degree|university|bachelor'?s?|master'?s?|doctorate|ph\.?d|diploma|graduate|"
    r"undergraduate)\b", re.I)
_EXPERIENCE_RE = re.compile(r"\b(experience|years?)\b", re.I)


def split_by_topic(text: str) -> dict[str, str]:
    """One block of mixed requirements → its education, experience and language sentences
    ("Undergraduate degree plus 3 years of experience; OR …" belongs to both education and
    experience, so the alternatives stay together)."""
    out: dict[str, list[str]] = {"education": [], "experience": [], "languages": []}
    for item in text.split("\n"):
        item = item.strip()
        if not item:
            continue
        sentences = [item] if item.startswith("- ") else split_sentences(item)
        for sentence in sentences:
            education = bool(_EDUCATION_RE.search(sentence))
            if _LANGUAGE_RE.search(sentence) and not education:
                out["languages"].append(sentence)
                continue
            if education:
                out["education"].append(sentence)
            if _EXPERIENCE_RE.search(sentence):
                out["experience"].append(sentence)
    return {k: "\n".join(v) for k, v in out.items() if v}
