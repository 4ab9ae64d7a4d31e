"""Requirement blocks: Minimum/Desirable sub-labels, and requirements stated in prose."""

from __future__ import annotations

import re

from retrieval.lexicon import degrees as degree_words
from retrieval.lexicon import load_yaml
from retrieval.models import RequirementBlock
from retrieval.parsing.labels import is_asset, sublabel
from retrieval.parsing.lines import Line
from retrieval.parsing.prose import prose_sentences
from retrieval.parsing.values import split_sentences
from retrieval.text import fold

_TEMPLATE_HINT = re.compile(
    r"^(indicate|please (complete|indicate|describe)|background information should)", re.I)


def _is_intro(text: str) -> bool:
    """Lead-in sentences ("… specifically:", "The JPO will:") and template instructions."""
    return text.rstrip().endswith(":") or bool(_TEMPLATE_HINT.match(text))


_NOTHING_RE = re.compile(r"^(not available|n/?a|none|not applicable)\.?$", re.I)


def _requirement_block(content: list[Line], level: str = "") -> RequirementBlock:
    minimum: list[str] = []
    desirable: list[str] = []
    target = desirable if level == "desirable" else minimum
    for ln in content:
        # "- **Required:** …" bullets carry their level too.
        sub = sublabel(ln.text) if not ln.bullet or re.match(r"^[A-Za-z ]{3,30}:\s*\S",
                                                            ln.text) else None
        if sub and ln.bullet and not sub[1]:
            sub = None
        if sub:
            target = minimum if sub[0] == "minimum" else desirable
            if sub[1]:
                target.append(sub[1])
            continue
        if _TEMPLATE_HINT.match(ln.text) or _NOTHING_RE.match(ln.text):
            continue
        target.append(("- " if ln.bullet else "") + ln.text)
    if minimum and not desirable:
        # "Excellent command of English. Spanish would be an asset." — one block, two levels.
        kept: list[str] = []
        for item in minimum:
            for sentence in split_sentences(item) if not item.startswith("- ") else [item]:
                # "… (R or Stata); familiarity with Power BI is desirable.": two levels
                clauses = re.split(r";\s+", sentence)
                assets = [is_asset(c) for c in clauses]
                if any(assets) and not all(assets):
                    for clause, asset in zip(clauses, assets, strict=True):
                        (desirable if asset else kept).append(clause.strip())
                    continue
                (desirable if is_asset(sentence) else kept).append(sentence)
        minimum = kept if kept else minimum
    return RequirementBlock(minimum="\n".join(minimum).strip(),
                            desirable="\n".join(desirable).strip())



_LANGUAGE_RE = re.compile(
    r"\b(" + "|".join(name for names in load_yaml("languages.yaml").values() for name in names)
    + r"|languages?|fluency|fluent|bilingual)\b", re.I)
_DEGREE_RE = re.compile(rf"\b(?:{degree_words.names('advanced', 'first', 'generic')})\b", re.I)
_EDUCATION_RE = re.compile(rf"{_DEGREE_RE.pattern}|\buniversity\b", re.I)
_DEGREE_AS_DATE_RE = re.compile(
    r"\b(?:after|following|since|upon|once|before)\s+(?:obtaining\s+|completing\s+|"
    r"completion of\s+|receiving\s+)?(?:the\s+|a\s+|your\s+|their\s+|his/her\s+)?"
    r"(?:first\s+|relevant\s+|advanced\s+)?(?:university\s+)?(?:degree|graduation|graduating)\b",
    re.I)
_EXPERIENCE_RE = re.compile(r"\b(experience|years?)\b", re.I)
# who may apply (nationality, age): rules of their own, read by retrieval/eligibility/rules.py
_WHO_MAY_APPLY_RE = re.compile(r"\b(nationals?|nationality|citizens?|age limit|of age)\b", re.I)


def split_by_topic(text: str) -> dict[str, str]:
    """One block of mixed requirements → its education, experience, language and (the rest)
    skill sentences
    ("Undergraduate degree plus 3 years of experience; OR …" belongs to both education and
    experience, so the alternatives stay together)."""
    out: dict[str, list[str]] = {"education": [], "experience": [], "languages": [],
                                 "skills": []}
    for item in text.split("\n"):
        item = item.strip()
        if not item:
            continue
        sentences = [item] if item.startswith("- ") else split_sentences(item)
        for sentence in sentences:
            # "experience gained after your first university degree" dates the experience
            # by a degree; it asks for none
            education = bool(_EDUCATION_RE.search(_DEGREE_AS_DATE_RE.sub(" ", sentence)))
            if _LANGUAGE_RE.search(sentence) and not education:
                out["languages"].append(sentence)
                continue
            if education:
                out["education"].append(sentence)
            if _EXPERIENCE_RE.search(sentence):
                out["experience"].append(sentence)
            elif not education and not _is_intro(sentence) and not _WHO_MAY_APPLY_RE.search(
                    sentence):
                # "Good working knowledge of a statistical package (Stata, R or SPSS)"
                out["skills"].append(sentence)
    return {k: "\n".join(v) for k, v in out.items() if v}


# ---- requirements stated outside any requirements section ---------------------------------------

_REQUIREMENT_CUE_RE = re.compile(
    r"\b(required|requires?|requirements?|must|minimum|at least|essential|mandatory|"
    r"will not be considered|you will have|candidates? (?:should|will) have|or higher|"
    r"or equivalent|an asset|desirable|preferred|an advantage|is needed)\b", re.I)
_YEARS_OF_EXPERIENCE_RE = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b(?:\s*\(\d+\))?"
    r"[^.;]{0,25}\byears?\b[^.;]{0,100}\bexperience\b", re.I)
_LANGUAGE_SKILL_RE = re.compile(
    r"\b(fluen\w*|command|knowledge|proficien\w*|spoken|written|mother tongue|native|"
    r"bilingual|required|essential|asset|desirable)\b", re.I)


def _prose_topics(sentence: str) -> list[str]:
    """Which requirements a sentence of prose states: a degree, years of experience or a
    language skill, each with a word that makes it a requirement ("You will need a master's
    degree in … and at least three years of experience in …" states two)."""
    cue = bool(_REQUIREMENT_CUE_RE.search(sentence))
    degree = bool(_DEGREE_RE.search(sentence))
    if _LANGUAGE_RE.search(sentence) and _LANGUAGE_SKILL_RE.search(sentence) and not degree:
        return ["languages"]
    topics = ["education"] if degree and cue else []
    if _YEARS_OF_EXPERIENCE_RE.search(sentence) or (
            cue and re.match(r"^(?:\w+:\s*)?(?:prior |relevant |professional |work )?"
                             r"experience\b", sentence, re.I)):
        topics.append("experience")
    return topics


def requirements_in_prose(texts: list[str]) -> dict[tuple[str, str], str]:
    """Education, experience and language requirements that a posting states in running text
    under a heading that does not say so ("To qualify as an advocate for every child you will
    have…", "6. Use of language skills" inside a competencies list): (topic, level) → text.
    A sentence that only adds an asset ("Knowledge of Primero is also an asset.") belongs to
    the requirement before it in the same paragraph."""
    found: dict[tuple[str, str], list[str]] = {}
    for text in texts:
        topics: list[str] = []
        for sentence in split_sentences(text):
            level = "desirable" if is_asset(sentence) else "minimum"
            sub = sublabel(sentence)
            if sub and sub[1]:
                level, sentence = sub
            own = _prose_topics(sentence)
            if own:
                topics = own
            elif not (topics and level == "desirable"):
                topics = []
                continue
            for topic in topics:
                found.setdefault((topic, level), []).append(sentence)
    return {key: " ".join(v) for key, v in found.items()}


# "Candidates with more than four years of relevant work experience will not be considered":
# a cap on experience, often stated under Eligibility rather than with the experience asked
# A cap said before its number: "candidates must not have more than five (5) years", "ne
# doivent pas avoir plus de 5 ans", "no deben tener más de 5 años" (on folded text).
CAP_BEFORE_NUMBER = (
    r"(?:(?:must|should|may|shall|can)\s?not\s+(?:have|hold|possess|exceed|count)\s+"
    r"(?:more than\s+|over\s+)?|ne\s+(?:doivent|doit|peuvent|peut)\s+pas\s+"
    r"(?:avoir|justifier\s+de|compter)\s+plus\s+de\s+|no\s+(?:deben|debe|pueden|puede)\s+"
    r"(?:tener|acreditar|contar\s+con)\s+mas\s+de\s+)")
_EXPERIENCE_CAP = re.compile(
    r"\b(?:more than|over|in excess of|exceeding|plus de|mas de|mehr als)\s+\S+\s*(?:\(\d+\)\s*)?"
    r"(?:years?|ans|annees|anos|jahre)\b.*\b(?:not (?:be )?considered|not eligible|ineligible|"
    r"excluded|cannot be considered|not qualify|(?:should|need|must) not apply|"
    r"not (?:be )?accepted|ne (?:seront|sont|pourront) pas|no (?:seran|son|podran)|"
    r"nicht beruecksichtigt|nicht berucksichtigt)"
    r"|\b" + CAP_BEFORE_NUMBER + r"\S+\s*(?:\(\d+\)\s*)?(?:years?|ans|annees|anos|jahre)\b", re.I)


def experience_caps(text: str) -> list[str]:
    """The sentences of `text` that cap the years of experience a candidate may have."""
    return [s for s in prose_sentences(text) if _EXPERIENCE_CAP.search(fold(s))]

