"""Which section a heading opens: an exact label, then a fuzzy one, then its meaning.

The exact and fuzzy matches (rapidfuzz) cover the labels in the lexicon and their typos at no
cost. A heading none of them knows is compared, with the embedding model the index already
uses, against the example descriptions of each section type: the heading together with the
first lines under it, so "How can you make a difference?" above a list of functions reads as
duties. The model is only asked for postings that have such headings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import numpy as np
from langchain_core.embeddings import Embeddings
from rapidfuzz import fuzz, process

from retrieval.parsing.vocabulary import Vocabulary, norm_label, vocabulary

log = logging.getLogger(__name__)

# "4.", "IV.", "B)", "PART 1A -", "Part 2 –", "Section 3:" before a heading's words.
NUMBERING_RE = re.compile(
    r"^(?:(?:part|section)\s+\d{1,2}[a-z]?\s*[-–—:.)]?\s*|(?:\d{1,2}|[IVX]{1,4}|[A-H])[.)]\s+)",
    re.I)
FUZZY_CUTOFF = 92  # rapidfuzz ratio: "Duties and Responsabilites" yes, "Duty station" no
MIN_SIMILARITY = 0.40  # cosine between a heading (+ its first lines) and a section example
# A heading that alone says what its section is ("Expected deliverables during the
# assignment:") is not overruled by the lines under it (lettered outputs that mention the JPO
# and a supervisor read like supervision).
CLEAR_HEADING = 0.75
FAIR_HEADING, WEAK_READING = 0.50, 0.45
_REQUIREMENT_TOPICS = {"education", "experience", "languages", "education_experience"}


def strip_numbering(text: str) -> str:
    return NUMBERING_RE.sub("", text).strip()


def heading_label(text: str) -> str:
    return norm_label(strip_numbering(text).rstrip(":").strip())


def exact_or_fuzzy_section(text: str, vocab: Vocabulary | None = None) -> str | None:
    """The section a heading line opens by its label, or None. 'Label:' and 'Label' both
    count; numbering is ignored."""
    vocab = vocab or vocabulary()
    candidate = strip_numbering(text).rstrip(":").strip()
    if len(candidate) > 60:
        return None
    label = norm_label(candidate)
    if label in vocab.sections:
        return vocab.sections[label]
    if label in vocab.numbered_sections and NUMBERING_RE.match(text):
        # "SECTION 3 - TERMS OF REFERENCE" (unnumbered, the words name the whole document)
        return vocab.numbered_sections[label]
    # "KEY ACCOUNTABILITIES (not all-inclusive)", "FAO Core Competencies", "ABOUT WFP"
    bare = norm_label(re.sub(r"\([^)]*\)", " ", candidate))
    words = [w for w in bare.split() if w.upper() not in vocab.organisations]
    for variant in (bare, " ".join(words)):
        if variant in vocab.sections:
            return vocab.sections[variant]
    key = _label_or_typo(label, vocab)
    if key:
        return key
    # "CORE FUNCTIONS / RESPONSIBILITIES", "Organizational context and scope": a heading made
    # of parts opens the section its known parts agree on.
    parts = [p for p in re.split(r"/|,| and | et | y ", label) if p.strip()]
    if len(parts) < 2:
        return None
    keys = {_label_or_typo(p.strip(), vocab) for p in parts} - {None}
    return keys.pop() if len(keys) == 1 else None


def _label_or_typo(label: str, vocab: Vocabulary) -> str | None:
    if label in vocab.sections:
        return vocab.sections[label]
    if len(label) < 8:
        return None
    match = process.extractOne(label, vocab.sections.keys(), scorer=fuzz.ratio,
                               score_cutoff=FUZZY_CUTOFF)
    return vocab.sections[match[0]] if match else None


class SemanticHeadings:
    """Section types by meaning. `embeddings` is a factory so that the model is only loaded
    when a posting has a heading the labels do not know."""

    def __init__(self, embeddings: Callable[[], Embeddings], *,
                 vocab: Vocabulary | None = None, min_similarity: float = MIN_SIMILARITY) -> None:
        self._embeddings = embeddings
        self._vocab = vocab or vocabulary()
        self._min = min_similarity
        self._keys: list[str] = []
        self._examples: np.ndarray | None = None

    def _example_vectors(self) -> tuple[list[str], np.ndarray]:
        if self._examples is None:
            pairs = [(k, e) for k, examples in self._vocab.section_examples.items()
                     for e in examples]
            vectors = self._embeddings().embed_documents([e for _k, e in pairs])
            self._keys = [k for k, _e in pairs]
            self._examples = _normalised(np.asarray(vectors, dtype=np.float32))
        return self._keys, self._examples

    def classify(self, headings: list[tuple[str, str]]) -> list[tuple[str | None, float]]:
        """(section type or None, similarity) for each (heading, first lines under it)."""
        if not headings:
            return []
        try:
            keys, examples = self._example_vectors()
            named = [strip_numbering(h).rstrip(":") for h, _body in headings]
            texts = [f"{h}: {body}"[:400] for h, (_h, body) in zip(named, headings, strict=True)]
            texts += named
            vectors = _normalised(np.asarray(self._embeddings().embed_documents(texts),
                                             dtype=np.float32))
        except Exception as exc:  # a remote embedding service down: labels only
            log.warning("heading classification by meaning unavailable: %s", exc)
            return [(None, 0.0)] * len(headings)
        scores = vectors @ examples.T
        with_body, alone = scores[:len(headings)], scores[len(headings):]
        out: list[tuple[str | None, float]] = []
        for row, heading_row in zip(with_body, alone, strict=True):
            if heading_row.max() >= max(CLEAR_HEADING, row.max()) or (
                    # a heading that says fairly clearly what it is ("Your day-to-day") over
                    # a weak reading of the lines under it (a preamble about supervision)
                    heading_row.max() >= FAIR_HEADING and row.max() < WEAK_READING):
                row = heading_row
            best = int(row.argmax())
            key = keys[best] if row[best] >= self._min else None
            # An unfamiliar requirements heading ("To qualify … you will have…") often covers
            # degree, experience and languages at once: the topic splitter sorts them.
            if key in _REQUIREMENT_TOPICS:
                key = "qualifications"
            out.append((key, float(row[best])))
        return out


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)
