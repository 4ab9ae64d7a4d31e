"""Typed questions made readable: chat shorthand expanded, misspelt words corrected.

People type "wat languges do i need for the hobden job" or "emial of oliver lang pls". Every
later step (intents, which posting, eligibility) matches words, so a question is first brought
back to words the system knows: shorthand from `lexicon/chat.yaml`, then each unknown word is
replaced by the closest known one (rapidfuzz), known meaning a word of the postings themselves
(titles, names, units, their whole text) or of the lexicons. A word is never corrected towards
something outside that vocabulary, and short words, numbers and words with no close match stay
as typed, so a correct question passes through unchanged; so does any common word of the
question's language (wordfreq's frequency lists), which the postings merely do not use.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz, process
from wordfreq import zipf_frequency

from retrieval.lexicon import load_yaml
from retrieval.models import Posting
from retrieval.text import FOREIGN_FUNCTION_WORDS, GENERIC, STOPWORDS, fold
from retrieval.understanding import pattern_words

_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-zÀ-ÿ]+)?")
_LEXICON_WORD_RE = re.compile(r"[a-z]{3,}")
# Below these similarities (0–100, rapidfuzz's normalised Indel ratio) a word is left alone:
# one swapped or missing letter in a five-letter word scores 80.
_MIN_SCORE = {4: 86, 5: 80, 6: 80}
_DEFAULT_MIN_SCORE = 80
# French/Spanish cognates of English words differ in their endings: "-cion"/"-tion",
# "-o"/"", "-dad"/"-ty".
_COGNATE_SCORE = 76
# A word at least this common in the question's language (Zipf scale: 3 ≈ once per million
# words) is a real word the postings happen not to use — "weather", "desk" — never a typo.
_COMMON_WORD_ZIPF = 3.0


# Points of fuzz.ratio within which two candidate words count as equally close.
_NEAR_TIE = 5


def _lexicon_words() -> set[str]:
    """Every word the lexicons use: intent patterns, glossary, eligibility vocabulary, language
    and degree names, academic fields ("sociologia" is a field, not a misspelt "soziologie")."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.update(pattern_words(fold(node)))
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(str(key))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for name in ("intents.yaml", "glossary.yaml", "eligibility.yaml", "chat.yaml", "fields.yaml",
                 "languages.yaml", "degrees.yaml"):
        walk(load_yaml(name))
    return found


class Speller:
    """Corrects a question towards the vocabulary of one set of postings."""

    def __init__(self, postings: Iterable[Posting]) -> None:
        counts: Counter[str] = Counter()
        surface: dict[str, str] = {}
        lower: set[str] = set()
        names: set[str] = set()
        # Lines repeat across postings (boilerplate): each distinct line is read once and
        # its words counted as often as the line occurs. No word spans a line break.
        lines: Counter[str] = Counter()
        postings = list(postings)
        for p in postings:
            lines.update(p.text.split("\n"))
        for line, times in lines.items():
            for token in _WORD_RE.findall(line):
                word = fold(token)
                counts[word] += times
                if token.islower():
                    lower.add(word)
                elif word not in surface:
                    surface[word] = token
        for p in postings:
            for token in _WORD_RE.findall(" ".join(
                    [p.title, p.department, p.unit, p.supervisor.name, p.duty_station,
                     *p.acronyms])):
                names.add(fold(token))
        self._counts = counts
        # A word the postings never write in lower case is a name: it keeps their spelling.
        self._surface = {w: s for w, s in surface.items() if w not in lower}
        known = set(counts) | _lexicon_words() | STOPWORDS | GENERIC | FOREIGN_FUNCTION_WORDS
        self._known = frozenset(known)
        self._shorthand: dict[str, dict[str, str]] = {
            lang: {fold(k): v for k, v in table.items()}
            for lang, table in load_yaml("chat.yaml").items() if isinstance(table, dict)}
        # Candidates by first letter: a misspelling rarely gets the first letter wrong, and
        # the search stays small on a large corpus.
        self._by_letter = self._index(w for w in known if len(w) >= 3)
        self._names_by_letter = self._index(w for w in names if len(w) >= 3)
        # The postings' English words, that a French or Spanish word may be a cognate of.
        self._english_by_letter = self._index(
            w for w in counts if len(w) >= 5 and zipf_frequency(w, "en") >= 1.5)

    @staticmethod
    def _index(vocabulary: Iterable[str]) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for word in vocabulary:
            table.setdefault(word[0], []).append(word)
        return table

    def correct(self, text: str, language: str = "en") -> str:
        """The text with shorthand expanded and unknown words corrected; for French and
        Spanish only names (people, units, acronyms) are corrected, since the vocabulary
        is the postings' English."""
        shorthand = self._shorthand.get(language, {})
        pool = self._by_letter if language == "en" else self._names_by_letter

        def fix(match: re.Match[str]) -> str:
            token = match.group(0)
            word = fold(token)
            head, apostrophe, tail = word.replace("’", "'").partition("'")
            if word in shorthand:
                return shorthand[word]
            if apostrophe and head in shorthand:  # "wat's" → "what's"
                return f"{shorthand[head]}'{tail}"
            if word in self._known or len(word) < 4 or not word.isalpha():
                return token
            if zipf_frequency(word, language) >= _COMMON_WORD_ZIPF:
                return token
            # A capitalised word inside the sentence is a name: only another name may fix it
            # ("Lisa Tortel" → "Tortell"), a "John Smith" stays as typed.
            named = token[:1].isupper() and match.start() > 0
            candidates = (self._names_by_letter if named else pool).get(word[0], [])
            best = self._closest(word, candidates)
            if best is None:
                return token
            if token.isupper():  # an acronym stays one: "MULTY" → "MULTI"
                return best.upper()
            # A name comes back as the postings write it ("liange" → "Liang"), a capital stays.
            if token[:1].isupper():
                return self._surface.get(best, best[:1].upper() + best[1:])
            return self._surface.get(best, best)

        return _WORD_RE.sub(fix, text)

    def cognates(self, text: str, language: str) -> dict[str, str]:
        """For a French or Spanish question: its longer words that no lexicon knows, each
        with the postings' English word it is a cognate of ("investigacion" →
        "investigation", "convenio" → "convention"), for finding what it asks about."""
        if language == "en":
            return {}
        out: dict[str, str] = {}
        for token in _WORD_RE.findall(text):
            word = fold(token)
            if len(word) < 6 or word in self._known or not word.isalpha():
                continue
            best = self._closest(word, self._english_by_letter.get(word[0], []), _COGNATE_SCORE)
            if best is not None and len(best) >= 0.75 * len(word):
                out[word] = best
        return out

    def _closest(self, word: str, candidates: list[str],
                 cutoff: float | None = None) -> str | None:
        if not candidates:
            return None
        cutoff = cutoff or _MIN_SCORE.get(len(word), _DEFAULT_MIN_SCORE)
        matches = process.extract(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff,
                                  limit=5)
        if not matches:
            return None
        # Among about equally close words, the one the postings use most: "internacionales" is
        # "international", not a fragment "internationalen" one URL spells.
        best_score = max(score for _, score, _ in matches)
        tied = [w for w, score, _ in matches if score >= best_score - _NEAR_TIE]
        return max(tied, key=lambda w: (self._counts.get(w, 0), -abs(len(w) - len(word))))
