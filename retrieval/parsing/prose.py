"""The sentences of a posting's whole text, read line-aware.

A posting's text keeps its line breaks: a heading line ("ELIGIBILITY", "7. Eligibility and
application") is no part of the sentence below it, and a "Label: value" line of a header block
("Sponsor: Government of Switzerland") or a markdown table row is a sentence of its own, not
the start of a long one joined from the block. Paragraphs of wrapped prose are joined and split
into sentences.
"""

from __future__ import annotations

import re

from retrieval.parsing.headings import exact_or_fuzzy_section
from retrieval.parsing.values import split_sentences

LABEL_LINE = re.compile(r"^\W{0,4}[^\W\d][^:]{1,70}:\s*\S")


def is_heading(line: str) -> bool:
    """A short line with no closing punctuation that is all capitals or a known heading."""
    return 0 < len(line) <= 60 and not re.search(r"[.;:,]$", line) and (
        line.isupper() or line.startswith("#")
        or exact_or_fuzzy_section(line.lstrip("#* ")) is not None)


def prose_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            sentences.extend(split_sentences(" ".join(paragraph)))
            paragraph.clear()

    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or is_heading(line):
            flush()
        elif line.startswith("|") or (len(line) <= 240 and LABEL_LINE.match(line)
                                       and not re.search(r"[.;]$", line)):
            # a markdown table row is a sentence of its own too
            flush()
            sentences.append(line)
        else:
            paragraph.append(line)
    flush()
    return sentences
