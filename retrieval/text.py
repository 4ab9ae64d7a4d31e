"""Tokenising and stemming shared by keyword search, posting routing and eligibility."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves also may might must shall etc e g i e per via within
tell give show know please let me i'm i've i'd there's what's who's it's that's
many much
""".split())

# Words of the domain that say nothing about which posting is meant.
GENERIC = frozenset("""
jpo jpos junior professional officer officers post posts posting postings position positions job
jobs vacancy vacancies role roles assignment programme program ilo international labour labor
office organization organisation one
""".split())

# French and Spanish words that glossary translation (word by word) leaves in a question and
# that name nothing: they must not become the term of "which postings mention …?".
FOREIGN_FUNCTION_WORDS = frozenset("""
de la le les des du un une il elle ils elles y a t en et ou que qui quoi est sont ce cette ces
au aux pour par sur dans avec son sa ses leur leurs ne pas plus se l d j n s c qu on nous vous
mentionne mentionnent exige exigent demande demandent requiert parle parlent annonce annonces
poste postes offre offres connaissance connaissances aucun aucune quel quels quelle quelles
el los las del al con por para es son uno unos unas algun alguno alguna algunos algunas ningun
ninguno ninguna cual cuales como donde su sus mi mis tu hay menciona mencionan requiere
requieren exige exigen pide piden puesto puestos anuncio anuncios conocimiento conocimientos
""".split())

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_stemmer = snowballstemmer.stemmer("english")


def clauses(text: str) -> list[str]:
    """A message cut after each sentence or clause mark ('.', '!', '?', ';', ':')."""
    return [c for c in re.split(r"(?<=[.!?;:])\s+", text.strip()) if c]


def asking_clauses(text: str) -> list[str]:
    """The clauses of a message that ask (those with "?"), else its last clause: "… 3 years at
    a union on AI and royalties. am i eligible for the creative sectors jpo?" asks the last."""
    parts = clauses(text)
    return [p for p in parts if "?" in p] or parts[-1:]


class _StrippedMarks(dict[int, str]):
    """A `str.translate` table filled on demand: each character as NFKD decomposes it, its
    combining marks dropped ('é' → 'e'). Decomposing character by character and dropping the
    marks gives what decomposing the whole text does (only the order of marks could differ),
    and the translation runs in C: folding a posting no longer walks it in Python."""

    def __missing__(self, code: int) -> str:
        if code == ord("ß"):  # no decomposition; German writes it "ss" when it has to
            self[code] = "ss"
            return "ss"
        decomposed = unicodedata.normalize("NFKD", chr(code))
        value = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = value
        return value


# A cache of a pure function of one character (like `stem`'s), shared by every fold.
_FOLD_TABLE = _StrippedMarks()


def fold(text: str) -> str:
    """Lower-case and strip accents ('Qué idiomas' → 'que idiomas', 'fließend' →
    'fliessend')."""
    if text.isascii():  # most posting text; nothing to decompose
        return text.lower()
    return text.translate(_FOLD_TABLE).lower()


_ELISIONS = {"d", "l", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"}


def words(text: str) -> list[str]:
    """Folded words; "master's" → "master", but French "d'années" → "annees"."""
    out: list[str] = []
    for token in _TOKEN_RE.findall(fold(text)):
        head, _, tail = token.replace("’", "'").partition("'")
        out.append(tail if tail and head in _ELISIONS else head)
    return out


# British and American spellings of one word stem alike ("organisations" / "organizations",
# "labour" / "labor", "programme" / "program", "analyse" / "analyze", "centre" / "center"):
# endings after a stem of three letters at least ("hour" stays), and whole stems.
_SPELLING_ENDINGS = (("is", "iz"), ("ys", "yz"), ("our", "or"), ("mm", "m"), ("ogu", "og"))
_SPELLING_STEMS = {"centr": "center", "metr": "meter", "theatr": "theater"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmed = _stemmer.stemWord(word)
    if stemmed in _SPELLING_STEMS:
        return _SPELLING_STEMS[stemmed]
    for british, american in _SPELLING_ENDINGS:
        if stemmed.endswith(british) and len(stemmed) - len(british) >= 3:
            return stemmed[:-len(british)] + american
    return stemmed


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Stemmed content tokens of a text."""
    return [stem(w) for w in words(text) if keep_stopwords or w not in STOPWORDS]


def content_tokens(text: str) -> list[str]:
    """Stemmed tokens without stop words and without generic job-posting words."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and w not in GENERIC]
