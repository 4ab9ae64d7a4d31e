"""The candidate's degrees as a recruiter reads them: level, obtained or not, or none at all.

Spellings in English, French and Spanish: abbreviations as written (MSc, MA, MBA, LLM, MPhil,
PhD, M2 / BSc, BA, LLB, BEng; matched case-sensitively so that "ma" and "ba" in running text
are not degrees), words (master's, maîtrise, máster, maestría, doctorat / bachelor's, licence,
licenciatura — the 5-year Latin American degree is still a first degree —, grado), French
"bac+5". A degree in progress ("currently doing my master's", "MSc expected 2026") is not
obtained; a denied one ("no master's") is not a degree; "never finished university", "no
degree", "high school only" say that there is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from retrieval.lexicon import degrees as degree_words

Level = Literal["first", "advanced"]

_ABBREV_ADVANCED = degree_words.abbreviations("advanced")
_ABBREV_FIRST = degree_words.abbreviations("first")
_WORD_ADVANCED = degree_words.pattern("advanced", typed=True)
_WORD_FIRST = degree_words.pattern("first", "titles", typed=True)
_SHORT = degree_words.short_forms()  # "ma", "ba": degrees only before "in", "degree", "("
_SHORT_FORMS = "|".join(_SHORT)
# a degree named but not held
_DENIED = re.compile(r"\b(no|not an?|without an?|without|sin|sans|pas de|never (?:did|got|"
                     r"finished|completed) (?:an?|my)?)\s*(?:\w+\s+)?$")
# "before the master's I worked…" dates something by a degree without claiming it; "after my
# bachelor's" does claim it
_TIME_REFERENCE = re.compile(r"\b(before|during|while doing|avant|pendant|antes de|durante)\s+"
                             r"(?:the|my|mon|ma|mes|mi|el|la)?\s*$")
_IN_PROGRESS_BEFORE = re.compile(
    r"\b(currently|now|still|presently|actuellement|en train de|actualmente|ahora)?\s*"
    r"(doing|studying|pursuing|completing|finishing|enrolled in|working on|in the middle of|"
    r"halfway through|prepare|prepares|fais|termine|curso|cursando|estudiando|terminando|"
    r"haciendo|hago|realizando|"
    r"graduating with|about to finish|final (?:year|semester|term) of|last (?:year|semester|term)"
    r" of|en (?:derniere|ultima) annee de|ultimo (?:ano|semestre) de)\s+"
    r"(?:(?:my|a|an|the|un|une|mon|ma|mi|el|la)\s+)?(?:\w+\s+){0,2}$")
_IN_PROGRESS_AFTER = re.compile(
    r"^[^,.;]{0,40}?\b(in progress|ongoing|underway|under way|expected|to be completed|"
    r"(?:not|isn'?t|is not|wasn'?t)\s+(?:yet\s+|actually\s+|really\s+|quite\s+)?"
    r"(?:finished|completed|done)|unfinished|en cours|en curso|pending|due in|"
    r"(?:will|should) (?:finish|graduate|complete))\b"
    # "I'm a full-time master's student": studying for it
    r"|^'?s?\s*(?:\w+\s+){0,2}?(student|candidate|programme student|program student)\b")
# A degree begun and left: "started a master's but dropped out after a semester", "j'ai commencé
# un master mais j'ai abandonné", "empecé una maestría pero la dejé" — neither held nor in progress.
_STARTED_BEFORE = re.compile(
    r"\b(started|began|begun|enrolled in|commence|entame|empece|comence|inicie)\s+"
    r"(?:(?:my|a|an|the|un|une|mon|ma|mi|el|la|una)\s+)?(?:\w+\s+){0,2}$")
_LEFT_AFTER = re.compile(
    r"^[^.;]{0,90}?\b(dropped out|drop out|dropping out|quit|gave up|left (?:it|after|before)|"
    r"(?:did not|didn't|never) (?:finish|complete)|abandon\w*|arrete|lache|la deje|lo deje|"
    r"abandone)\b")
_LEFT_BEFORE = re.compile(r"\b(dropped out of|quit|gave up(?: on)?|abandoned)\s+"
                          r"(?:(?:my|a|an|the)\s+)?(?:\w+\s+){0,2}$")
_NO_DEGREE = re.compile(
    r"\b(never (?:finished|completed|went to|attended|got|did) (?:university|college|uni|my "
    r"degree|a degree|my studies)|no (?:university )?degree|no diploma|don't have a degree|"
    r"do not have a degree|didn't (?:go to|finish|complete) (?:university|college|uni|my "
    r"degree)|dropped out|high school (?:only|diploma)|only (?:a )?high school|secondary school "
    r"only|without a degree|sans diplome|pas de diplome|aucun diplome|pas fait d'etudes|"
    r"jamais fini (?:la fac|l'universite|mes etudes)|sin titulo|no tengo titulo|sin estudios "
    r"universitarios|nunca termine (?:la universidad|la carrera)|solo (?:el )?bachillerato|"
    r"bac seulement|seulement le bac)\b")


@dataclass
class DegreeFacts:
    level: Level | None = None  # the highest degree obtained
    in_progress: Level | None = None  # a degree being studied for, not yet obtained
    none: bool = False  # the candidate says they have no university degree
    mentioned: bool = False  # some degree was named (held, denied or in progress)


def _mentions(text: str, folded: str) -> list[tuple[int, int, Level]]:
    found: list[tuple[int, int, Level]] = []
    same_length = len(text) == len(folded)
    if same_length:
        found += [(m.start(), m.end(), "advanced") for m in _ABBREV_ADVANCED.finditer(text)]
        found += [(m.start(), m.end(), "first") for m in _ABBREV_FIRST.finditer(text)]
    found += [(m.start(), m.end(), "advanced") for m in _WORD_ADVANCED.finditer(folded)]
    found += [(m.start(), m.end(), "first") for m in _WORD_FIRST.finditer(folded)]
    # "an MA in", "a BA (" in lower case
    found += [(m.start(1), m.end(1), _SHORT[m.group(1)])
              for m in re.finditer(rf"\b(?:an?|my|the)\s+({_SHORT_FORMS})\b"
                                   r"(?=\s+(?:in|degree|\())", folded)]
    if not same_length:
        found += [(m.start(), m.end(), _SHORT[m.group(1)])
                  for m in re.finditer(rf"\b({_SHORT_FORMS})\b(?=\s+(?:in|degree|en|\())",
                                       folded)]
    return sorted(set(found))


def degree_facts(text: str, folded: str) -> DegreeFacts:
    facts = DegreeFacts()
    obtained: list[Level] = []
    progressing: list[Level] = []
    for start, end, level in _mentions(text, folded):
        facts.mentioned = True
        before = folded[max(0, start - 40):start]
        if _DENIED.search(before) or _TIME_REFERENCE.search(before) \
                or _LEFT_BEFORE.search(before) \
                or (_STARTED_BEFORE.search(before) and _LEFT_AFTER.search(folded[end:])):
            continue
        if _IN_PROGRESS_BEFORE.search(before) or _IN_PROGRESS_AFTER.search(folded[end:]):
            progressing.append(level)
            continue
        obtained.append(level)
    if obtained:
        facts.level = "advanced" if "advanced" in obtained else "first"
    if progressing:
        best: Level = "advanced" if "advanced" in progressing else "first"
        if facts.level != "advanced" and best != facts.level:
            facts.in_progress = best
    facts.none = not obtained and bool(_NO_DEGREE.search(folded))
    return facts
