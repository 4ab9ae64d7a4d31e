"""Whether the experience a candidate tells is in a posting's area at all.

"Two years as a barista, then software sales" against "at least two years of experience in
labour or international law" is not a question to send back to the candidate: a recruiter
reads it as experience in another field. Word overlap cannot see that (the words of
unrelated work are many, and every posting's area is worded its own way), so the judgement
is made by meaning, with the embedding model the index already loaded, and kept conservative:

- only experience that names a subject is judged ("at a ministry" names a workplace, and
  is left to the candidate, as before);
- experience that shares a subject word with the requirement or with the posting's title and
  duties is never called unrelated ("an observatory on automation" for the AI post);
- the rest is unrelated when its similarity to the requirement's area stays below a floor
  (`Settings.eligibility_unrelated_below`). The floor was set on the eligibility gold sets'
  self-descriptions (MiniLM): unrelated work ("marketing manager at a cosmetics company",
  "lab chemist", "M&A associate") scored 0.08–0.27, related work 0.29 and up.

Only English texts are judged (the floor was measured on English), and without an embedding
function (unit tests, a corpus without a model) nothing is unrelated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from retrieval.eligibility.fields import not_a_field, not_a_field_words
from retrieval.eligibility.vocabulary import stem_words
from retrieval.text import STOPWORDS, fold
from retrieval.understanding import detect_language

Embed = Callable[[list[str]], Sequence[Sequence[float]]]

# words about experience itself, or about when and as what, name no subject
_GENERIC = not_a_field()["generic"] | not_a_field()["roles_and_time"]
_WORKPLACE = not_a_field()["workplaces"]
_STOP_STEMS = frozenset(stem_words(" ".join(STOPWORDS)))
_CACHE_SIZE = 4096


# "at an ngo in helsinki", "a union in lima": the town after a workplace says where, not what
_WORKPLACE_TOWN = re.compile(
    r"\b(" + "|".join(sorted(not_a_field_words()["workplaces"], key=len, reverse=True))
    + r")s?\s+(?:in|at|based in)\s+[a-z]+(?:\s+(?:city|de|do|da|del|el|la)\s+[a-z]+)?")


@lru_cache(maxsize=8192)
def subject_stems(text: str) -> frozenset[str]:
    """The stems of a text that name what the work was about (not where, not when)."""
    text = _WORKPLACE_TOWN.sub(r"\1", text)
    return frozenset(s for s in stem_words(re.sub(r"\d+", " ", text))
                     if len(s) > 2 and s not in _GENERIC and s not in _WORKPLACE
                     and s not in _STOP_STEMS)


@lru_cache(maxsize=8192)
def _english(text: str) -> bool:
    """The model and the floor were measured on English: a French requirement or a Spanish
    self-description is not judged (their words would look far from any English ones)."""
    return detect_language(text) == "en"


@lru_cache(maxsize=256)
def _subject_pattern(haves: tuple[str, ...]) -> re.Pattern[str]:
    stems = sorted(set().union(*(subject_stems(h) for h in haves)), key=len, reverse=True)
    if not stems:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + ")")


class ExperienceRelevance:
    """Tells experience in another field apart from experience the checks cannot place."""

    def __init__(self, embed: Embed | None, below: float) -> None:
        self._embed = embed
        self._below = below
        self._vectors: dict[str, np.ndarray] = {}
        # one profile is checked against thousands of postings, which share few areas
        self._far: dict[tuple[tuple[str, ...], str], bool] = {}

    @property
    def active(self) -> bool:
        return self._embed is not None and self._below > 0

    def far_from(self, haves: list[str], need: str) -> bool:
        """Whether every told experience that names a subject is far, in meaning, from the
        requirement's area `need` (False when none names one)."""
        key = (tuple(haves), need)
        found = self._far.get(key)
        if found is None:
            if len(self._far) > _CACHE_SIZE:
                self._far.clear()
            found = self._far[key] = self._far_from(haves, need)
        return found

    def _far_from(self, haves: list[str], need: str) -> bool:
        judged = [h for h in haves if subject_stems(h)]
        if not self.active or not judged or not need.strip() \
                or not all(_english(t) for t in (need, *judged)):
            return False
        vectors = self._vectors_of([need, *judged])
        target = vectors[0]
        return all(float(target @ v) < self._below for v in vectors[1:])

    @staticmethod
    def shares_subject(haves: list[str], posting_text: str) -> bool:
        """Whether a subject word of the told experience appears in the posting's own text
        (title and duties): then the experience is not called unrelated. A stem is looked
        for as the start of a word, so that one pattern scans a posting without stemming it."""
        return bool(_subject_pattern(tuple(haves)).search(fold(posting_text)))

    def _vectors_of(self, texts: list[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            assert self._embed is not None
            if len(self._vectors) + len(missing) > _CACHE_SIZE:
                self._vectors.clear()  # profiles change with every question: a bounded memo
            for text, vector in zip(missing, self._embed(missing), strict=True):
                v = np.asarray(vector, dtype=np.float32)
                norm = float(np.linalg.norm(v)) or 1.0
                self._vectors[text] = v / norm
        return [self._vectors[t] for t in texts]
