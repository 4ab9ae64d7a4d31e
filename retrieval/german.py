"""German words read as the English the rest of the system understands.

French and Spanish questions are glossed word by word (`lexicon/glossary.yaml`); German needs
three things more before a word is found there, because German builds words instead of
phrases:

- inflections: "Vorgesetzter", "Vorgesetzten", "Vorgesetzte" are one word for Snowball's
  German stemmer, so the glossary lists each word once;
- compounds: "Berufserfahrung", "Kreativwirtschaft", "Organisationseinheit" are split into
  glossary words, longest last part first (the last part is what a German compound is), with
  the linking "s"/"es"/"n"/"en" between them; a compound the glossary lists itself
  ("Dienstort" → duty station) wins over its parts;
- umlauts typed as "ae"/"oe"/"ue" ("prekaerer", "koennen", "fuer") are read as "ä"/"ö"/"ü"
  when the word is not found as typed.

`gloss_text` keeps everything but the words (punctuation, digits, names), so that the profile
reader can read a German self-description as it reads an English one.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import snowballstemmer

from retrieval.text import STOPWORDS, fold

_stemmer = snowballstemmer.stemmer("german")
_LINKS = ("", "s", "es", "n", "en", "e")
# Compound parts shorter than this are not looked up: "ort", "ki" would split anything.
_MIN_PART = 4
_WORD_RE = re.compile(r"[A-Za-zÀ-ÿß]+(?:-[A-Za-zÀ-ÿß]+)*")


def _umlauts_typed(word: str) -> str:
    return word.replace("ae", "a").replace("oe", "o").replace("ue", "u")


class GermanGlossary:
    """German word → its English gloss, through inflections, compounds and typed umlauts."""

    def __init__(self, table: dict[str, str]) -> None:
        # As written first: folding makes "würde" (would) and "wurde" (was) one word.
        self._as_written = {str(k).lower(): str(v) for k, v in table.items()}
        self._table = {fold(k): str(v) for k, v in table.items()}
        self._by_stem: dict[str, str] = {}
        # Shorter keys first: "stelle" is the stem's gloss, not "stellen".
        for key in sorted(self._table, key=len):
            self._by_stem.setdefault(_stemmer.stemWord(key), self._table[key])
        self.lookup = lru_cache(maxsize=8192)(self._lookup)

    def _direct(self, word: str) -> str | None:
        if word in self._table:
            return self._table[word]
        # "due" is English, not "dü" or an inflection of "du": only longer words are read
        # with typed umlauts or by their stem.
        if len(word) < 4:
            return None
        for form in dict.fromkeys((word, _umlauts_typed(word))):
            if form in self._table:
                return self._table[form]
            by_stem = self._by_stem.get(_stemmer.stemWord(form))
            if by_stem is not None:
                return by_stem
        return None

    def _part(self, word: str) -> str | None:
        """A compound part: a content word of the glossary, never a function word."""
        if len(word) < _MIN_PART:
            return None
        gloss = self._direct(word)
        if gloss is None or all(w in STOPWORDS for w in gloss.split()):
            return None
        return gloss

    def _lookup(self, word: str) -> str | None:
        """The gloss of one folded word, or None when the glossary does not know it."""
        gloss = self._direct(word)
        if gloss is not None:
            return gloss
        return self._compound(word)

    def _compound(self, word: str) -> str | None:
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            last = self._part(tail)
            if last is None:
                continue
            for link in _LINKS:
                if link and not head.endswith(link):
                    continue
                stem = head[: len(head) - len(link)] if link else head
                first = self._part(stem) or (self._compound(stem)
                                             if len(stem) >= 2 * _MIN_PART else None)
                if first is not None:
                    return f"{first} {last}"
        return None

    def gloss_word(self, word: str) -> str:
        """A folded word's gloss; a hyphenated word ("Due-Diligence-Stelle") by its parts
        unless the glossary lists it whole ("Diplom-Volkswirt")."""
        whole = self.lookup(word) if "-" not in word else self._table.get(word)
        if whole is not None:
            return whole
        if "-" in word:
            return " ".join(self.gloss_word(part) for part in word.split("-") if part)
        return word

    def gloss_text(self, text: str, extra: dict[str, str] | None = None) -> str:
        """The text with each German word replaced by its gloss, everything else kept;
        `extra` glosses words the glossary lacks (cognates of the postings' words)."""
        extra = extra or {}

        def replace(match: re.Match[str]) -> str:
            written = self._as_written.get(match.group(0).lower())
            if written is not None:
                return written
            word = fold(match.group(0))
            glossed = self.gloss_word(word)
            if glossed == word:
                return extra.get(word, match.group(0))
            return glossed

        return _WORD_RE.sub(replace, text)


@cache
def german_glossary() -> GermanGlossary:
    from retrieval.lexicon import load_yaml

    return GermanGlossary(load_yaml("glossary.yaml")["de"])
