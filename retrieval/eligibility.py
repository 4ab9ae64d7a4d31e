"""Rule-based eligibility: postings' requirements as data, candidate profiles, and verdicts.

Everything here is deterministic and explainable: a requirement is read from one sentence of a
posting's qualification blocks and keeps that sentence verbatim, so every verdict can quote the
text it rests on. A profile is read from the candidate's own words; a fact the candidate did not
state stays unknown (never "none"), which makes the verdict "cannot_tell" rather than a guess.

Decisions worth knowing:
- "One of these languages must be English" (posting 002) sits in the desirable block, but "must"
  is binding: it becomes a *minimum* requirement that English be among the candidate's languages
  (at any level, since it may be the second language).
- Experience domain: when the candidate names one that shares no topic with the posting's domain
  (e.g. labour law vs "responsible business/due diligence"), the check is "cannot tell", not a
  failure: the experience may well overlap and recruiters judge that. When no domain is stated,
  it is assumed relevant and the reason says so.
- A related field counts when the posting accepts "related fields" and the candidate's field is
  in the same family (law, economics, social and political sciences…); a known but distant field
  (medicine, engineering…) fails; a field outside the taxonomy is "cannot tell".
- Skills are listed as requirements but not assessed: a short profile cannot show them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml

from retrieval.models import (
    Answer,
    AnswerMode,
    Citation,
    Posting,
    Profile,
    Requirement,
    RequirementCheck,
    Verdict,
)
from retrieval.parsing import short_title, split_sentences
from retrieval.text import fold, stem, words

LEXICON = Path(__file__).parent / "lexicon" / "eligibility.yaml"
SECTION = "Qualifications and experience"
ILO_LANGUAGES = ["en", "fr", "es"]


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    with LEXICON.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _lex(language: str) -> dict[str, Any]:
    table = _lexicon()
    return table.get(language) or table["en"]


# ---- numbers --------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10,
}
_NUM = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
# "three (3) years": the bracketed digits repeat the number
_NUM_P = _NUM + r"(?:\s*\(\d+\))?"
_YEAR = r"(?:years?|yrs?|ans?|annees?|anos?)"


def _num(token: str) -> float:
    token = token.lower()
    if token in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[token])
    return float(token.replace(",", "."))


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ---- field taxonomy -------------------------------------------------------------------------

# canonical field → (terms in en/fr/es, accent-folded; groups it belongs to)
FIELD_TAXONOMY: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "law": (("law", "laws", "legal", "jurisprudence", "llb", "llm", "ll b", "ll m", "juris doctor",
             "droit", "derecho", "juridique", "juridico", "juridica"), frozenset({"law"})),
    "economics": (("economics", "economy", "economic", "econometrics", "economie", "economia",
                   "sciences economiques", "ciencias economicas"),
                  frozenset({"economics", "social_science"})),
    "social sciences": (("social science", "social sciences", "sciences sociales",
                         "ciencias sociales"), frozenset({"social_science"})),
    "sociology": (("sociology", "sociologie", "sociologia"), frozenset({"social_science"})),
    "anthropology": (("anthropology", "anthropologie", "antropologia"),
                     frozenset({"social_science"})),
    "political science": (("political science", "political sciences", "politics",
                           "political studies", "science politique", "sciences politiques",
                           "ciencias politicas", "ciencia politica"),
                          frozenset({"political_science", "social_science"})),
    "international relations": (("international relations", "international affairs",
                                 "international studies", "relations internationales",
                                 "relaciones internacionales"),
                                frozenset({"international_relations", "social_science"})),
    "development studies": (("development studies", "international development",
                             "etudes du developpement", "estudios del desarrollo"),
                            frozenset({"development", "social_science"})),
    "public policy": (("public policy", "public administration", "policy studies", "social policy",
                       "politiques publiques", "politicas publicas", "administracion publica"),
                      frozenset({"public_policy", "social_science"})),
    "psychology": (("psychology", "behavioural science", "behavioral science",
                    "behavioural sciences", "behavioral sciences", "psychologie", "psicologia"),
                   frozenset({"behavioural", "social_science"})),
    "demography": (("demography", "geography", "demographie", "demografia"),
                   frozenset({"social_science"})),
    "human rights": (("human rights", "droits de l'homme", "droits humains",
                      "derechos humanos"), frozenset({"human_rights"})),
    "data science": (("data science", "data sciences", "data analytics", "statistics",
                      "statistic", "statistique", "statistiques", "estadistica",
                      "computer science", "informatics", "mathematics", "machine learning",
                      "artificial intelligence", "science des donnees", "ciencia de datos"),
                     frozenset({"data_science"})),
    "business administration": (("business administration", "business", "management", "mba",
                                 "commerce", "finance", "accounting", "gestion",
                                 "administration des affaires",
                                 "administracion de empresas"), frozenset({"business"})),
    "communications": (("communication", "communications", "journalism", "media studies",
                        "public relations", "marketing", "periodismo", "journalisme"),
                       frozenset({"communications"})),
    "industrial relations": (("industrial relations", "labour relations", "labor relations",
                              "employment relations", "human resources",
                              "human resource management", "relations industrielles",
                              "relaciones laborales"), frozenset({"industrial_relations"})),
    "corporate sustainability": (("corporate sustainability", "sustainability",
                                  "corporate social responsibility", "csr",
                                  "environmental studies"), frozenset({"sustainability"})),
    # distant families, known so that "clearly unrelated" can be told from "unknown"
    "medicine": (("medicine", "nursing", "pharmacy", "dentistry", "public health", "medecine",
                  "medicina"),
                 frozenset({"health"})),
    "natural sciences": (("biology", "chemistry", "physics", "geology", "biologie", "chimie",
                          "physique", "biologia", "quimica", "fisica"),
                         frozenset({"natural_science"})),
    "engineering": (("engineering", "architecture", "ingenierie", "ingenieria"),
                    frozenset({"engineering"})),
    "arts": (("fine arts", "music", "musique", "musica", "design", "theatre", "dance"),
             frozenset({"arts"})),
    "humanities": (("history", "philosophy", "literature", "linguistics", "languages",
                    "histoire", "philosophie", "historia", "filosofia"),
                   frozenset({"humanities"})),
}

# Fields of one policy family count as related when a posting accepts "related fields".
_POLICY = frozenset({
    "law", "economics", "social_science", "political_science", "international_relations",
    "industrial_relations", "development", "public_policy", "human_rights", "business",
    "sustainability", "behavioural",
})
_NEAR: dict[str, frozenset[str]] = {
    "communications": frozenset({"social_science", "business", "political_science",
                                 "international_relations", "communications"}),
    "data_science": frozenset({"economics", "social_science", "business", "data_science"}),
}
_AMBIGUOUS = frozenset({"humanities"})  # plausibly related to social sciences: let a human judge


def _stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


@lru_cache(maxsize=1)
def _term_index() -> list[tuple[tuple[str, ...], str]]:
    """(stemmed term, canonical field), longest terms first so phrases beat single words."""
    index = [
        (tuple(_stems(term)), canonical)
        for canonical, (terms, _) in FIELD_TAXONOMY.items()
        for term in terms
    ]
    return sorted(index, key=lambda item: -len(item[0]))


def field_canonicals(text: str) -> list[str]:
    """Known fields named in a text ('a master's in labour law' → ['law'])."""
    return list(_field_canonicals(text))


@lru_cache(maxsize=8192)  # the same requirement and profile texts come back with every question
def _field_canonicals(text: str) -> tuple[str, ...]:
    seq = _stems(text)
    found: list[str] = []
    used: set[int] = set()
    for term, canonical in _term_index():
        n = len(term)
        for i in range(len(seq) - n + 1):
            if tuple(seq[i:i + n]) == term and not used.intersection(range(i, i + n)):
                used.update(range(i, i + n))
                if canonical not in found:
                    found.append(canonical)
    return tuple(found)


def field_groups(text: str) -> frozenset[str]:
    groups: set[str] = set()
    for canonical in field_canonicals(text):
        groups |= FIELD_TAXONOMY[canonical][1]
    return frozenset(groups)


def _matched_field(have: str, need: list[str]) -> str:
    """The listed field a candidate's field falls under ('sociology' → 'social sciences')."""
    have_groups = field_groups(have)
    covered = [f for f in need if field_groups(f) and field_groups(f) <= have_groups]
    # the most specific listed field wins: economics over social sciences for "économie"
    return max(covered, key=lambda f: len(field_groups(f)), default="")


def _field_relation(have: str, need: list[str], related_ok: bool) -> Literal[
        "only", "listed", "related", "unrelated", "unclear"]:
    """How a candidate's field stands against the fields a requirement lists."""
    have_groups = field_groups(have)
    have_stems = set(_stems(have))
    for f in need:
        need_groups = field_groups(f)
        # the candidate's field must cover the listed one: international law ⊇ law and
        # sociology ⊇ social sciences, but political science is not economics
        direct = (need_groups and need_groups <= have_groups) or (
            not need_groups and set(_stems(f)) and set(_stems(f)) <= have_stems)
        if direct:
            return "only" if len(need) == 1 else "listed"
    if not related_ok:
        return "unrelated"
    if not have_groups:
        return "unclear"
    need_groups = frozenset().union(*(field_groups(f) for f in need)) if need else frozenset()
    for g in have_groups:
        near = _NEAR.get(g)
        if near is not None and near & need_groups:
            return "related"
        if g in _POLICY and need_groups & (_POLICY | {"communications"}):
            return "related"
        if g in _POLICY and need_groups & {"data_science"}:
            return "related" if g in {"economics", "social_science"} else "unclear"
    if have_groups & _AMBIGUOUS:
        return "unclear"
    return "unrelated"


# ---- reading requirements -------------------------------------------------------------------

_DESIRABLE_CUE = re.compile(
    r"\b(an? asset|is desirable|would be desirable|desirable|advantageous|an advantage|"
    r"is preferred|nice to have|a plus|would be useful)\b", re.I)
# the trailing "… would be an asset" of a desirable sentence, dropped from extracted values
_CUE_TAIL = re.compile(r"\s+(?:would|will|is|are)\s+(?:be\s+)?(?:an?\s+|considered\s+)?"
                       r"(?:asset|desirable|advantage|advantageous|preferred|plus|useful)"
                       r"(?:[\s,.;].*)?$", re.I)
_LABEL = re.compile(r"^(minimum|required|essential|mandatory|desirable|preferred|desired|"
                    r"an asset|advantageous)(?:\s+requirements?)?\s*:\s*", re.I)
_ADVANCED_RE = re.compile(
    r"\b(advanced (university )?degree|master'?s?|post ?-?graduate|ph\.? ?d|doctora\w*|"
    r"ll\.? ?m|m\.? ?sc|mba|maitrise|maestria)\b", re.I)
_FIRST_RE = re.compile(
    r"\b(first[- ]?(level )?(university )?degree|bachelor'?s?|undergraduate|b\.? ?a\.?|"
    r"b\.? ?sc|licence|licenciatura|ll\.? ?b)\b", re.I)
_ALT_RE = re.compile(
    r"first[- ]?(level )?(university )?degree.{0,80}?(combination with|plus|and|with)\s+" + _NUM_P
    + r"\s+(additional|further|more)?\s*" + _YEAR, re.I)
_ALT_CLAUSE = re.compile(r"\b(in lieu|may be accepted|instead of|in combination with)\b", re.I)
_RELATED_PART = re.compile(
    r"^(?:an?\s+|other\s+|any\s+|another\s+)?(?:(?:relevant|related|similar|appropriate|and|closely)\s+)*"
    r"(?:fields?|disciplines?|areas?|subjects?)(?:\s+(?:in|of)\s+(.+))?$", re.I)


def _sentences(block: str) -> list[str]:
    """Sentences of a requirement block, bullets and sub-labels removed, text kept verbatim."""
    lines: list[str] = []
    for raw in block.splitlines():
        line = re.sub(r"^\s*-\s+", "", raw).strip()
        if not line or re.fullmatch(r"[\w\s/-]{1,40}:", line):  # "Technical skills:"
            continue
        # a wrapped line continues its sentence
        if lines and not raw.lstrip().startswith("- ") and line[:1].islower() \
                and not re.search(r"[.;:!?]$", lines[-1]):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return [s for line in lines for s in split_sentences(line)]


def _level(base: Literal["minimum", "desirable"], sentence: str
           ) -> Literal["minimum", "desirable"]:
    # "Spanish would be an asset" inside a minimum block is only desirable.
    return "desirable" if base == "minimum" and _DESIRABLE_CUE.search(sentence) else base


def _split_fields(text: str) -> tuple[list[str], bool]:
    """'law, economics or other related field' → (['law', 'economics'], True)."""
    text = _CUE_TAIL.sub("", re.sub(r"\([^)]*\)", " ", text))
    text = re.sub(r"\s+", " ", text).strip(" .;:,")
    parts = re.split(r",|;|\band/or\b|\bor\b|/(?=\s*[a-z])", text, flags=re.I)
    fields: list[str] = []
    related = False
    for part in parts:
        part = re.sub(r"^\s*(and|or|either)\s+", "", part.strip(), flags=re.I).strip(" .")
        part = re.sub(r"^(the\s+)?(area|field)s?\s+of\s+", "", part, flags=re.I)
        if not part or re.fullmatch(r"(an?\s+)?equivalent", part, re.I):
            continue
        m = _RELATED_PART.match(part)
        if m:
            related = True
            if m.group(1):
                fields.extend(_split_fields(m.group(1))[0])
            continue
        # "economics and statistics" is two fields; "labour and social policy" is one
        halves = [h.strip() for h in re.split(r"\band\b", part)]
        if len(halves) > 1 and all(field_canonicals(h) for h in halves):
            fields.extend(h.lower() for h in halves)
        else:
            fields.append(part.lower())
    return fields, related


def _education(sentence: str, level: Literal["minimum", "desirable"]) -> Requirement:
    folded = fold(sentence)
    degree_level: Literal["first", "advanced"] | None = None
    if _ADVANCED_RE.search(folded):
        degree_level = "advanced"
    elif _FIRST_RE.search(folded):
        degree_level = "first"
    alt = _ALT_RE.search(folded)
    main = re.split(r"\b(?:may be accepted|in lieu|in combination with)\b", sentence)[0]
    focus_part = ""
    fm = re.search(r",?\s*\(?\b(?:preferably|ideally|especially|with an? (?:focus|emphasis|"
                   r"speciali[sz]ation))\b", main, flags=re.I)
    if fm:
        main, focus_part = main[:fm.start()], main[fm.end():]
    # the fields follow the first " in " after the degree words
    m = re.search(r"\b(?:in|of)\s+(?!lieu\b)(.+)$", main, flags=re.I)
    fields, related = _split_fields(m.group(1)) if m else ([], False)
    focus: list[str] = []
    if focus_part:
        f = re.search(r"\b(?:on|in)\s+(.+)$", focus_part, flags=re.I)
        focus = _split_fields(f.group(1) if f else focus_part)[0]
    return Requirement(
        kind="education", level=_level(level, sentence), source_text=sentence,
        degree_level=degree_level, fields=fields, related_fields_ok=related,
        preferred_focus=focus,
        alt_first_degree_extra_years=_num(alt.group(4)) if alt else None,
    )


def _years(folded: str) -> tuple[float | None, float | None]:
    """(min, max) years stated in a sentence, accent-folded."""
    rng = re.search(r"(?:between\s+)?" + _NUM_P + r"\s*(?:to|-|–|and)\s*(?:a\s+)?"
                    r"(?:maximum\s+of\s+)?" + _NUM_P + r"\s*\+?\s*" + _YEAR, folded)
    if rng:
        return _num(rng.group(1)), _num(rng.group(2))
    lo = re.search(r"(?:at least|(?:a\s+)?minimum(?:\s+of)?|no less than|not less than|"
                   r"(?<!no )(?<!not )more than|over)\s+" + _NUM_P + r"\s*\+?\s*" + _YEAR, folded)
    hi = re.search(r"(?:(?:a\s+)?maximum(?:\s+of)?|up to|no more than|not more than|at most)\s+"
                   + _NUM_P + r"\s*" + _YEAR, folded)
    if lo or hi:
        return (_num(lo.group(1)) if lo else None), (_num(hi.group(1)) if hi else None)
    plain = re.search(_NUM_P + r"\s*(?:\+|or more)?\s*" + _YEAR, folded)
    return (_num(plain.group(1)) if plain else None), None


_DOMAIN_END = (r"(?=,\s*(?:at|either|in|both|preferably|including|particularly|especially|"
               r"ideally|with|whether)\b|\s+(?:at|either)\s+(?:the\s+)?(?:national|international"
               r"|country|global|regional)|;|\.(?:\s|$)|\(|\s+(?:would|is|will)\s+be\b|$)")


def _domain(sentence: str) -> str:
    m = re.search(r"\bexperience\s+(?:in|with|on|of working in|working in)\s+"
                  r"(?:the\s+)?(?:(?:area|field|domain)s?\s+of\s+)?(.+?)" + _DOMAIN_END,
                  sentence, flags=re.I)
    if not m:
        return ""
    domain = re.sub(r"^(?:the|a|an)\s+", "", _CUE_TAIL.sub("", m.group(1)).strip(" ,"), flags=re.I)
    return domain.strip()


def _experience(sentence: str, level: Literal["minimum", "desirable"]) -> Requirement:
    lo, hi = _years(fold(sentence))
    return Requirement(kind="experience", level=_level(level, sentence), source_text=sentence,
                       min_years=lo, max_years=hi, domain=_domain(sentence))


LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "anglais", "ingles"),
    "fr": ("french", "francais", "frances"),
    "es": ("spanish", "espagnol", "espanol", "castellano"),
    "ar": ("arabic", "arabe"),
    "zh": ("chinese", "chinois", "chino", "mandarin"),
    "ru": ("russian", "russe", "ruso"),
    "pt": ("portuguese", "portugais", "portugues"),
    "de": ("german", "allemand", "aleman"),
    "it": ("italian", "italien", "italiano"),
}
_LANG_WORD = {name: iso for iso, names in LANGUAGE_NAMES.items() for name in names}
_LANG_RE = re.compile(r"\b(" + "|".join(sorted(_LANG_WORD, key=len, reverse=True)) + r")\b")
_ORDINALS = {"second": 1, "third": 2, "fourth": 3}


def _proficiency(folded: str) -> Literal["basic", "good", "fluent"] | None:
    if re.search(r"\b(excellent|fluen\w*|full\w*|master\w*|proficien\w*|native|perfect)\b",
                 folded):
        return "fluent"
    if re.search(r"\b(good|working|sound|strong|solid)\b", folded):
        return "good"
    if re.search(r"\b(basic|some|notions?|elementary)\b", folded):
        return "basic"
    return None


def _languages(sentence: str, level: Literal["minimum", "desirable"]) -> list[Requirement]:
    """One requirement per clause: "Excellent English and good knowledge of Arabic" has two."""
    clauses = re.split(r"\s*(?:,|;)?\s+and\s+(?=(?:a\s+)?(?:good|excellent|working|basic|fluen\w*|"
                       r"knowledge|some|proficien\w*)\b)", sentence, flags=re.I)
    reqs = [_language(clause, level) for clause in clauses]
    out = [r for r in reqs if r]
    for r in out:
        r.source_text = sentence
    return out


def _language(sentence: str, level: Literal["minimum", "desirable"]) -> Requirement | None:
    folded = fold(sentence)
    named = list(dict.fromkeys(_LANG_WORD[m] for m in _LANG_RE.findall(folded)))
    must = re.search(r"\bone of (?:these|the|them|which)\b.*\bmust be\b", folded)
    if must and named:
        # binding despite its place in the desirable block; see module docstring
        return Requirement(kind="language", level="minimum", source_text=sentence,
                           languages=named, mode="all_of",
                           note="stated among the desirable languages, but 'must' is binding")
    ordinals = [n for w, n in _ORDINALS.items() if re.search(rf"\b{w}\b", folded)]
    working = re.search(r"\bworking languages?\b|\bofficial languages?\b", folded)
    if not named and not working:
        return None
    langs = named or (ILO_LANGUAGES if working else [])
    additional = max(ordinals) if ordinals else 0
    if additional:
        mode: Literal["one_of", "all_of"] = "one_of"
    elif len(langs) == 1:
        mode = "all_of"
    elif re.search(r"\b(or|either|one of|one working|any)\b", folded) or not named:
        mode = "one_of"
    else:
        mode = "all_of"
    return Requirement(kind="language", level=_level(level, sentence), source_text=sentence,
                       languages=langs, mode=mode, additional=additional,
                       proficiency=_proficiency(folded))


def _skills(sentence: str, level: Literal["minimum", "desirable"]) -> list[Requirement]:
    items = [_CUE_TAIL.sub("", re.sub(r"^(and|or)\s+", "", s.strip(" .;"), flags=re.I))
             for s in re.split(r";\s*", sentence)]
    return [Requirement(kind="skill", level=_level(level, sentence), source_text=sentence,
                        text=item) for item in items if item]


def derive_requirements(posting: Posting) -> list[Requirement]:
    """The posting's requirements, minimum before desirable within each kind."""
    reqs: list[Requirement] = []
    blocks = (("education", posting.education), ("experience", posting.experience),
              ("language", posting.languages), ("skill", posting.skills))
    for kind, block in blocks:
        for base in ("minimum", "desirable"):
            text = block.minimum if base == "minimum" else block.desirable
            for sentence in _sentences(text):
                level = base
                label = _LABEL.match(sentence)
                if label:  # "- Minimum: …" left inside a bulleted block
                    sentence = sentence[label.end():]
                    level = "minimum" if label.group(1).lower() in {
                        "minimum", "required", "essential", "mandatory"} else "desirable"
                if kind == "education":
                    req = _education(sentence, level)
                    prev = reqs[-1] if reqs and reqs[-1].kind == "education" else None
                    if prev and _ALT_CLAUSE.search(sentence) and not req.fields:
                        # "A first-level degree … may be accepted in lieu of …" qualifies the
                        # previous requirement rather than adding one
                        prev.alt_first_degree_extra_years = req.alt_first_degree_extra_years
                        prev.source_text = f"{prev.source_text} {sentence}"
                        continue
                    reqs.append(req)
                elif kind == "experience":
                    reqs.append(_experience(sentence, level))
                elif kind == "language":
                    reqs.extend(_languages(sentence, level))
                else:
                    reqs.extend(_skills(sentence, level))
    # Binding sentences found in desirable blocks go with the other minimum requirements.
    order = {"education": 0, "experience": 1, "language": 2, "skill": 3}
    return sorted(reqs, key=lambda r: (order[r.kind], r.level != "minimum"))


def education_field_match(posting: Posting, field: str,
                          requirements: list[Requirement] | None = None,
                          ) -> Literal["required", "accepted", None]:
    """Whether a field is *the* required field, one of several accepted, or not named.
    `requirements`: the posting's, when already derived (`EligibilityChecker.requirements`)."""
    for req in requirements if requirements is not None else derive_requirements(posting):
        if req.kind != "education" or req.level != "minimum" or not req.fields:
            continue
        relation = _field_relation(field, req.fields, related_ok=False)
        if relation == "only":
            return "required"
        if relation == "listed":
            return "accepted"
    return None


def accepts_language(posting: Posting, iso: str, requirements: list[Requirement] | None = None,
                     ) -> Literal["required", "accepted", "desirable", None]:
    found: Literal["required", "accepted", "desirable", None] = None
    for req in requirements if requirements is not None else derive_requirements(posting):
        if req.kind != "language" or iso not in req.languages:
            continue
        if req.level == "minimum" and req.mode == "all_of":
            return "required"
        if req.level == "minimum":
            found = "accepted"
        elif found is None:
            found = "desirable"
    return found


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
_LEVEL_RANK = {"none": 0, "basic": 1, "good": 2, "fluent": 3, "native": 3}


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
    for m in _LANG_RE.finditer(folded):
        iso = _LANG_WORD[m.group(1)]
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
                      r"\s+)?(" + _NUM[1:-1] + r"|an?(?=\s+(?:year|month)\b))"
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
        value = (1.0 if m.group(2) in {"a", "an"} else _num(m.group(2))) + (
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
        if not _LANG_RE.fullmatch(s.strip())]
    return profile


# ---- matching -------------------------------------------------------------------------------

_GENERIC_DOMAIN = frozenset(_stems(
    "area areas field fields relevant related experience work working level national "
    "international other similar sector practical professional one of the a an or and in "
    "including at on with"))
_WEAK = frozenset(_stems("international national global regional"))
_WORKPLACE = frozenset(_stems(
    "ministry government ngo ngos un united nations organisation organization company firm "
    "bank university agency office employer consultancy private public sector startup start "
    "up think tank embassy department corporation institution"))


def _domain_relation(have: str, need: str) -> Literal["ok", "assumed", "unclear"]:
    if not need or not re.search(r"[a-z]", fold(need)):
        return "assumed"
    have_stems = set(_stems(have)) - _GENERIC_DOMAIN
    if not have_stems:
        return "assumed"
    need_stems = set(_stems(re.sub(r"/", " ", need))) - _GENERIC_DOMAIN
    if (have_stems & need_stems) - _WEAK:
        return "ok"
    if field_groups(have) & field_groups(need) - {"social_science"}:
        return "ok"
    if have_stems & _WORKPLACE:
        return "assumed"  # "at a ministry", "at the World Bank" name a place, not a subject
    return "unclear"


def _join(items: list[str], lex: dict[str, Any], conj: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {lex[conj]} " + items[-1]


def _quote(text: str, limit: int = 170) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


class _Matcher:
    def __init__(self, profile: Profile, posting: Posting, reqs: list[Requirement],
                 language: str) -> None:
        self.p = profile
        self.posting = posting
        self.reqs = reqs
        self.lex = _lex(language)
        self.r = self.lex["reason"]
        self.missing: list[str] = []

    def _miss(self, key: str) -> None:
        text = self.lex["missing_fact"][key]
        if text not in self.missing:
            self.missing.append(text)

    def _names(self, isos: Iterable[str], conj: str = "and") -> str:
        names = self.lex["language_names"]
        return _join([names.get(i, i) for i in isos], self.lex, conj)

    def run(self) -> list[RequirementCheck]:
        out: list[RequirementCheck] = []
        for req in self.reqs:
            if req.kind == "education":
                out.append(self.education(req))
            elif req.kind == "experience":
                out.append(self.experience(req))
            elif req.kind == "language":
                out.append(self.language(req))
            else:
                out.append(self.skill(req))
        return out

    # Each part yields (met, reason, strength); a requirement is met only if every part is.
    def _combine(self, req: Requirement, parts: list[tuple[bool | None, str, int]]
                 ) -> RequirementCheck:
        mets = [m for m, _, _ in parts]
        met = False if False in mets else (None if None in mets else True)
        # lead with what decides the verdict: failures, then unknowns, then matches
        order = {False: 0, None: 1, True: 2}
        ranked = sorted(parts, key=lambda part: order[part[0]])
        sep = self.lex["sep"]
        reason = sep.join(r for _, r, _ in ranked if r)
        decisive = sep.join(r for m, r, _ in ranked if r and m is met)
        return RequirementCheck(requirement=req, met=met, reason=reason, decisive=decisive,
                                strength=sum(s for _, _, s in parts))

    def education(self, req: Requirement) -> RequirementCheck:
        p, r, deg = self.p, self.r, self.lex["degree"]
        parts: list[tuple[bool | None, str, int]] = []
        have_level = deg[p.degree_level] if p.degree_level else deg["any"]
        need_level = deg[req.degree_level] if req.degree_level else deg["any"]
        if not p.has_degree:
            parts.append((None, r["edu_missing"], 0))
            self._miss("degree")
        elif req.degree_level == "advanced" and p.degree_level != "advanced":
            alt_years = self._alt_years(req)
            if p.degree_level == "first" and alt_years is not None and (
                    p.years_experience or 0) >= alt_years:
                parts.append((True, r["edu_level_alt"].format(
                    have=have_level, need=need_level, years=_fmt(alt_years)), 1))
            elif p.degree_level == "first":
                parts.append((False, r["edu_level_fail"].format(need=need_level, have=have_level),
                              0))
            else:
                parts.append((None, r["edu_level_unknown"].format(need=need_level), 0))
                self._miss("degree_level")
        elif req.degree_level:
            parts.append((True, r["edu_level_ok"].format(have=have_level), 2))
        if req.fields:
            need = _join(req.fields, self.lex, "or")
            have = p.degree_field
            if not have:
                parts.append((None, r["field_missing"], 0))
                if p.has_degree:
                    self._miss("degree_field")
            else:
                relation = _field_relation(have, req.fields, req.related_fields_ok)
                if relation == "only":
                    parts.append((True, r["field_only"].format(have=have, need=need), 2))
                elif relation == "listed":
                    within = _matched_field(have, req.fields)
                    if within and not set(_stems(within)) <= set(_stems(have)) and not set(
                            field_canonicals(within)) <= set(field_canonicals(have)):
                        # "sociology" is accepted because it is a social science
                        text = r["field_within"].format(have=have, field=within)
                    else:
                        text = r["field_listed"].format(have=have, need=need)
                    parts.append((True, text, 2))
                elif relation == "related":
                    parts.append((True, r["field_related"].format(have=have), 1))
                elif relation == "unclear":
                    parts.append((None, r["field_unclear"].format(have=have, need=need), 0))
                else:
                    parts.append((False, r["field_fail"].format(have=have, need=need), 0))
        if req.preferred_focus and p.degree_field:
            mine = " ".join([p.degree_focus, p.degree_field])
            hits = [f for f in req.preferred_focus if set(_stems(f)) <= set(_stems(mine))]
            if hits:
                parts.append((True, r["focus"].format(have=_join(hits, self.lex)), 1))
        if not parts:
            parts.append((True, r["edu_level_ok"].format(have=have_level), 1))
        return self._combine(req, parts)

    def _alt_years(self, req: Requirement) -> float | None:
        if req.alt_first_degree_extra_years is None:
            return None
        base = max((q.min_years or 0 for q in self.reqs
                    if q.kind == "experience" and q.level == "minimum"), default=0)
        return base + req.alt_first_degree_extra_years

    def experience(self, req: Requirement) -> RequirementCheck:
        p, r = self.p, self.r
        parts: list[tuple[bool | None, str, int]] = []
        if req.min_years is not None or req.max_years is not None:
            have = p.years_experience
            if have is None:
                parts.append((None, r["years_missing"], 0))
                self._miss("years")
            elif req.min_years is not None and have < req.min_years:
                parts.append((False, r["years_below"].format(need=_fmt(req.min_years),
                                                             have=_fmt(have)), 0))
            elif req.max_years is not None and have > req.max_years:
                parts.append((False, r["years_above"].format(need=_fmt(req.max_years),
                                                             have=_fmt(have)), 0))
            elif req.min_years is not None and req.max_years is not None:
                parts.append((True, r["years_range"].format(
                    have=_fmt(have), min=_fmt(req.min_years), max=_fmt(req.max_years)), 2))
            elif req.min_years is not None:
                parts.append((True, r["years_min"].format(have=_fmt(have),
                                                          need=_fmt(req.min_years)), 2))
            else:
                parts.append((True, r["years_ok"].format(have=_fmt(have)), 2))
        need_domain = req.domain or ""
        relation = _domain_relation(p.experience_domain, need_domain)
        if relation == "ok":
            parts.append((True, r["domain_ok"].format(have=p.experience_domain), 2))
        elif relation == "unclear":
            parts.append((None, r["domain_unclear"].format(have=p.experience_domain,
                                                           need=need_domain), 0))
        elif req.level == "minimum":
            label = need_domain or ("relevant" if p.experience_relevant else "")
            if need_domain or not p.experience_relevant:
                parts.append((True, r["domain_assumed"].format(need=label or "-"), 1)
                             if label else (True, "", 1))
            else:
                parts.append((True, "", 2))
        else:
            # a desirable experience is not granted on assumption
            parts.append((None, r["desirable_unknown"], 0))
        return self._combine(req, parts)

    def language(self, req: Requirement) -> RequirementCheck:
        p, r, lex = self.p, self.r, self.lex
        if not req.languages:
            return RequirementCheck(requirement=req, met=None, reason=r["lang_unknown"])
        if not p.languages:
            if req.level == "minimum":
                self._miss("languages")
            return RequirementCheck(requirement=req, met=None, reason=r["lang_missing"])
        spoken = {iso: lvl for iso, lvl in p.languages.items() if lvl != "none"}
        if not spoken and not set(req.languages) <= set(p.languages):
            # "I don't speak French" says nothing about the other languages
            if req.level == "minimum":
                self._miss("languages")
            return RequirementCheck(requirement=req, met=None, reason=r["lang_missing"])
        need_rank = {"basic": 1, "good": 2, "fluent": 3}.get(req.proficiency or "", 0)
        have = [iso for iso in req.languages if iso in spoken]
        adequate = [iso for iso in have
                    if spoken[iso] == "spoken" or _LEVEL_RANK[spoken[iso]] >= need_rank]
        mine = self._names(spoken) or "-"
        if req.mode == "all_of":
            absent = [iso for iso in req.languages if iso not in spoken]
            if absent:
                return RequirementCheck(requirement=req, met=False, reason=r[
                    "lang_missing_required"].format(need=self._names(absent), have=mine))
            needed = len(req.languages)
        else:
            needed = 1 + req.additional
        if len(adequate) >= needed:
            chosen = adequate[:needed] if req.mode == "one_of" else adequate
            assumed = [iso for iso in chosen if spoken[iso] == "spoken"]
            if assumed and req.proficiency:
                reason = r["lang_assumed_level"].format(
                    have=self._names(assumed), need=lex["level"][req.proficiency])
                return RequirementCheck(requirement=req, met=True, reason=reason, strength=1)
            return RequirementCheck(requirement=req, met=True, strength=2,
                                    reason=r["lang_ok"].format(have=self._names(chosen)))
        if len(have) >= needed and req.proficiency:
            low = [iso for iso in have if iso not in adequate]
            desc = _join([f"{lex['language_names'].get(i, i)} ({lex['level'].get(spoken[i], '')})"
                          for i in low], lex)
            return RequirementCheck(requirement=req, met=False, reason=r["lang_level_low"].format(
                need=lex["level"][req.proficiency], have=desc))
        if req.mode == "one_of" and needed == 1:
            need = self._names(req.languages, "or")
        else:
            need = lex["n_of"].format(n=needed, langs=self._names(req.languages, "or"))
        return RequirementCheck(requirement=req, met=False, reason=r["lang_missing_required"]
                                .format(need=need, have=mine) if needed == 1 else
                                r["lang_not_enough"].format(need=need, have=mine))

    def skill(self, req: Requirement) -> RequirementCheck:
        mine = " ".join([*self.p.skills, self.p.experience_domain, self.p.degree_field])
        overlap = (set(_stems(mine)) - _GENERIC_DOMAIN) & (set(_stems(req.text))
                                                            - _GENERIC_DOMAIN)
        if req.level == "desirable" and len(overlap) >= 2:
            return RequirementCheck(requirement=req, met=True, strength=1,
                                    reason=self.r["skill_match"].format(have=" ".join(overlap)))
        return RequirementCheck(requirement=req, met=None, reason=self.r["skill_unassessed"])


def check(profile: Profile, posting: Posting, language: str = "en",
          requirements: list[Requirement] | None = None) -> Verdict:
    """Compare a profile with a posting's minimum requirements; count desirable ones met."""
    reqs = requirements if requirements is not None else derive_requirements(posting)
    matcher = _Matcher(profile, posting, reqs, language)
    checks = matcher.run()
    # skills are listed but never decide the verdict (see module docstring)
    deciding = [c for c in checks if c.requirement.level == "minimum"
                and c.requirement.kind != "skill"]
    failed = [c for c in deciding if c.met is False]
    if failed:
        status: Literal["eligible", "not_eligible", "cannot_tell"] = "not_eligible"
    elif any(c.met is None for c in deciding):
        status = "cannot_tell"
    else:
        status = "eligible"
    desirable = [c for c in checks if c.requirement.level == "desirable"]
    met = sum(1 for c in desirable if c.met)
    score = sum(c.strength for c in deciding) + met
    return Verdict(posting_id=posting.id, status=status, checks=checks, failed=failed,
                   missing=matcher.missing, desirable_met=met, desirable_total=len(desirable),
                   score=score)


# ---- answers --------------------------------------------------------------------------------

class Catalog(Protocol):
    def all(self) -> list[Posting]: ...

    def get(self, posting_id: str) -> Posting | None: ...


_STATUS_ORDER = {"eligible": 0, "cannot_tell": 1, "not_eligible": 2}
_MARK = {True: "✅", False: "❌", None: "❔"}
_SELF = re.compile(
    r"\b(i|i'm|i've|im|ive|my|me|mine|je|j'ai|j|moi|mon|ma|mes|yo|tengo|soy|mi|mis|hablo|"
    r"someone|somebody|anyone|a candidate|an applicant|a person|quelqu'un|alguien|"
    r"un candidat|un candidato)\b")
_CLAIM = re.compile(
    r"\b(i have|i've|i hold|i am|i'm|i speak|i studied|i worked|i work|i got|i earned|"
    r"i completed|i graduated|i only|i also|i did|my (degree|master|bachelor|experience|"
    r"background|profile|languages?)|with (an?|my|\d+|two|three|four|five|six|seven|eight|nine|"
    r"ten)\b|j'ai|je suis|je parle|tengo|soy|hablo|he trabajado|cuento con)")
_ASKS_REQUIREMENT = re.compile(
    r"\b(need|needs|needed|require|requires|required|requirement|necessary|mandatory|must|"
    r"exige|exigee?s?|faut|necesita|requiere|requisito)\b")
_AGE_NATIONALITY = re.compile(
    r"\b(age|aged|old|older|younger|too old|years old|nationality|nationalities|national|"
    r"citizen|citizenship|passport|country of origin|nationalite|nacionalidad|edad|age limit|"
    r"limite d'age|limite de edad)\b")


class EligibilityChecker:
    """Answers "am I eligible?" questions from the postings' own requirement texts."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._cache: dict[tuple[str, str], list[Requirement]] = {}

    def requirements(self, posting: Posting) -> list[Requirement]:
        key = (posting.id, posting.content_hash)
        if key not in self._cache:
            self._cache[key] = derive_requirements(posting)
        return self._cache[key]

    def parse_profile(self, text: str) -> Profile:
        return parse_profile(text)

    def check(self, profile: Profile, posting: Posting, language: str = "en") -> Verdict:
        return check(profile, posting, language, self.requirements(posting))

    def rank(self, profile: Profile, postings: list[Posting] | None = None,
             language: str = "en") -> list[tuple[Posting, Verdict]]:
        """Eligible first, then cannot-tell, then not eligible; within a status the closer fit
        (explicit matches, preferred focus, desirable requirements met) comes first."""
        pool = postings if postings is not None else self.catalog.all()
        pairs = [(p, self.check(profile, p, language)) for p in pool]
        return sorted(pairs, key=lambda pv: (_STATUS_ORDER[pv[1].status], -pv[1].score,
                                             -pv[1].desirable_met))

    @staticmethod
    def profile_in(question: str, profile: Profile) -> bool:
        """Whether a question describes a candidate, not just asks about requirements."""
        folded = fold(question).replace("’", "'")
        facts = sum([
            bool(profile.has_degree or profile.degree_field),
            profile.years_experience is not None, bool(profile.languages),
            profile.age is not None, bool(profile.nationality),
        ])
        if not facts or not _SELF.search(folded):
            return False
        if _CLAIM.search(folded):
            return True
        return facts >= 2 and not _ASKS_REQUIREMENT.search(folded)

    def answer(self, question: str, posting_ids: list[str] | None,
               language: str = "en") -> Answer | None:
        profile = self.parse_profile(question)
        if not self.profile_in(question, profile):
            return None
        lex = _lex(language)
        if posting_ids:
            postings = [p for p in (self.catalog.get(i) for i in posting_ids) if p is not None]
        else:
            postings = self.catalog.all()
        if not postings:
            return None
        if len(postings) == 1:
            posting = postings[0]
            verdict = self.check(profile, posting, language)
            text = self._single(posting, verdict, lex)
            ranked = [(posting, verdict)]
        else:
            ranked = self.rank(profile, postings, language)
            text = self._multi(ranked, lex)
        if _AGE_NATIONALITY.search(fold(question)) or profile.age or profile.nationality:
            text += "\n\n" + lex["age_nationality"]
        citations = [Citation(posting_id=p.id, title=p.title, section=SECTION,
                              excerpt=self._excerpt(v)) for p, v in ranked]
        return Answer(text=text, found=True, citations=citations, intent="eligibility",
                      posting_ids=[p.id for p, _ in ranked], mode=AnswerMode.ELIGIBILITY)

    # ---- rendering ----

    @staticmethod
    def _single(posting: Posting, verdict: Verdict, lex: dict[str, Any]) -> str:
        title = posting.title or posting.id
        lines = [lex[verdict.status].format(title=title, t=short_title(title))]
        for c in verdict.minimum_checks:
            if c.requirement.kind == "skill":
                continue
            kind = lex["kind"][c.requirement.kind]
            reason = f" — {c.reason}" if c.reason else ""
            lines.append(f"{_MARK[c.met]} {kind}: “{_quote(c.requirement.source_text)}”{reason}")
        if verdict.missing and verdict.status == "cannot_tell":
            lines.append(lex["missing"].format(missing=_join(verdict.missing, lex)))
        if any(c.requirement.kind == "skill" and c.requirement.level == "minimum"
               for c in verdict.checks):
            lines.append(lex["skills_note"])
        if verdict.desirable_total:
            lines.append(lex["desirable"].format(met=verdict.desirable_met,
                                                 total=verdict.desirable_total))
        return "\n".join(lines)

    @staticmethod
    def _multi(ranked: list[tuple[Posting, Verdict]], lex: dict[str, Any]) -> str:
        lines = [lex["multi_header"]]
        marks = {"eligible": "✅", "cannot_tell": "❔", "not_eligible": "❌"}
        for posting, v in ranked:
            deciding = [c for c in v.minimum_checks if c.requirement.kind != "skill"]
            if v.status == "not_eligible":
                why = [c.decisive or c.reason for c in v.failed]
            elif v.status == "cannot_tell":
                why = [c.decisive or c.reason for c in deciding if c.met is None]
            else:
                why = [c.reason for c in deciding if c.reason]
            reasons = lex["sep"].join(dict.fromkeys(r for r in why if r))
            title = short_title(posting.title or posting.id)
            line = f"• {marks[v.status]} {title} — {lex['status'][v.status]}"
            lines.append(f"{line}: {reasons}" if reasons else line)
        lines.append(lex["multi_footer"])
        return "\n".join(lines)

    @staticmethod
    def _excerpt(verdict: Verdict) -> str:
        chosen = verdict.failed or [c for c in verdict.minimum_checks
                                    if c.requirement.kind != "skill"]
        texts = list(dict.fromkeys(c.requirement.source_text for c in chosen))
        return _quote(" ".join(texts), 400)
