"""Citations: excerpts as "posting — section" sources, and the model's `[n]` markers mapped
onto the de-duplicated sources the user sees."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from langchain_core.documents import Document

from retrieval.chunking import section_label
from retrieval.models import Citation, Posting

_CITE_RE = re.compile(r"\[(\s*\d+(?:\s*(?:,|;|-|–|and)\s*\d+)*\s*)\]")
_PARTIAL_CITE_RE = re.compile(r"\[[\d,;\s–-]*$")
_RUN_RE = re.compile(r"\[\d+\](?:\s*\[\d+\])+")  # adjacent markers: "[1][2]", "[1] [1]"
MARKER_RE = re.compile(r"\[\d+\]")


def doc_citation(doc: Document, postings: dict[str, Posting]) -> Citation:
    meta = doc.metadata
    pid = str(meta.get("posting_id", ""))
    posting = postings.get(pid)
    if posting is not None:
        return Citation(posting_id=pid, title=posting.title,
                        section=section_label(str(meta.get("section", ""))),
                        excerpt=doc.page_content[:300])
    return Citation(posting_id=pid, title=str(meta.get("title", "")),
                    section=str(meta.get("section_label", meta.get("section", ""))),
                    excerpt=doc.page_content[:300])


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|;|and)\s*", group.strip()):
        m = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            out += list(range(lo, hi + 1)) if 0 < hi - lo < 20 else [lo, hi]
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def map_citations(text: str, excerpts: Sequence[Citation | Sequence[Citation]]
                  ) -> tuple[str, list[Citation]]:
    """Replace `[n]` markers by numbers of the de-duplicated sources they point to.

    `excerpts[n-1]` is what excerpt n is: one source, or several (the extractive answer,
    given as one excerpt, can come from several sections). The sources are numbered in order
    of first citation, one number per distinct "title — section" label, so the numbers match
    the "Sources" list shown to the user. Markers pointing to no excerpt are dropped."""
    labels: list[str] = []
    cited: list[Citation] = []

    def replace(match: re.Match[str]) -> str:
        new: list[int] = []
        for n in _numbers(match.group(1)):
            if not 1 <= n <= len(excerpts):
                continue
            sources = excerpts[n - 1]
            for c in [sources] if isinstance(sources, Citation) else sources:
                if c.label not in labels:
                    labels.append(c.label)
                    cited.append(c)
                idx = labels.index(c.label) + 1
                if idx not in new:
                    new.append(idx)
        return "".join(f"[{i}]" for i in new) if new else "\x00"

    out = _CITE_RE.sub(replace, text)
    out = re.sub(r"[ \t]*\x00", "", out)
    out = _RUN_RE.sub(lambda m: "".join(dict.fromkeys(re.findall(r"\[\d+\]", m.group(0)))), out)
    return out, cited


def without_partial_marker(text: str) -> str:
    """A streamed text without the half-written `[1` at its end."""
    return _PARTIAL_CITE_RE.sub("", text)


def merge(first: Iterable[Citation], second: Iterable[Citation]) -> list[Citation]:
    out: list[Citation] = []
    seen: set[str] = set()
    for c in [*first, *second]:
        if c.label not in seen:
            seen.add(c.label)
            out.append(c)
    return out
