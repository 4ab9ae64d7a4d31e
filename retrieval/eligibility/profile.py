"""A candidate profile read from the candidate's own words; what is not stated stays unknown.

(A little over 400 lines: the readers of degrees' fields, languages, nationality, age and the
area of the work share the folded text and each other's findings; periods are in periods.py.)"""

from __future__ import annotations

import itertools
import re
from datetime import date

from retrieval.eligibility.degrees import degree_facts
from retrieval.eligibility.fields import expand_work_abbreviations, field_canonicals
from retrieval.eligibility.periods import experience_periods, month_number, spell_numeric_months
from retrieval.eligibility.vocabulary import (
    LANGUAGE_NAMES,
    LANGUAGE_RE,
    LANGUAGE_WORD,
    NUM,
    nationality_in,
)
from retrieval.lexicon import degrees as degree_words
from retrieval.models import ExperiencePeriod, Profile
from retrieval.text import fold

# ---- reading a profile ----------------------------------------------------------------------

_LEVEL_WORDS: list[tuple[str, str]] = [
    (r"(not (?:very |that |so )?(?:great|good|fluent\w*))", "basic"),
    (r"(native|mother tongue|first language|bilingual|langue maternelle|premiere langue|"
     r"lengua materna|primera lengua|idioma materno|nativo|nativa|natif|native speaker)",
     "native"),
    (r"(fluent\w*|fluency|excellent\w*|excelente|proficien\w*|advanced|avanzado|c1|c2|"
     r"courant\w*|couramment|fluide|fluido|con fluidez|perfect\w*|parfait\w*|very good|"
     r"tres bon\w*|muy buen[oa]?|full professional)", "fluent"),
    (r"(good|working|intermediate|upper[- ]intermediate|intermedio|intermediaire|b1|b2|bon|"
     r"bonne|buen|bueno|buena|decent|conversational|solid|okay\w*|ok|correct\w*|aceptable|"
     r"not bad|pas mal|moyen|regular|fair)", "good"),
    (r"(basic|some|little|elementary|beginner|a1|a2|notions?|basico|basica|basique|debutant|"
     r"limited|weak|poor|rusty|faible|debil|flojo|principiante|a bit of|un peu|un poco|"
     r"school\w*|tourist|survival|broken|so-so|so so|scolaire|de base|passable|mediocre|"
     r"not (?:very |that )?(?:great|good|fluent))", "basic"),
]
# "zero French", "no French", "I don't speak French": not spoken at all
_NEGATION = re.compile(r"\b(no|not|zero|none|don't|dont|do not|cannot|can't|without|"
                       r"ne parle pas|pas de|pas d'|aucune?|sans|no hablo|sin|nada de|ningun|"
                       r"nor)\b\s*(?:\w+\s+){0,2}$")
# "I'm francophone": a native language named by the speaker's word for it
_PHONE = {"francophone": "fr", "francofono": "fr", "francofona": "fr", "anglophone": "en",
          "anglofono": "en", "anglofona": "en", "hispanophone": "es", "hispanohablante": "es",
          "castellanohablante": "es", "lusophone": "pt", "arabophone": "ar"}
_PHONE_RE = re.compile(r"\b(" + "|".join(_PHONE) + r")\b")
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
    pending: list[str] = []  # "English and French both fluent": English waits for the level
    for m in LANGUAGE_RE.finditer(folded):
        iso = LANGUAGE_WORD[m.group(1)]
        before = folded[max(0, m.start() - 40):m.start()]
        after = folded[m.end():m.end() + 30]
        clause = re.split(r"[,;.+/&]|\band\b|\bbut\b|\by\b|\bet\b", before)[-1]
        # the words after a language up to the next list joint ("English fluently, and …")
        tail = re.split(r"[,;.+/&]|\band\b|\bbut\b|\by\b|\bet\b|\bor\b", after)[0]
        level = ""
        for pattern, name in _LEVEL_WORDS:
            if re.search(rf"\b{pattern}\b", clause) or re.search(rf"\b{pattern}\b", tail):
                level = name
                break
        if _NEGATION.search(clause) and level != "basic":
            level = "none"
        continues = prev_end >= 0 and re.fullmatch(
            r"\s*(,|and|et|y|or|as well as|,\s*and|\+|&|/)?\s*", folded[prev_end:m.start()])
        cue = level or continues or _LANG_CUE.search(clause) or _LANG_CUE.search(tail) \
            or re.search(r"\b(in|en)\s+$", clause)
        if not level and re.match(r"\s*(?:,|and|et|y|&|\+|/)\s*" + LANGUAGE_RE.pattern, after):
            pending.append(iso)
            prev_end = m.end()
            continue
        if pending and continues and level and level != "none":
            langs.update(dict.fromkeys(pending, level))
        elif pending and continues and cue:
            langs.update(dict.fromkeys(pending, "spoken"))
        pending = []
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
    for m in _PHONE_RE.finditer(folded):
        langs.setdefault(_PHONE[m.group(1)], "native")
    return langs, nationality


def _cefr_levels(folded: str, languages: dict[str, str]) -> dict[str, str]:
    """iso → the CEFR level written right after or before a spoken language ("anglais niveau
    A2", "C1 English")."""
    found: dict[str, str] = {}
    for m in LANGUAGE_RE.finditer(folded):
        iso = LANGUAGE_WORD[m.group(1)]
        if iso not in languages:
            continue
        after = re.match(r"\s*(?:\(|:|-|level|niveau|nivel)?\s*(?:level|niveau|nivel)?\s*"
                         r"([abc][12])\b", folded[m.end():])
        before = re.search(r"\b([abc][12])\s*$", folded[:m.start()])
        level = after or before
        if level:
            found.setdefault(iso, level.group(1).upper())
    return found


# verbs and nouns of studying that a field follows directly ("studied law", "etudes de droit")
_STUDIED = ("studied", "etudes", "estudios")
_DEGREE_WORD = re.compile(rf"\b({'|'.join(_STUDIED)}|"
                          + degree_words.names("advanced", "first", "generic", phrases=False,
                                               typed=True, short=True) + r")\b")
_FIELD_STOP = re.compile(
    r"\s*(?:[,.;:!?()]|\b(?:and|with|from|at|but|plus|where|who|which|et|y|avec|con|"
    r"have|having|i|j'ai|tengo|since|for|until|next|expected|hasta|jusqu'?|de \d|"
    r"obtained|obtenue?|obtenido|obtenida|graduated|completed|finished|awarded|terminee?|"
    r"part[- ]time|full[- ]time|a tiempo (?:parcial|completo)|a temps (?:partiel|plein))\b|\d)")


# "and three years of economic research" is experience, not a second field
_COUNTED = re.compile(r"\b(years?|months?|ans|anos|mois|meses|" + NUM[1:-1] + r")\b")
_ABBREV_FIELD = {"llm": "law", "ll.m": "law", "llb": "law", "ll.b": "law",
                 "mba": "business administration"}
_NOT_FIELD = re.compile(
    rf"\b({degree_words.names('advanced', 'first', 'generic', phrases=False, typed=True)}|"
    r"an?|my|the|first|second|advanced|university|level|i|have|hold|with|in|require\w*|need\w*|a|un|una|"
    r"une|mon|mi|good|relevant|got|get|did|done|full|part|time|i'm|im|am|doing|studying|"
    r"currently|now|candidates?|applicants?|someone|somebody|person|people|nationals?|"
    r"citizens?|whole|entire|same|other|last|online|new|old|current|finished|completed|"
    # the words that tell the order of degrees: "… puis master data science"
    r"then|later|after|afterwards|puis|ensuite|apres|luego|despues|y luego|et puis)\b")


_ADVANCED_WORD = degree_words.pattern("advanced", typed=True, short=True)
_DEGREE_NAMES = degree_words.names("advanced", "first", "generic", phrases=False)


def _degree_field(folded: str, prefer_advanced: bool = False) -> tuple[str, str, list[str]]:
    """(field, focus) of the candidate's degree in the candidate's own words; with several
    degrees, the first one named, or with `prefer_advanced` the first advanced one ("BEng in
    civil engineering, then an LLM in international law" → international law)."""
    fields: list[tuple[bool, str]] = []
    for m in _DEGREE_WORD.finditer(folded):
        field = ""
        after = folded[m.end():]
        lead = r"\s+(?:in\s+|de\s+)?" if m.group(1) in _STUDIED else \
            r"(?:\s+[12]\b|\s*\([^)]*\))?\s*(?:degree\s+|diploma\s+)?(?:(?:in|of|en|on|de)\s+|d')"
        a = re.match(lead + r"(?:the\s+|l'|la\s+)?(.+)", after)
        if a:
            tail = a.group(1)
            stop = _FIELD_STOP.search(tail)
            field = tail[:stop.start()] if stop else tail
            # "economics june 2020" (a date spelled out) and "economics in 2020": the date
            # and its preposition are no part of the field
            field = " ".join(itertools.takewhile(lambda w: month_number(w) is None,
                                                 field.split()))
            field = re.sub(r"(?:\s+(?:in|of|en|de|from|at|on))+\s*$", "", field)
            # "economics and statistics" stays together when both halves are fields, and
            # "empresa y derechos humanos" when the second is and the first is one word
            j = re.match(r"\s+(and|y|et)\s+([a-z ]+?)(?=\s*(?:[,.;]|\band\b|\d|$))",
                         tail[len(field):])
            if j and len(j.group(2).split()) <= 4 and not _COUNTED.search(j.group(2)) \
                    and not _DEGREE_WORD.search(j.group(2)) \
                    and field_canonicals(j.group(2)) and (
                        field_canonicals(field) or len(field.split()) == 1):
                field = f"{field} {j.group(1)} {j.group(2)}"
        if not field.strip():
            # "an advanced law degree", "a French law diploma"
            # ... and "a law master's", "an economics bachelor"
            # (in the words just before this mention, not anywhere earlier in the text)
            window = folded[max(0, m.start() - 30):m.end() + 12]
            b = next(reversed(list(re.finditer(
                rf"((?:[a-z']+\s+){{1,3}})(?:{_DEGREE_NAMES})", window))), None)
            # "doing a master's", "haciendo un posgrado": an article right before the
            # degree's name leaves no room for a field
            if b and not re.search(r"\b(?:a|an|the|my|un|una|une|el|la|le|mi|mon|ma)\s+$",
                                   b.group(1)):
                cand = [w for w in _NOT_FIELD.sub(" ", b.group(1)).split()
                        if re.search(r"[a-z]{2}", w)]  # not the "'s" of "master's degree"
                suffixes = [" ".join(cand[i:]) for i in range(len(cand) - 1, -1, -1)]
                known = [x for x in suffixes if field_canonicals(x)]
                # "soc bachelor (sociology)": the field spelled out in brackets after it
                spelled = re.match(r"\s*\(([a-z][a-z ]{2,40})\)", after)
                if not known and spelled and field_canonicals(spelled.group(1)):
                    known = [spelled.group(1).strip()]
                field = known[0] if known else " ".join(cand[-2:])
        if not field.strip():
            # "MA industrial relations", "BSc Statistics 2018", "bsc econ": the field named
            # right after the degree, without "in"
            d = re.match(r"\s+((?:[a-z][a-z-]*\s*){1,4})", after)
            named = d.group(1) if d else ""
            stop = _FIELD_STOP.search(named)
            named = named[:stop.start()] if stop else named  # not "economics and"
            cand = re.sub(r"(?:\s+(?:in|of|en|de|from|at|on))+\s*$", "", named).split()
            # "msc economics september 2022-…" (a date spelled out): the field ends there
            cand = list(itertools.takewhile(lambda w: month_number(w) is None, cand))
            known = [" ".join(cand[:i]) for i in range(len(cand), 0, -1)
                     if field_canonicals(" ".join(cand[:i]))]
            field = known[0] if known else ""
        if not field.strip():
            field = _ABBREV_FIELD.get(m.group(1), "")
        if field.strip():
            fields.append((bool(_ADVANCED_WORD.fullmatch(m.group(1))), field))
    chosen = [f for adv, f in fields if adv] if prefer_advanced else []
    field = (chosen or [f for _, f in fields] or [""])[0]
    others = list(dict.fromkeys(re.sub(r"\s+", " ", f).strip() for _, f in fields if f != field))
    field = re.sub(r"\s+", " ", field).strip()
    focus = ""
    f = re.search(r"\b(?:focus(?:ing)? on|speciali[sz](?:ation|ed|ing) in|major(?:ing)? in|"
                  r"concentration in|specialite en)\s+([a-z' ]+?)(?=\s*(?:[,.;]|\band\b|\d|$))",
                  folded)
    if f:
        focus = f.group(1).strip()
    return field, focus, others


_NOT_EXPERIENCE = r"(?!\s*(?:years?|ans|anos)\s+(?:of|d|de)\b)"  # "3 years of …" is not an age
_AGE_RE = re.compile(
    r"\b(?:too (?:old|young)|age limit)\D{0,25}?\b(\d{2})\b" + _NOT_EXPERIENCE
    + r"|\b(\d{2})\s*(?:years? old|y/?o|ans\b(?!\s*d'?\s*experience)|anos de edad)"
    + r"|\b(?:aged?|age:?|i am|i'm|j'ai|tengo)\s+(\d{2})\b" + _NOT_EXPERIENCE)

_AGE_AFTER_NATIONALITY = re.compile(
    r"(?:^|\b(?:i am|i'm|im)\s+)([a-z]+)\s*,\s*(\d{2})\s*(?:[,.;]|$)")


def _experience_facts(folded: str, today: date
                      ) -> tuple[list[ExperiencePeriod], str, bool, int | None]:
    """(periods, domain, called relevant, age) from a candidate's text."""
    age: int | None = None
    a = _AGE_RE.search(folded)
    if a:
        age = int(next(g for g in a.groups() if g))
    else:
        # "im finnish, 29, MSc …", "dutch, 30, masters in …": an age told after a nationality
        n = _AGE_AFTER_NATIONALITY.search(folded)
        if n and nationality_in(n.group(1)) and 18 <= int(n.group(2)) <= 70:
            age = int(n.group(2))
    periods = experience_periods(folded, today, age)
    domain = ""
    for period in periods:
        at = folded.find(period.text)
        if at >= 0:
            domain = _domain_after(folded[at + len(period.text):])
            if domain:
                break
    if not domain:
        # "3 years, including 2 in labour law": the part names the domain
        inc = re.search(r"\b(?:including|of which|dont|de los cuales)\s+(?:\w+\s+){1,3}?"
                        r"(?:years?|ans|anos)\b(.*)", folded)
        if inc:
            domain = _domain_after(inc.group(1))
    relevant = bool(re.search(r"\b(relevant|pertinente?|relevante)\b", folded))
    if not domain:
        for d in re.finditer(r"\b(?:experience|worked|working|work|experiencia|experiencia "
                             r"laboral)\s+(?:in|on|as|en|dans|with)\s+(?:the\s+)?(?:field\s+of\s+)?"
                             r"([a-z' /-]+?)(?=\s*(?:[,.;!?]|\band\b|\bbut\b|\d|$))", folded):
            if not re.search(r"\b(never|not|no|n't|without)\s+(?:\w+\s+)?$",
                             folded[max(0, d.start() - 20):d.start()]):
                domain = d.group(1).strip()  # "never worked on AI" is no domain
                domain += _second_area(folded[d.end(1):])
                break

    return periods, domain, relevant, age


# "never did any CSR or due diligence work", "no experience in human rights"
_DENIED_AREA = re.compile(
    r"\b(?:never (?:did|done|worked|had|been)|no (?:prior |professional )?experience|"
    r"haven't (?:done|worked|had)|have not (?:done|worked|had)|without (?:any )?experience)"
    r"\s+(?:any\s+|on\s+|in\s+|with\s+|of\s+)*([a-z' /-]+?)(?=\s*(?:[,.;!?]|\bbut\b|$))")


_NOT_AN_AREA = {"since", "then", "before", "after", "that", "it", "yet", "specifically", "much",
                "so", "far", "there", "this", "any", "the", "a"}


def _second_area(rest: str) -> str:
    """" and labour law" after "working on ILO conventions": the area's second half, when it
    is a short noun phrase closing the clause (not "and i speak french")."""
    m = re.match(r"\s+(and|or|et|y)\s+([a-z' /-]{3,40}?)(?=\s*(?:[,.;!?]|$))", rest)
    if not m or len(m.group(2).split()) > 4 or re.search(
            r"\b(i|i'm|im|my|me|je|j|yo|mi|speak|have|am|was|is|are|now|then)\b", m.group(2)):
        return ""
    return f" {m.group(1)} {m.group(2)}"


def _domain_after(text: str) -> str:
    """The area named right after a period ("5 years working on migration and asylum")."""
    m = re.match(r"'?\s*(?:of\s+)?(?:relevant\s+|professional\s+|work\s+|working\s+|practical\s+)*"
                 r"(?:experience\s+|work\s+)?(?:d'?\s*experience\s+|de experiencia\s+)?"
                 r"(?:working\s+|work\s+)?(?:in|on|at|with|as|en|dans|chez|a)\s+(?:the\s+)?"
                 r"(?:field\s+of\s+|area\s+of\s+)?([a-z' /-]+?)(?=\s*(?:[,.;!?]|\band\b|\bbut\b|"
                 r"\bet\b|\by\b|\d|$))", text)
    return m.group(1).strip() + _second_area(text[m.end(1):]) if m else ""


def _original(text: str, folded: str, piece: str) -> str:
    """`piece` of the folded text as the candidate wrote it ('economia' → 'economía')."""
    at = folded.find(piece) if piece else -1
    if at < 0 or len(folded) != len(text):
        return piece
    return text[at:at + len(piece)].lower()


# "I'm Dutch", "Belgian citizen here", "a Swiss national", "citizen of Belgium",
# "nationality: Belgian", "je suis belge", "soy argentina", "ich bin Schweizer"
_NATIONALITY_CUES = [
    re.compile(r"\b(?:i am|i'm|im|je suis|soy|ich bin)\s+(?:an?\s+|un\s+|une\s+|una?\s+)?"
               r"([a-z][a-z-]+(?: [a-z][a-z-]+)?)\b(?!\s+(?:speaker|speaking|language))"),
    re.compile(r"\b([a-z][a-z-]+)\s+(?:citizen|national|passport|nationality)\b"),
    re.compile(r"\b(?:citizen|national|ressortissante?|ciudadan[oa])\s+(?:of|de|du|des)\s+"
               r"(?:the\s+|la\s+|l'|los\s+)?([a-z][a-z'-]+(?: [a-z][a-z-]+)?)"),
    re.compile(r"\b(?:nationality|nationalite|nacionalidad|citizenship)\s*:?\s+(?:is\s+)?"
               r"([a-z][a-z-]+(?: [a-z][a-z-]+)?)"),
]


def _nationality(folded: str) -> str:
    """The nationality the candidate gives, in their word ("Dutch", "Belgium"), or ''."""
    for cue in _NATIONALITY_CUES:
        for m in cue.finditer(folded):
            # "I'm Dutch with a master's": the phrase, else its first word
            for phrase in (m.group(1), m.group(1).split()[0]):
                if nationality_in(phrase):
                    return phrase.title()
    return ""


def english_reading(text: str) -> str:
    """A German self-description in the glossary's English ("Ich habe einen Master in Jura" →
    "i have a master in law"), which the readers below understand; other texts unchanged."""
    from retrieval.german import german_glossary
    from retrieval.understanding import detect_language

    return german_glossary().gloss_text(text) if detect_language(text) == "de" else text


# "EN C1, DE native", "FR: B2": a language's code right before its level, written the way CVs
# list them (upper-case codes, or any case before a CEFR level)
_CODE_LEVEL = re.compile(r"\b([A-Z]{2}|[a-z]{2}(?=\s*[:-]?\s*[abcABC][12]\b))"
                         r"(?=\s*[:-]?\s*(?:[abcABC][12]\b|native|fluent|mother tongue|basic|"
                         r"good|intermediate|advanced|proficient))")
# "6y labour market policy", "9mo internship": a number glued to a unit's first letter
_GLUED_UNIT = re.compile(r"\b(\d{1,2}(?:[.,]\d)?)(y|yr|mo)\b", re.I)


def _cv_shorthand(text: str) -> str:
    text = _CODE_LEVEL.sub(lambda m: next(iter(LANGUAGE_NAMES.get(m.group(1).lower(), ())),
                                          m.group(1)), text)
    return _GLUED_UNIT.sub(
        lambda m: f"{m.group(1)} {'months' if m.group(2).lower() == 'mo' else 'years'}", text)


def parse_profile(text: str, today: date | None = None) -> Profile:
    """A candidate profile from free text (English, French, Spanish, and German read through
    the glossary). `today` dates open periods ("since January 2022"); by default the real
    date."""
    text = spell_numeric_months(english_reading(_cv_shorthand(text)))
    folded = fold(text).replace("’", "'")
    profile = Profile()
    degrees = degree_facts(text.replace("’", "'"), folded)
    profile.degree_level = degrees.level
    profile.degree_in_progress = degrees.in_progress
    profile.no_degree = degrees.none
    field, focus, others = _degree_field(folded, prefer_advanced=degrees.level == "advanced")
    profile.other_degree_fields = [_original(text, folded, f) for f in others]
    # the candidate's own words (accents kept); matching maps them onto the taxonomy
    profile.degree_field = _original(text, folded, field)
    profile.degree_focus = _original(text, folded, focus)
    profile.has_degree = not degrees.none and bool(
        profile.degree_level or (profile.degree_field and not degrees.in_progress)
        or (not degrees.in_progress and re.search(
            r"\b(degree|diploma|graduated|diplome|titulo|studied)\b", folded)))
    # what the work was about, abbreviations spelled out ("3 yrs M&E at an NGO")
    periods, domain, relevant, age = _experience_facts(expand_work_abbreviations(folded),
                                                       today or date.today())
    if periods:
        profile.experience_periods = periods
        profile.years_experience = round(sum(p.years for p in periods), 2)
        profile.years_before_first_degree = round(
            sum(p.years for p in periods if p.timing == "before_first_degree"), 2)
    profile.experience_domain = _original(text, folded, domain)
    profile.no_experience_in = [m.group(1).strip() for m in _DENIED_AREA.finditer(folded)
                                if set(m.group(1).split()) - _NOT_AN_AREA]
    profile.experience_relevant = relevant
    profile.age = age
    profile.languages, said = _language_levels(folded)
    profile.language_cefr = _cefr_levels(folded, profile.languages)
    profile.nationality = _nationality(folded) or said
    profile.skills = [s.strip() for s in re.findall(
        r"\b(?:skills? in|skilled in|knowledge of|experienced in|proficient in)\s+"
        r"([a-z0-9' /+-]+?)(?=\s*(?:[,.;!?]|\band\b|$))", folded)
        if not LANGUAGE_RE.fullmatch(s.strip())]
    return profile


# ---- a profile corrected in a later message --------------------------------------------------

# "I also speak French", "plus two years at an NGO": the new message adds to the profile
_ADDS = re.compile(r"\b(also|as well|too|additionally|in addition|besides|another|aussi|"
                   r"egalement|en plus|de plus|tambien|ademas|otro|otra|auch|zusatzlich|"
                   # "I forgot: before the ministry I had a 12-month contract": one more fact
                   r"forgot|forgotten|left out|did ?n[o']t mention|oublie|olvide|vergessen)\b")
_CLAUSE_SPLIT = re.compile(r"[.;!?\n]+|,\s*|\s+(?:then|and then|after that|puis|luego)\s+")


def told_kinds(profile: Profile) -> set[str]:
    """What kinds of fact a profile states: degree, experience, and each language."""
    kinds = {f"language:{code}" for code in profile.languages}
    if profile.has_degree or profile.degree_field or profile.no_degree \
            or profile.degree_in_progress:
        kinds.add("degree")
    if profile.years_experience is not None:
        kinds.add("experience")
    return kinds


def corrected_text(previous: str, correction: str, today: date | None = None) -> str:
    """The profile text of `previous` with `correction` applied: a clause of the earlier
    message that states only what the correction states again ("5 years (2017-2022)" before
    "sorry, it was 3 years, from 2019 to 2022") is dropped rather than added up; a message
    that adds ("I also speak French") keeps everything."""
    new = told_kinds(parse_profile(correction, today))
    if not new or _ADDS.search(fold(correction)):
        return f"{previous}\n{correction}"
    kept = [c for c in _CLAUSE_SPLIT.split(previous) if c and c.strip()
            and not (told_kinds(parse_profile(c, today)) or {"-"}) <= new]
    return "\n".join([". ".join(c.strip() for c in kept), correction]).strip()
