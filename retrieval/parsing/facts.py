"""Facts that layouts state in many ways: the job title, the duty station, the organisation,
and the grade, duration and supervisor when they are only said in prose."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from babel import Locale

from retrieval.parsing.values import HONORIFIC
from retrieval.parsing.vocabulary import Vocabulary, vocabulary

GRADE_RE = re.compile(r"^(?:P|G|NO)\s*-?\s*[1-7A-D]$", re.I)
JOB_WORD_RE = re.compile(
    r"\b(officer|associate|analyst|specialist|advis[oe]r|coordinator|expert|assistant|manager|"
    r"engineer|economist|statistician|consultant|jpo|"
    # French and Spanish titles ("Administrateur auxiliaire", "Oficial asociado")
    r"administrat(?:eur|rice)|charg[ée]e? de|sp[ée]cialiste|conseill[eè]re?|analyste|"
    r"coordonnat(?:eur|rice)|oficial|especialista|asociad[oa]|analista|asesor[a]?|"
    r"coordinador[a]?)\b", re.I)
_NOT_A_TITLE_RE = re.compile(
    r"\b(programme of the|vacancy announcement|vacancy notice|terms of reference|avis de vacance|"
    r"anuncio de vacante|aviso de vacante|jpo\)? programme$|"
    r"junior professional officers?\)? programme$|"
    r"job description$|"
    # the programme's name alone ("Position type: Junior Professional Officer (JPO)")
    r"^(?:junior professional officer|jpo)(?:\s*\(jpo\))?$|"
    r"^programme des administrateurs auxiliaires|^programa de (?:funcionarios|oficiales|expertos)"
    r" (?:subalternos|asociados|j[oó]venes))", re.I)
_SMALL_WORDS = {"of", "and", "the", "in", "on", "for", "to", "a", "an", "at", "with", "or"}
_HONORIFICS_RE = re.compile(rf"\b({HONORIFIC})\.")


# territory codes that are no country: the EU, the euro area, the UN, outlying Oceania,
# pseudo-locales, "Unknown Region"
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


@cache
def country_names() -> list[str]:
    """Countries' English names as written ("Viet Nam", "Côte d'Ivoire"): Babel's territory
    names, plus common forms."""
    names = {n for code, n in Locale("en").territories.items()
             if code.isalpha() and code not in _NOT_COUNTRIES}
    names |= {"United States of America", "USA", "Democratic Republic of the Congo",
              "Ivory Coast", "Viet Nam", "Türkiye", "State of Palestine"}
    return sorted(n.replace("’", "'") for n in names)


@cache
def _countries() -> dict[str, str]:
    """Folded country name → its English name."""
    return {_country_key(n): n for n in country_names()}


def _country_key(name: str) -> str:
    return name.strip().replace("’", "'").casefold()  # Babel writes "Côte d’Ivoire"


def country_name(text: str) -> str | None:
    return _countries().get(_country_key(text))



def tidy_caps(text: str) -> str:
    """'NEW YORK' → 'New York'; 'ASSOCIATE OFFICER (JPO)' → 'Associate Officer (JPO)'.
    Text that is not all capitals is returned unchanged."""
    letters = [c for c in text if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters):
        return text
    words: list[str] = []
    for n, word in enumerate(text.split(" ")):
        bare = word.strip("()[],;:")
        if word.startswith("(") and len(bare) <= 6:  # "(JPO)", "(SIDS)": acronyms stay
            words.append(word)
        elif n and bare.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            lead = word[:len(word) - len(word.lstrip("(["))]  # "(SPECTRUM" → "(Spectrum"
            words.append(lead + "-".join(p[:1].upper() + p[1:].lower()
                                         for p in word[len(lead):].split("-")))
    return " ".join(words)


def duty_station(values: list[str]) -> str:
    """One 'City, Country' from the stated values ('Jamaica, Kingston', 'Italy-Rome',
    'Maputo' + 'Mozambique', 'NEW YORK')."""
    values = [tidy_caps(v.strip().rstrip(".")) for v in values if v.strip()]
    if not values:
        return ""
    first = values[0]
    parts = [p.strip() for p in re.split(r",\s*", first) if p.strip()]
    if len(parts) == 1 and re.fullmatch(r"[^\s-]+(?:\s[^\s-]+)*\s?-\s?[^\s-]+.*", first):
        dashed = [p.strip() for p in first.split("-", 1)]
        if any(country_name(p) for p in dashed):
            parts = dashed
    bare = [re.sub(r"\s*\([^)]*\)", "", p).strip() for p in parts]
    if len(parts) > 2 and country_name(bare[1]):
        # "N'Djamena, Chad, with regular missions to eastern Chad", "Amman, Jordan (UNRWA
        # Headquarters), with missions to the Agency's field offices"
        parts = bare[:2]
    if len(parts) == 2 and country_name(parts[0]) and not country_name(parts[1]):
        parts = [parts[1], parts[0]]  # "Jamaica, Kingston" → "Kingston, Jamaica"
    if len(parts) == 1 and country_name(parts[0]):
        # "Location: Côte d'Ivoire" and the title line's "Abidjan, Côte d'Ivoire": the city too
        country = country_name(parts[0])
        for other in values[1:]:
            more = [p.strip() for p in other.split(",")]
            if len(more) == 2 and country_name(more[1]) == country:
                return other
    if len(parts) == 1 and not country_name(parts[0]):
        country = next((country_name(v) for v in values[1:] if country_name(v)), None)
        if country:
            parts.append(country)
    return ", ".join(parts)


def clean_title(title: str) -> tuple[str, str, str]:
    """A title without the grade and place a header line appends to it:
    'JPO WASH Officer (X), P-2, Maputo, Mozambique' → ('JPO WASH Officer (X)', 'P-2',
    'Maputo, Mozambique'); 'JPO - Associate Officer' → 'Associate Officer'."""
    # "🌱 JPO · Associate … — UNOPS": pictographs and the programme's name before the title,
    # the organisation's after it
    title = re.sub(r"^[^\w(]+", "", title.strip())
    title = re.sub(r"^\s*JPO\s*[-–—:·|]\s+", "", title)
    title = re.sub(r"\s+[—|]\s+[A-Z][\w-]{1,12}$", "", title)
    parts = [p.strip() for p in title.split(",")]
    grade, place = "", ""
    for n, part in enumerate(parts[1:], start=1):
        if GRADE_RE.match(part):
            grade, place = part, ", ".join(parts[n + 1:])
            title = ", ".join(parts[:n])
            break
    return tidy_caps(title.strip()), grade, place


# a label before a colon that introduces a person, not the post ("Second-level supervisor:")
_PERSON_LABEL_RE = re.compile(r"supervis|report|contact|e-?mail|name|focal", re.I)


def title_from_lines(lines: list[str], vocab: Vocabulary | None = None) -> str:
    """The first line that reads as a job title (not an organisation's or programme's name)."""
    vocab = vocab or vocabulary()
    for text in lines:
        label, colon, rest = text.partition(":")
        if colon and len(label.split()) <= 4 and not _PERSON_LABEL_RE.search(label):
            text = rest.strip()  # "JPO opportunity: Associate Programme Specialist, …"
        if len(text) > 140 or text.endswith(".") or ":" in text:
            continue
        if not JOB_WORD_RE.search(text) or _NOT_A_TITLE_RE.search(text):
            continue
        if organisation_in(text, vocab) and len(text.split()) <= 4:
            continue
        return text
    return ""


def _alias_patterns(vocab: Vocabulary) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for org, aliases in vocab.organisations.items():
        for alias in aliases:
            flags = 0 if alias.isupper() else re.I
            out.append((org, re.compile(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", flags)))
    return out


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return _alias_patterns(vocabulary())


_WORD_RE = re.compile(r"[\w-]+")


@cache
def _patterns_by_first_word() -> tuple[dict[str, list[tuple[str, re.Pattern[str]]]],
                                       list[tuple[str, re.Pattern[str]]]]:
    """The alias patterns by the first word of their alias (lower-cased), and those whose
    alias starts with no word. An alias matches only where its first word is a whole word
    of the line (the patterns forbid a word character or hyphen before and after), so a line
    runs only the patterns of its own words instead of every alias's."""
    by_word: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    others: list[tuple[str, re.Pattern[str]]] = []
    vocab = vocabulary()
    patterns = iter(_patterns())
    for _org, aliases in vocab.organisations.items():
        for alias in aliases:
            entry = next(patterns)
            first = _WORD_RE.match(alias.lower())
            if first:
                by_word.setdefault(first.group(), []).append(entry)
            else:
                others.append(entry)
    return by_word, others


def organisation_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    by_word, others = _patterns_by_first_word()
    for line in text.splitlines():
        words = set(_WORD_RE.findall(line.lower()))
        candidates = [e for w in words & by_word.keys() for e in by_word[w]] + others
        if not candidates:
            continue
        shouting: bool | None = None  # read only when a case-sensitive name needs it
        for org, pattern in candidates:
            if pattern.flags & re.I == 0:
                if shouting is None:
                    letters = [c for c in line if c.isalpha()]
                    shouting = len(letters) > 25 and all(c.isupper() for c in letters)
                if shouting:
                    continue  # "CANDIDATES WHO …" is no WHO
            counts[org] += len(pattern.findall(line))
    return +counts


def organisation_in(text: str, vocab: Vocabulary | None = None) -> str:
    counts = organisation_counts(text)
    return counts.most_common(1)[0][0] if counts else ""


def recognise_organisation(named: str, header: list[str], text: str) -> str:
    """The organisation a posting belongs to: the one its 'Organization:' field names, else
    the one named in its first lines, else the one it names most often."""
    for candidate in (named, "\n".join(header)):
        found = organisation_in(candidate) if candidate else ""
        if found:
            return found
    return organisation_in(text)


def grade_in_text(text: str) -> str:
    """'at the P-2 level', 'Professional Staff, Grade P-1', 'Grade: P2' → the grade."""
    m = re.search(r"\b(?:at the\s+)?((?:P|G)-?[1-7])\s+level\b", text) \
        or re.search(r"\b[Gg]rade\s*:?\s*((?:P|G|NO)-?[1-7])\b", text)
    return m.group(1) if m else ""


def duration_in_text(text: str, *, labelled: bool = False) -> str:
    """'The appointment is for an initial period of one year, with the possibility of
    extension for a second year, subject to …' → 'one year, with the possibility of …'.
    `labelled`: also a length after an appointment- or contract-like word on a line of the
    general information ('Type of appointment: fixed-term, 24 months (…)')."""
    m = re.search(r"(?:initial period of|appointment is for|assignment is for|assignment of)\s+"
                  r"((?:\d+|one|two|three)[\s-]+(?:years?|months?)[^.;]*)", text, re.I)
    if not m and labelled:
        m = re.search(r"(?:appointment|contract|assignment|duration|period)\b[^\n]{0,60}?"
                      r"\b((?:\d{1,2}|one|two|three|four)[\s-]+(?:years?|months?)\b[^\n]*)",
                      text, re.I)
    if not m:
        return ""
    return re.split(r",\s*subject to\b", m.group(1))[0].strip(" ,")


# "reports to" said of the JPO (or opening a line), not "progress reports to donors"
_REPORTER_RE = re.compile(r"\b(?:jpo|incumbent|officer|associate|(?:s)?he|you|who|will|shall|"
                          r"would|directly|position|post|also|and)\s+$", re.I)


def supervisor_in_prose(text: str) -> str:
    """Who 'Under the direct supervision of X, …', 'X reports to Y, …', 'Your direct
    supervisor is X, …' names, or ''."""
    protected = _HONORIFICS_RE.sub(lambda m: m.group(1) + "\u2024", text)
    # an initial ("Ms. A. Bell") ends no sentence either
    protected = re.sub(r"\b([A-Z])\.(?=\s+[A-Z][a-z])", "\\1\u2024", protected)
    pattern = (r"(?:(?:under|and) the (?:direct |overall )?supervision of|supervised by|(reports?|"
               r"reporting) to|(?:direct |immediate |first[- ]level )?supervisor (?:is|will be)|"
               # "sous la supervision directe de Mme X, …, le/la titulaire …", "bajo la
               # supervisión directa de la Sra. X, el/la JPO …"
               r"sous la supervision (?:directe |immédiate )?(?:de la |du |de |d')|"
               r"bajo la supervisi[oó]n (?:directa |inmediata )?(?:de la |del |de )|"
               r"supervis[ée]e? par|supervisad[oa] por)"
               r"\s*(.+?)(?=,\s*(?:and\s+|y\s+|et\s+)?(?:under|with|who|in close|le|la|les|el|"
               r"los|il|elle|qui|quien|que|bajo|sous|con|avec)\b|[.;](?:\s|$)|"
               r"\sand under\b|"
               # "…, Human Rights Officer and coordinator of …, the Associate Human Rights
               # Officer will:": the sentence turns to the JPO
               r",\s*the\s+(?-i:[A-Z])[\w-]*(?:\s+[\w-]+){0,4}\s+will\b|"
               # "…, Ms. X, and works closely with …": the sentence goes on about the JPO
               r",?\s+and\s+(?:will\s+|also\s+)?[a-z]+s\b)")
    found: list[str] = []
    for m in re.finditer(pattern, protected, re.I | re.S):
        before = protected[max(0, m.start() - 30):m.start()]
        if (m.group(1) or "").lower() == "reports" and before.strip() \
                and not re.search(r"[.:;]\s*$", before) and not _REPORTER_RE.search(before):
            continue
        who = re.sub(r"\s+", " ", m.group(2)).replace("\u2024", ".").strip(" ,")
        who = re.sub(r"^(?:the|an?)\s+", "", who, flags=re.I)
        if who and who.lower() not in {"supervisor", "the supervisor"} and len(who) < 200:
            found.append(who)
    # a person named with an honorific ("You will report to Dr. Teresa Magalhães, …") before
    # whatever else the same words introduce ("… and flag issues to the lead reviewers")
    return next((w for w in found if _HONORIFICS_RE.match(w)), found[0] if found else "")
