"""Section-aware chunks: one per section or Minimum/Desirable sub-block, plus a summary."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from retrieval.models import Posting

# Section labels shown to users as citations; also the metadata value of each chunk.
SECTION_LABELS = {
    "summary": "General information",
    "supervision": "Supervision",
    "introduction": "Introduction",
    "duties": "Duties and responsibilities",
    "key_outputs": "Key outputs",
    "education.minimum": "Education (minimum)",
    "education.desirable": "Education (desirable)",
    "experience.minimum": "Work experience (minimum)",
    "experience.desirable": "Work experience (desirable)",
    "skills.minimum": "Skills (minimum)",
    "skills.desirable": "Skills (desirable)",
    "languages.minimum": "Languages (minimum)",
    "languages.desirable": "Languages (desirable)",
    "competencies": "ILO competencies",
    "training": "Training components",
    "learning": "Learning elements",
    "background": "Background information",
    "other": "Other text",
}
# Below this share of a posting's lines in some section, what no section holds is chunked
# too (as "other"): a layout the parser reads only in part must still be findable. The ILO
# postings' sections hold 90–100% of their lines (the rest is the header and boilerplate),
# so they are chunked by section only.
MIN_COVERAGE = 0.8


def section_label(key: str) -> str:
    return SECTION_LABELS.get(key, key.replace("_", " ").capitalize())


def summary_text(p: Posting) -> str:
    rows = [
        ("Title", p.title), ("Organisation", p.organisation), ("Post number", p.post_number),
        ("Issued", p.issued),
        ("Duty station", p.duty_station), ("Duration", p.duration), ("Grade", p.grade),
        ("Department", p.department), ("Organisational unit", p.unit),
        ("Supervisor", p.supervisor.describe()),
    ]
    return "\n".join(f"{k}: {v}" for k, v in rows if v)


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {i}" for i in items)


def section_texts(p: Posting) -> list[tuple[str, str]]:
    """(section key, text) for every non-empty section of a posting, in reading order."""
    sections: list[tuple[str, str]] = [("summary", summary_text(p))]
    # The supervisor's name is in the summary; keeping it out of the method text lets postings
    # that share the same supervision paragraph share one embedding.
    sections += [("supervision", p.supervision_method or (
        f"Direct supervision by: {p.supervisor.describe()}" if p.supervisor.describe() else "")),
        ("introduction", p.introduction)]
    duties = "\n".join(t for t in (p.duties_context, _bullets(p.duties)) if t)
    outputs = "\n".join(t for t in (p.key_outputs_context, _bullets(p.key_outputs)) if t) \
        if p.key_outputs else ""
    sections += [("duties", duties), ("key_outputs", outputs)]
    for name in ("education", "experience", "skills", "languages"):
        block = getattr(p, name)
        sections += [(f"{name}.minimum", block.minimum), (f"{name}.desirable", block.desirable)]
    sections += [
        ("competencies", _bullets(p.competencies)), ("training", p.training),
        ("learning", _bullets(p.learning)), ("background", p.background),
    ]
    found = [(k, t.strip()) for k, t in sections if t and t.strip()]
    other = uncovered_text(p, found)
    return [*found, ("other", other)] if other else found


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# Lines come back in every posting sharing boilerplate; whole sections are not cached (at
# 10,000 postings their normalised copies alone were hundreds of MiB).
_norm_line = lru_cache(maxsize=65536)(_norm)


def uncovered_text(p: Posting, sections: list[tuple[str, str]]) -> str:
    """The posting's lines that no section holds, when sections hold too little of it (less
    than `MIN_COVERAGE` of its characters); empty otherwise."""
    held = _norm(" ".join(t for _k, t in sections))
    normed = [(ln, _norm_line(ln)) for ln in (raw.strip() for raw in p.text.splitlines())]
    normed = [(ln, n) for ln, n in normed if n]
    total = sum(len(ln) for ln, _n in normed)
    missing = [ln for ln, n in normed if n not in held]
    if not total or sum(len(ln) for ln in missing) <= (1 - MIN_COVERAGE) * total:
        return ""
    return "\n".join(missing)


class Chunker:
    def __init__(self, chunk_size: int = 900, chunk_overlap: int = 150) -> None:
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap,
            separators=["\n\n", "\n", ". ", "; ", ", ", " "],
        )

    def chunks(self, posting: Posting) -> list[Document]:
        docs: list[Document] = []
        for key, text in section_texts(posting):
            pieces = [text] if key == "summary" else self._splitter.split_text(text)
            for n, piece in enumerate(pieces):
                metadata: dict[str, str | int] = {
                    "posting_id": posting.id,
                    "title": posting.title,
                    "organisation": posting.organisation,
                    "section": key,
                    "section_label": section_label(key),
                    "part": n,
                    "kind": "summary" if key == "summary" else "section",
                }
                docs.append(Document(page_content=piece, metadata=metadata,
                                     id=chunk_id(posting.id, key, n, piece)))
        return docs


def chunk_id(posting_id: str, section: str, part: int, text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{posting_id}:{section}:{part}:{digest}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
