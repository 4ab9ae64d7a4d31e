"""A candidate profile read from the candidate's own words; what is not stated stays unknown."""

from __future__ import annotations

import re

from retrieval.eligibility.fields import field_canonicals
from retrieval.eligibility.vocabulary import LANGUAGE_RE, LANGUAGE_WORD, NUM, number_of
from retrieval.models import Profile
from retrieval.text import fold

# ---- reading a profile ----------------------------------------------------------------------

_LEVEL_WORDS: list[tuple[str, str]] = [
    (r"(native|mother tongue|bilingual|langue maternelle|lengua materna|nativo|nativa)",
     "native"),
    (r"(fluent\w*|fluency|excellent|excelente|proficien\w*|advanced|avanzado|c1|c2|courant\w*|"
     r"couramment|fluide|fluidez|perfect\w*|parfait\w*|very good)", "fluent"),
    (r"(good|working|intermediate|intermedio|b1|b2|bon|bonne|buen|bueno|buena|decent|"
     r"conversational|solid)", "good"),
    (r"(basic|some|little|elementary|beginner|a1|a2|notions?|basico|basica|debutant|limited)",
     "basic"),
]
_NEGATION = re.compile(r"\b(no|not|don't|dont|do not|cannot|can't|without|ne parle pas|"
                       r"no hablo|nor)\b\s*(?:\w+\s+){0,2}$")
LEVEL_RANK = {"none": 0, "basic": 1, "good": 2, "fluent": 3, "native": 3}


_LANG_CUE = re.compile(
    r"\b(speak\w*|spoke|spoken|talk|read|write|language\w*|langues?|idiomas?|lenguas?|command|"
    r"knowledge|know|native|bilingual|mother|parle|parlant|hablo|habla|domino|maitrise|"
    r"fluen\w*|level|niveau|nivel)\b")


def _language_levels(folded: str) -> tuple[dict[str, str], str]:
    """Languages the text says are spoken (iso → level) and a nationality if one is given."""
    langs: dict[str, str] = {}
    nationality = ""
    prev_level = ""
    prev_end = -1
    for m in LANGUAGE_RE.finditer(folded):
        iso = LANGUAGE_WORD[m.group(1)]
        before = folded[max(0, m.start() - 40):m.start()]
        after = folded[m.end():m.end() + 30]
        clause = re.split(r"[,;.]|\band\b|\bbut\b|\by\b|\bet\b", before)[-1]
        # the words after a language up to the next list joint ("English fluently, and …")
        tail = re.split(r"[,;.]|\band\b|\bbut\b|\by\b|\bet\b|\bor\b", after)[0]
        level = ""
        for pattern, name in _LEVEL_WORDS:
            if re.search(rf"\b{pattern}\b", clause) or re.search(rf"\b{pattern}\b", tail):
                level = name
                break
        if _NEGATION.search(clause):
            level = "none"
        continues = prev_end >= 0 and re.fullmatch(
            r"\s*(,|and|et|y|or|as well as|,\s*and)?\s*", folded[prev_end:m.start()])
        cue = level or continues or _LANG_CUE.search(clause) or _LANG_CUE.search(tail) \
            or re.search(r"\b(in|en)\s+$", clause)
        if not cue or re.match(r"\s+(national|citizen|nationality|passport)", after):
            # "I'm French", "a German national": a nationality, not a spoken language
            if re.search(r"\b(i am|i'm|im|je suis|soy)\b[^.]{0,15}$", before) or re.match(
                    r"\s+(national|citizen|nationality|passport)", after):
                nationality = nationality or m.group(1).capitalize()
            continue
        # "fluent French and Spanish": a bare follower shares the previous level
        if not level and continues and prev_level not in ("", "none"):
            level = prev_level
        langs[iso] = level or "spoken"
        prev_level, prev_end = langs[iso], m.end()
    return langs, nationality


_ADV_PROFILE = re.compile(
    r"\b(master'?s?|masters|msc|m\.sc|(?<=an )ma|m\.?a\.?(?= in\b| degree\b)|llm|ll\.m|mba|"
    r"mphil|phd|ph\.d|doctorate|doctoral|"
    r"advanced (?:\w+\s+){0,2}degree|post ?-?graduate|postgraduate|graduate degree|maitrise|"
    r"maestria|master|doctorat|doctorado|dea|dess)\b")
_FIRST_PROFILE = re.compile(
    r"\b(bachelor'?s?|bachelors|ba|bsc|b\.sc|b\.a|llb|ll\.b|undergraduate|first (?:\w+\s+)?"
    r"degree|licence|licenciatura|grado|license)\b")
_DEGREE_WORD = re.compile(
    r"\b(degree|diploma|diplome|titulo|master'?s?|bachelor'?s?|ll\.?m|ll\.?b|mba|msc|bsc|ba|phd|"
    r"doctorate|licence|licenciatura|maitrise|maestria|graduate|studied|etudes|"
    r"estudios)\b")
_FIELD_STOP = re.compile(
    r"\s*(?:[,.;:!?()]|\b(?:and|with|from|at|but|plus|where|who|which|et|y|avec|con|"
    r"have|having|i|j'ai|tengo|since|for|de \d)\b|\d)")


_ABBREV_FIELD = {"llm": "law", "ll.m": "law", "llb": "law", "ll.b": "law",
                 "mba": "business administration"}
_NOT_FIELD = re.compile(
    r"\b(an?|my|the|first|second|advanced|university|postgraduate|post-graduate|undergraduate|"
    r"bachelor'?s?|master'?s?|graduate|level|i|have|hold|with|in|require\w*|need\w*|a|un|una|"
    r"une|mon|mi|good|relevant)\b")


def _degree_field(folded: str) -> tuple[str, str]:
    """(field, focus) of the candidate's degree in the candidate's own words."""
    field = ""
    for m in _DEGREE_WORD.finditer(folded):
        after = folded[m.end():]
        lead = r"\s+(?:in\s+|de\s+)?" if m.group(1) in {"studied", "etudes", "estudios"} else \
            r"\s*(?:degree\s+|diploma\s+)?(?:in|of|en|on|de)\s+"
        a = re.match(lead + r"(?:the\s+|l'|la\s+)?(.+)", after)
        if a:
            tail = a.group(1)
            stop = _FIELD_STOP.search(tail)
            field = tail[:stop.start()] if stop else tail
            # "economics and statistics" stays together when both halves are fields
            j = re.match(r"\s+and\s+([a-z ]+?)(?=\s*(?:[,.;]|\band\b|\d|$))",
                         tail[len(field):])
            if j and field_canonicals(j.group(1)) and field_canonicals(field):
                field = f"{field} and {j.group(1)}"
        if not field.strip():
            # "an advanced law degree", "a French law diploma"
            # ... and "a law master's", "an economics bachelor"
            b = re.search(r"((?:[a-z']+\s+){1,3})(?:degree|diploma|graduate|master|bachelor|"
                          r"licence|licenciatura|maestria)",
                          folded[:m.end() + 12])
            if b:
                cand = _NOT_FIELD.sub(" ", b.group(1)).split()
                suffixes = [" ".join(cand[i:]) for i in range(len(cand) - 1, -1, -1)]
                known = [x for x in suffixes if field_canonicals(x)]
                field = known[0] if known else " ".join(cand[-2:])
        if not field.strip():
            field = _ABBREV_FIELD.get(m.group(1), "")
        if field.strip():
            break
    field = re.sub(r"\s+", " ", field).strip()
    focus = ""
    f = re.search(r"\b(?:focus(?:ing)? on|speciali[sz](?:ation|ed|ing) in|major(?:ing)? in|"
                  r"concentration in|specialite en)\s+([a-z' ]+?)(?=\s*(?:[,.;]|\band\b|\d|$))",
                  folded)
    if f:
        focus = f.group(1).strip()
    return field, focus


_EXP_NUM = re.compile(r"(?:(over|more than|almost|nearly|about|around|at least|plus de|mas de)"
                      r"\s+)?(" + NUM[1:-1] + r"|an?(?=\s+(?:year|month)\b))"
                      r"(\s+and\s+a\s+half)?\s*\+?\s*(years?|yrs?|months?|ans|annees|anos|mois|"
                      r"meses)\b")


_NOT_EXPERIENCE = r"(?!\s*(?:years?|ans|anos)\s+(?:of|d|de)\b)"  # "3 years of …" is not an age
_AGE_RE = re.compile(
    r"\b(?:too (?:old|young)|age limit)\D{0,25}?\b(\d{2})\b" + _NOT_EXPERIENCE
    + r"|\b(\d{2})\s*(?:years? old|yo|ans\b(?!\s*d'?\s*experience)|anos de edad)"
    + r"|\b(?:aged?|age:?|i am|i'm|j'ai|tengo)\s+(\d{2})\b" + _NOT_EXPERIENCE)


def _experience_facts(folded: str) -> tuple[float | None, str, bool, int | None]:
    """(years, domain, called relevant, age) from a candidate's text."""
    age: int | None = None
    a = _AGE_RE.search(folded)
    if a:
        age = int(next(g for g in a.groups() if g))
    total = 0.0
    found = False
    domain = ""
    for m in _EXP_NUM.finditer(folded):
        tail = folded[m.end():m.end() + 20]
        if re.match(r"\s*(old|of age|de edad)\b", tail) or (age is not None and m.group(2) == str(
                age)):
            continue
        before = folded[max(0, m.start() - 25):m.start()]
        if re.search(r"\b(including|of which|among them|incl|dont|de los cuales)\b", before):
            # part of a total already counted, but it may name the domain
            domain = domain or _domain_after(folded[m.end():])
            continue
        if re.match(r"\s*(degree|programme|program|course|diploma|ago|later|from now)\b", tail):
            continue
        value = (1.0 if m.group(2) in {"a", "an"} else number_of(m.group(2))) + (
            0.5 if m.group(3) else 0.0)
        if m.group(4).startswith(("month", "mois", "mes")):
            value /= 12
        total += value
        found = True
        if not domain:
            domain = _domain_after(folded[m.end():])
    relevant = bool(re.search(r"\b(relevant|pertinente?|relevante)\b", folded))
    if not domain:
        d = re.search(r"\b(?:experience|worked|working|work|experiencia|experiencia laboral)\s+"
                      r"(?:in|on|as|en|dans|with)\s+(?:the\s+)?(?:field\s+of\s+)?"
                      r"([a-z' /-]+?)(?=\s*(?:[,.;!?]|\band\b|\bbut\b|\d|$))", folded)
        if d:
            domain = d.group(1).strip()
    return (round(total, 2) if found else None), domain, relevant, age


def _domain_after(text: str) -> str:
    m = re.match(r"'?\s*(?:of\s+)?(?:relevant\s+|professional\s+|work\s+|working\s+|practical\s+)*"
                 r"(?:experience\s+|work\s+)?(?:d'?\s*experience\s+|de experiencia\s+)?"
                 r"(?:working\s+|work\s+)?(?:in|on|at|with|as|en|dans|chez|a)\s+(?:the\s+)?"
                 r"(?:field\s+of\s+|area\s+of\s+)?([a-z' /-]+?)(?=\s*(?:[,.;!?]|\band\b|\bbut\b|"
                 r"\bet\b|\by\b|\d|$))", text)
    return m.group(1).strip() if m else ""


def _original(text: str, folded: str, piece: str) -> str:
    """`piece` of the folded text as the candidate wrote it ('economia' → 'economía')."""
    at = folded.find(piece) if piece else -1
    if at < 0 or len(folded) != len(text):
        return piece
    return text[at:at + len(piece)].lower()


def parse_profile(text: str) -> Profile:
    """A candidate profile from free text (English, basic French and Spanish)."""
    folded = fold(text).replace("’", "'")
    profile = Profile()
    if _ADV_PROFILE.search(folded):
        profile.degree_level = "advanced"
    elif _FIRST_PROFILE.search(folded):
        profile.degree_level = "first"
    field, focus = _degree_field(folded)
    # the candidate's own words (accents kept); matching maps them onto the taxonomy
    profile.degree_field = _original(text, folded, field)
    profile.degree_focus = _original(text, folded, focus)
    profile.has_degree = bool(profile.degree_level or profile.degree_field or re.search(
        r"\b(degree|diploma|graduated|diplome|titulo|studied)\b", folded))
    years, domain, relevant, age = _experience_facts(folded)
    profile.years_experience = years
    profile.experience_domain = _original(text, folded, domain)
    profile.experience_relevant = relevant
    profile.age = age
    profile.languages, profile.nationality = _language_levels(folded)
    if not profile.nationality:
        n = re.search(r"\b(?:nationality|citizen of|national of|citizenship)\s*:?\s+"
                      r"(?:is\s+)?([a-z]+)", folded)
        if n:
            profile.nationality = n.group(1).capitalize()
    profile.skills = [s.strip() for s in re.findall(
        r"\b(?:skills? in|skilled in|knowledge of|experienced in|proficient in)\s+"
        r"([a-z0-9' /+-]+?)(?=\s*(?:[,.;!?]|\band\b|$))", folded)
        if not LANGUAGE_RE.fullmatch(s.strip())]
    return profile
