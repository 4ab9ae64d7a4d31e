"""Which postings contain a word: one inverted index (word → posting rows) per snapshot.

Corpus-wide questions ("which postings mention Stata?") count the postings holding a word. A
word set per posting did that with one set intersection per posting and held every posting's
vocabulary as Python sets (~20 KiB a posting, 200 MiB at 10,000); the index answers with one
lookup per word form and keeps the rows as int32 arrays.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from retrieval.models import Posting
from retrieval.text import words

_NONE = np.zeros(0, dtype=np.int32)


class PostingWords:
    def __init__(self, postings: list[Posting]) -> None:
        self.ids = [p.id for p in postings]  # row → posting id
        self._row_of = {pid: n for n, pid in enumerate(self.ids)}
        # Lines repeat across postings (boilerplate) and no word spans a line break, so each
        # distinct line is split into words once.
        line_words: dict[str, frozenset[str]] = {}
        rows: dict[str, list[int]] = {}
        for n, p in enumerate(postings):
            body: set[str] = set()
            for line in p.text.split("\n"):
                found = line_words.get(line)
                if found is None:
                    found = line_words[line] = frozenset(words(line))
                body |= found
            for word in body:
                rows.setdefault(word, []).append(n)
        self._rows = {w: np.asarray(r, dtype=np.int32) for w, r in rows.items()}

    def rows(self, postings: Iterable[Posting]) -> np.ndarray:
        """The sorted rows of some postings (a scope to count within)."""
        return np.unique(np.asarray([self._row_of[p.id] for p in postings if p.id in self._row_of],
                                    dtype=np.int32))

    def holding(self, forms: Iterable[str]) -> np.ndarray:
        """Sorted rows of the postings that contain any of the word forms."""
        found = [self._rows[f] for f in forms if f in self._rows]
        if not found:
            return _NONE
        return found[0] if len(found) == 1 else np.unique(np.concatenate(found))

    def holding_all(self, words: Iterable[str]) -> np.ndarray:
        """Sorted rows of the postings that contain every one of the words."""
        rows: np.ndarray | None = None
        for word in words:
            found = self._rows.get(word, _NONE)
            rows = found if rows is None else np.intersect1d(rows, found, assume_unique=True)
            if not rows.size:
                break
        return _NONE if rows is None else rows

    def frequency(self, forms: Iterable[str], within: np.ndarray | None = None) -> int:
        """How many postings (of `within`'s rows, if given) contain any of the word forms."""
        held = self.holding(forms)
        if within is None:
            return int(held.size)
        return int(np.isin(held, within, assume_unique=True).sum())
