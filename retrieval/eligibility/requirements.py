"""Requirements read from a posting's qualification blocks, one sentence each, kept verbatim."""

from __future__ import annotations

import re
from typing import Literal

from retrieval.eligibility.fields import field_canonicals, field_relation
from retrieval.eligibility.rules import who_may_apply
from retrieval.eligibility.vocabulary import (
    ILO_LANGUAGES,
    LANGUAGE_RE,
    LANGUAGE_WORD,
    NUM_P,
    UN_LANGUAGES,
    YEAR,
    number_of,
)
from retrieval.lexicon import degrees as degree_words
from retrieval.models import Posting, Requirement
from retrieval.parsing import split_sentences
from retrieval.parsing.labels import is_asset, sublabel
from retrieval.parsing.requirements import CAP_BEFORE_NUMBER
from retrieval.text import fold

# ---- reading requirements -------------------------------------------------------------------

# the trailing "… would be an asset" of a desirable sentence, dropped from extracted values
_CUE_TAIL = re.compile(r"\s+(?:would|will|is|are)\s+(?:be\s+)?(?:an?\s+|considered\s+)?"
                       r"(?:asset|desirable|advantage|advantageous|preferred|plus|useful|"
                       r"required|essential|mandatory|expected|needed)"
                       r"(?:[\s,.;].*)?$", re.I)
_ALT_RE = re.compile(
    r"first[- ]?(level )?(university )?degree.{0,80}?(combination with|plus|and|with)\s+" + NUM_P
    + r"\s+(additional|further|more)?\s*" + YEAR, re.I)
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
    return "desirable" if base == "minimum" and is_asset(sentence) else base


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
    for named in ("advanced", "first"):
        if degree_words.pattern(named).search(folded) \
                or degree_words.abbreviations(named).search(sentence):
            degree_level = named
            break
    alt = _ALT_RE.search(folded)
    # the fields end where the alternatives, the institution or the years begin
    main = re.split(r"\b(?:may be accepted|in lieu|in combination with|from an? (?:accredited|"
                    r"recogni[sz]ed)|(?:is|are) (?:required|essential|mandatory|desirable|"
                    r"preferred|an asset))\b|" + _WITH_YEARS.pattern, sentence, flags=re.I)[0]
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
        alt_first_degree_extra_years=number_of(alt.group(4)) if alt else None,
    )


def _years(folded: str) -> tuple[float | None, float | None]:
    """(min, max) years stated in a sentence, accent-folded."""
    rng = re.search(r"(?:between\s+)?" + NUM_P + r"\s*(?:to|-|–|and)\s*(?:a\s+)?"
                    r"(?:maximum\s+of\s+)?" + NUM_P + r"\s*\+?\s*" + YEAR, folded)
    if rng:
        return number_of(rng.group(1)), number_of(rng.group(2))
    # "Candidates with more than five (5) years … will not be considered", "If you have more
    # than six years …, this role is not for you": a cap, said as who is excluded.
    cap = re.search(r"(?:more than|over|in excess of|exceeding|plus de|mas de)\s+" + NUM_P
                    + r"\s*\+?\s*" + YEAR
                    + r".*\b(?:not (?:be )?considered|not eligible|ineligible|excluded|"
                    r"cannot be considered|not qualify|not for you|(?:should|need|must) not apply|"
                    r"too senior|not (?:be )?accepted|ne (?:seront|sont|pourront) pas|"
                    r"no (?:seran|son|podran))", folded)
    if cap:
        return None, number_of(cap.group(1))
    cap = re.search(CAP_BEFORE_NUMBER + NUM_P + r"\s*" + YEAR, folded)
    if cap:  # "candidates must not have more than five (5) years of experience"
        return None, number_of(cap.group(1))
    lo = re.search(r"(?:at least|(?:a\s+)?minimum(?:\s+of|\s+de)?|no less than|not less than|"
                   r"au moins|al menos|como minimo|"
                   r"(?<!no )(?<!not )more than|over)\s+" + NUM_P + r"\s*\+?\s*" + YEAR, folded)
    hi = re.search(r"(?:(?:a\s+)?maximum(?:\s+of)?|up to|no more than|not more than|at most)\s+"
                   + NUM_P + r"\s*" + YEAR, folded)
    if lo or hi:
        return (number_of(lo.group(1)) if lo else None), (number_of(hi.group(1)) if hi else None)
    plain = re.search(NUM_P + r"\s*(?:\+|or more)?\s*" + YEAR, folded)
    return (number_of(plain.group(1)) if plain else None), None


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
    if len(out) == 1 and out[0].additional and len(out[0].languages) <= out[0].additional \
            and _UN_LANGUAGE.search(fold(sentence)):
        # "Fluency in English and a second UN language": English, and one more of the six
        first = out[0]
        others = [iso for iso in UN_LANGUAGES if iso not in first.languages]
        out = [first.model_copy(update={"mode": "all_of", "additional": 0}),
               first.model_copy(update={"languages": others, "mode": "one_of",
                                        "additional": first.additional - 1})]
    for r in out:
        r.source_text = sentence
    return out


_UN_LANGUAGE = re.compile(r"\b(?:un|united nations|official) languages?\b|"
                          r"\blangues? (?:officielles?|de l'onu)\b|\bidiomas? oficial")

# "English and French are the working languages of the United Nations Secretariat.": what the
# organisation works in, not what the post asks (the next sentence says that)
_ORGANISATION_LANGUAGES = re.compile(
    r"\b(?:are|is) the (?:official |working |two |six )*(?:and working )?languages? of\b"
    r"|\b(?:sont|est) les? (?:deux |six )?langues? (?:officielles? |de travail )+(?:de|du|des)\b"
    r"|\b(?:son|es) (?:los|el) (?:dos |seis )?idiomas? (?:oficiales? |de trabajo )+(?:de|del)\b")


def _language(sentence: str, level: Literal["minimum", "desirable"]) -> Requirement | None:
    folded = fold(sentence)
    if _ORGANISATION_LANGUAGES.search(folded):
        return None
    named = list(dict.fromkeys(LANGUAGE_WORD[m] for m in LANGUAGE_RE.findall(folded)))
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


_WITH_YEARS = re.compile(r"\b(?:with|plus|and)\s+(?:at least\s+|a minimum of\s+)?" + NUM_P
                         + r"\s*(?:\(\d+\)\s*)?(?:additional\s+|more\s+)?" + YEAR, re.I)


def _degree_paths(prev: Requirement, req: Requirement, reqs: list[Requirement]) -> bool:
    """"Master's degree … with two years of experience; or Bachelor's degree … with four
    years": two paths, one requirement. The advanced degree stays the requirement, the first
    degree with its extra years its alternative, and the advanced path's years an experience
    requirement. False (nothing changed) when the two sentences are no such pair."""
    joined = prev.source_text.rstrip(" ;,.").lower().endswith(" or") \
        or bool(re.match(r"^\s*or\b", req.source_text, re.I))
    if not joined or prev.level != req.level \
            or {prev.degree_level, req.degree_level} != {"advanced", "first"}:
        return False
    advanced, first = (prev, req) if prev.degree_level == "advanced" else (req, prev)
    first_years = _WITH_YEARS.search(fold(first.source_text))
    if not first_years:
        return False
    advanced_years = _WITH_YEARS.search(fold(advanced.source_text))
    base = (number_of(advanced_years.group(1)) or 0.0) if advanced_years else 0.0
    advanced.alt_first_degree_extra_years = (number_of(first_years.group(1)) or 0.0) - base
    advanced.fields = advanced.fields or first.fields
    advanced.source_text = f"{prev.source_text} {req.source_text}"
    reqs[-1] = advanced
    if base:
        reqs.append(Requirement(kind="experience", level=advanced.level,
                                source_text=advanced.source_text, min_years=base))
    return True


def derive_requirements(posting: Posting) -> list[Requirement]:
    """The posting's requirements, minimum before desirable within each kind."""
    reqs: list[Requirement] = []
    blocks = (("education", posting.education), ("experience", posting.experience),
              ("language", posting.languages), ("skill", posting.skills))
    for kind, block in blocks:
        bases: tuple[Literal["minimum", "desirable"], ...] = ("minimum", "desirable")
        for base in bases:
            text = block.minimum if base == "minimum" else block.desirable
            for sentence in _sentences(text):
                level: Literal["minimum", "desirable"] = base
                label = sublabel(sentence)
                if label and label[1]:  # "- Minimum: …" left inside a bulleted block
                    level = "minimum" if label[0] == "minimum" else "desirable"
                    sentence = label[1]
                if kind == "education":
                    req = _education(sentence, level)
                    prev = reqs[-1] if reqs and reqs[-1].kind == "education" else None
                    if prev and _ALT_CLAUSE.search(sentence) and not req.fields:
                        # "A first-level degree … may be accepted in lieu of …" qualifies the
                        # previous requirement rather than adding one
                        prev.alt_first_degree_extra_years = req.alt_first_degree_extra_years
                        prev.source_text = f"{prev.source_text} {sentence}"
                        continue
                    if prev and _degree_paths(prev, req, reqs):
                        continue
                    reqs.append(req)
                elif kind == "experience":
                    reqs.append(_experience(sentence, level))
                elif kind == "language":
                    reqs.extend(_languages(sentence, level))
                else:
                    reqs.extend(_skills(sentence, level))
    rule = _counting_rule(posting)
    if rule:
        for req in reqs:
            if req.kind == "experience" and req.level == "minimum":
                req.counted_from, req.counting_text = "first_degree", rule
    reqs += who_may_apply(posting)
    # Binding sentences found in desirable blocks go with the other minimum requirements.
    order = {"education": 0, "experience": 1, "language": 2, "nationality": 3, "age": 4,
             "skill": 5}
    return sorted(reqs, key=lambda r: (order[r.kind], r.level != "minimum"))


# "we review the relevant experience acquired after obtaining the first university degree"
_AFTER_FIRST_DEGREE = re.compile(
    r"\bexperience\b[^.]{0,60}?\b(?:acquired|gained|obtained|earned|counted|accumulated)\s+"
    r"(?:after|following|since)\s+(?:obtaining\s+|completing\s+|completion\s+of\s+|the\s+award"
    r"\s+of\s+)?(?:the|a|your|their)?\s*(?:first|" + degree_words.names("first") + r")\b"
    r"|\bexperience\s+(?:acquise|obtenue)\s+apres\s+l'obtention\s+du\s+premier\s+diplome"
    r"|\bexperiencia\s+(?:adquirida|obtenida)\s+(?:despues|tras)\s+(?:de\s+)?(?:obtener|la "
    r"obtencion del)\s+(?:el\s+)?primer\s+titulo", re.I)


def _counting_rule(posting: Posting) -> str:
    """The posting's sentence saying experience counts only after the first degree, if any."""
    for sentence in split_sentences(re.sub(r"\s+", " ", posting.text or "")):
        if _AFTER_FIRST_DEGREE.search(fold(sentence)):
            return sentence.strip(" *")
    return ""


def education_field_match(posting: Posting, field: str,
                          requirements: list[Requirement] | None = None,
                          ) -> Literal["required", "accepted", None]:
    """Whether a field is *the* required field, one of several accepted, or not named.
    `requirements`: the posting's, when already derived (`EligibilityChecker.requirements`)."""
    for req in requirements if requirements is not None else derive_requirements(posting):
        if req.kind != "education" or req.level != "minimum" or not req.fields:
            continue
        relation = field_relation(field, req.fields, related_ok=False)
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
