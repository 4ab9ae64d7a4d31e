"""Work experience told as a story: a sum of periods, each placed before or after the first degree.

A recruiter reads "BSc (graduated June 2020), then from September 2020 to August 2022 I worked
at …, and since then I've been …" as three facts: a first degree in 2020, 24 months after it,
and an open period up to today. This module does the same:

- date ranges ("from February 2023 to November 2024", "2019–2021", "Jan 2020 – present") and
  open ranges ("since January 2022", "since then", "ever since") up to `today`; the dates
  themselves are read by `dateparser` (English, French, Spanish and German month names);
- durations ("9 months", "three years", "2 years and 8 months", "about a year");
- ranges attached to a degree ("MSc in data science (Sept 2022 to Sept 2023)") are study, not
  work: they date the degree instead;
- each period is "before_first_degree", "after_first_degree" or "unstated", from its dates
  compared with the degree dates, or else from the nearest cue ("before uni", "during my BA",
  "right after graduating", "between my bachelor's and the master's");
- a summary ("…, so that's 3 years") replaces the periods of its sentence instead of adding to
  them, and a total told after them ("6 yrs experience total") adds nothing; time off
  ("travelled for a year", parental leave, military service) is not experience.

(Past 400 lines as one file: ranges, durations, summaries and their timing read the same
sentences and degree dates, and each decides what the others may count.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

import dateparser

from retrieval.eligibility.vocabulary import NUM, number_of
from retrieval.lexicon import degrees as degree_words
from retrieval.models import ExperiencePeriod

Timing = Literal["before_first_degree", "after_first_degree", "unstated"]

_DATE_LANGUAGES = ["en", "fr", "es", "de"]
# "03/2021", "09.2023", "1-2020": a month by its number, spelled out before the text is read
_NUMERIC_MONTH = re.compile(r"\b(0?[1-9]|1[0-2])\s?[/.-]\s?((?:19|20)\d{2})\b")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")


# "2021-09", "2022/07" (year first), unless it reads as a range of years ("2021-22")
_YEAR_MONTH = re.compile(r"(?<!\d[/.])\b((?:19|20)(\d{2}))\s?[/.-]\s?(0[1-9]|1[0-2])\b"
                         r"(?![/.]\d)(?!-\d{1,2}\b)")
_ABBREVIATED = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# "Jan 21 – Dec 22": a month and a two-digit year (not "May 21, 2023", a day)
_MONTH_SHORT_YEAR = re.compile(
    rf"\b{_ABBREVIATED}\s+'?(\d{{2}})\b(?!\s*(?:years?|yrs?|months?|mo\b|h\b|hours?|%|:|\d|"
    r",?\s*(?:19|20)\d{2}))", re.I)
# "Sep–Dec 2021": both months in the one year
_MONTHS_OF_A_YEAR = re.compile(
    rf"\b{_ABBREVIATED}\s*[-–—]\s*({_ABBREVIATED})\s+((?:19|20)\d{{2}})", re.I)


def spell_numeric_months(text: str) -> str:
    """'from 03/2021 to 06/2023' → 'from march 2021 to june 2023', and the other ways a CV
    writes months: '2021-09 → 2024-08', 'Jan 21 – Dec 22', 'Sep–Dec 2021'."""
    text = re.sub(r"\s*(?:→|->|⟶)\s*", " to ", text)
    text = _YEAR_MONTH.sub(lambda m: f"{_MONTH_NAMES[int(m.group(3)) - 1]} {m.group(1)}"
                           if int(m.group(3)) <= int(m.group(2)) else m.group(0), text)
    text = _NUMERIC_MONTH.sub(lambda m: f"{_MONTH_NAMES[int(m.group(1)) - 1]} {m.group(2)}",
                              text)
    text = _MONTHS_OF_A_YEAR.sub(lambda m: f"{m.group(1)} {m.group(4)} - {m.group(2)} {m.group(4)}",
                                 text)
    return _MONTH_SHORT_YEAR.sub(lambda m: f"{m.group(1)} 20{m.group(2)}", text)
# a month word (checked by dateparser, not by a list here) and a four-digit year
_DATE = (r"(?:(?:fin|debut|mi|end of|beginning of|start of|early|late|mid|finales de|"
         r"principios de|mediados de|inicios de)\s+)?"
         r"(?:([a-z]{3,10})\.?\s+(?:de\s+|of\s+)?)?((?:19|20)\d{2})")
_PRESENT = (r"(?:present|now|today|date|current|currently|ongoing|aujourd'hui|maintenant|"
            r"presente|hoy|la fecha|la actualidad|actualidad|ahora)")
_RANGE = re.compile(
    r"(?:\b(?:from|between|de|du|desde|entre)\s+)?" + _DATE
    + r"\s*(?:-|–|—|to|until|till|through|and|a|au|al|hasta|et|y)\s*(?:(?:the\s+|l'|la\s+)?"
    + _PRESENT + r"\b|" + _DATE + r"|(\d{2})\b(?!\s*(?:years?|months?|ans|anos|mois|meses)))")
_OPEN = re.compile(r"\b(?:since|depuis|desde)\s+(?:(?:the\s+)?(?:start|beginning|end)\s+of\s+)?"
                   + _DATE)
# "from Sept 2022, I've worked on …": a start with no end, told in the present perfect
_FROM_OPEN = re.compile(r"\b(?:from|starting(?: in)?|a partir de)\s+" + _DATE)
# "i started there in march 2023", "joined the NGO in 2021": an open range, unless its end is
# told ("started in 2019 and left in 2021")
_STARTED = re.compile(r"\b(?:started|began|joined|commence|empece|comence)\b(?:\s+[\w']+){0,5}?"
                      r"\s+(?:in|on|en)\s+" + _DATE)
_ENDED = re.compile(r"\b(left|quit|until|till|ended|stopped|finished|to (?:19|20)\d{2})\b")
_ONGOING = re.compile(r"\b(i've|i have (?:been|worked)|have been|has been|i'm|i am|im|currently|"
                      r"i (?:work|do|run|lead|manage|teach)|"
                      r"still|to date|until now|so far|ongoing|je travaille|je suis|"
                      r"trabajo|estoy|he (?:trabajado|estado))\b")
_SINCE_THEN = re.compile(r"\b(?:since then|ever since|depuis lors|desde entonces|from then on)\b"
                         r"(?!\s+(?:\w+\s+)?(?:19|20)\d{2})")
_SINCE_DEGREE = re.compile(
    r"\b(?:since (?:graduating|graduation|i graduated|my graduation)|depuis (?:mon diplome|"
    r"l'obtention de mon diplome)|desde (?:que me gradue|mi graduacion|que termine))\b")
_DURATION = re.compile(
    r"(?:(over|more than|almost|nearly|about|around|roughly|at least|plus de|mas de|pres de|"
    r"casi|environ|alrededor de)\s+)?(" + NUM[1:-1] + r"|an?|un|una|une)(?=\s)"
    r"(\s+and\s+a\s+half|\s+et\s+demi|\s+y\s+medio)?\s*\+?\s*(years?|yrs?|months?|ans|annees|"
    r"anos|mois|meses)\b")
_AFTER_DURATION_NOT_WORK = re.compile(
    r"\s*(old|of age|de edad|degree|programme|program|course|diploma|ago|later|from now|of "
    r"(?:study|studies|university|college|law school)|studying|in school)\b")
# "i have like 6 yrs experience total", "5 ans au total": the sum of what was told
_TOTAL_AFTER = re.compile(r"^\s*(?:\w+\s+){0,3}?(?:in total|total|altogether|overall|en total|"
                          r"au total|en tout)\b")
# "lived in london 6 yrs", "grew up in texas": time spent, no work
_LIVED = re.compile(r"\b(lived|living|grew up|resided|raised|born|vivi\w*|vecu|habite)\b")
_PART_OF_TOTAL = re.compile(r"\b(including|of which|among them|incl|dont|de los cuales)\b[^,.;]*$")
_SUMMARY = re.compile(r"\b(so|that's|that is|i\.e\.|in total|altogether|overall|all in all|"
                      r"exactly|precisely|which is|which makes|that makes|soit|en tout|au total|"
                      r"c'est-a-dire|o sea|en total|es decir|exactamente|exactement)\b"
                      r"(?:\s+\w+){0,3}[\s~≈±]*$")  # "so ~3 yrs"
_TIME_OFF = re.compile(r"\b(travel\w*|gap year|break|sabbatical|parental leave|maternity|"
                       r"job[- ]hunting|looking for (?:a )?(?:job|work)|between jobs|"
                       r"je cherche|cherche du travail|busco trabajo|buscando trabajo|"
                       r"unemployed|off work|voyag\w*|viaj\w*|chomage|desemplead\w*|conge|"
                       r"caring for|care of|(?:haven't|have not|hasn't|not|never|no longer|"
                       r"stopped) (?:been )?work\w*|sans emploi|sin trabajo|no he trabajado|"
                       r"je n'ai pas travaille|sin trabajar|sans travailler|"
                       r"without (?:working|a job|work))\b")
# what a dated period can be instead of work (narrower than _TIME_OFF: "travel agent" works)
_NOT_WORK = re.compile(
    r"\b(parental leave|maternity leave|paternity leave|military service|national service|"
    r"conscription|civil(?:ian)? service year|travell?ing|travel(?!\s*agen)|backpacking|"
    r"(?:looking after|caring(?: for)?|home with) (?:my|our)|no job|job[- ]hunting|sabbatical|"
    r"gap year|(?:a|my|career|short) gap|nothing(?! but| else)|conge parental|"
    r"service militaire|servicio militar|baja (?:maternal|parental)|"
    r"sin trabajo|sin trabajar|sans emploi)\b")
# "2021-2022 unemployed", "2020-21: au chômage": the period itself was idle (but "papers on
# youth unemployment", "programmes for long term unemployed" are work about it)
_IDLE = re.compile(r"\W*(?:i was |was |been |being |then )?(?:unemployed|jobless|au chomage|"
                   r"chomage|desemplead[oa]|en paro|parad[oa]|arbeitslos)\b")
_FIRST = degree_words.names("first", typed=True, short=True)
_STUDY_WORDS = degree_words.names("study")
_ANY_DEGREE = degree_words.names("advanced", "first", "generic", "study", typed=True, short=True)
_DEGREE_TOKEN = re.compile(rf"\b({_ANY_DEGREE})\b")
_FIRST_DEGREE_TOKEN = degree_words.pattern("first", typed=True, short=True)
_WORK_TOKEN = re.compile(
    r"\b(work\w*|job|employ\w*|intern\w*|position|role|contract|consultan\w*|analyst|officer|"
    r"assistant|researcher|coordinator|associate|volunteer\w*|been|travail\w*|emploi|poste|"
    r"bosse\w*|taf|curre\w*|chamba\w*|"
    r"stage|trabaj\w*|empleo|puesto|pasantia|i was|j'ai ete|estuve)\b")
_STUDY = re.compile(r"\b(student|studying|enrolled|pursuing (?:a|my)|etudiant\w*|"
                    r"estudiante|estudiando|cursando)\b")
_GRADUATED = re.compile(r"\b(?:graduated|graduating|graduation|diplome|diplomee|me gradue|"
                        r"egresad[oa]|obtenu|obtuve)\b[^.;]{0,12}?" + _DATE)
_BEFORE_CUE = re.compile(
    r"\b((?:before|during|all through|throughout|while doing) (?:my |the )?(?:"
    + rf"{_FIRST}|{_STUDY_WORDS}|degree|college)|while (?:studying|at uni|at university|"
    r"i was a student|an undergrad\w*)|"
    r"avant (?:la fac|l'universite|mes etudes|ma licence)|pendant (?:mes etudes|ma licence)|"
    r"antes de (?:la universidad|la carrera|mis estudios)|durante (?:la carrera|mis estudios|"
    r"la licenciatura|el grado))\b")
_AFTER_CUE = re.compile(
    r"\b(after (?:graduating|graduation|(?:my |the )?(?:"
    + _ANY_DEGREE
    + rf"))|since (?:graduating|graduation)|right after|once i graduated|between (?:my |the )?"
    rf"(?:{_FIRST}|degrees)|apres (?:mon diplome|ma licence|mes etudes|mon master)|"
    r"depuis (?:mon diplome|l'obtention)|despues de (?:graduarme|mi (?:grado|licenciatura|"
    r"titulo)|la carrera)|desde que me gradue)\b")
_THEN = re.compile(r"\b(then|after that|afterwards|ensuite|puis|luego|despues)\b")
_SENTENCE_END = re.compile(r"[.!?;]+(?:\s+|$)")


@dataclass
class _Span:
    start: int
    end: int
    months: float
    timing: Timing
    first: date | None = None  # first month, when dated
    last: date | None = None
    summary: bool = False
    vague: bool = False  # "since then", "ever since": only when no duration is told with it
    open: bool = False  # "since 2015": up to today


@lru_cache(maxsize=256)
def month_number(word: str) -> int | None:
    """The month a word names in English, French, Spanish or German ('sept' → 9, 'märz' → 3),
    via dateparser."""
    parsed = dateparser.parse(f"1 {word} 2000", languages=_DATE_LANGUAGES,
                              settings={"PREFER_DAY_OF_MONTH": "first",
                                        "REQUIRE_PARTS": ["day", "month", "year"]})
    return parsed.month if parsed is not None and parsed.year == 2000 else None


def warm_up() -> None:
    """Load dateparser's English, French, Spanish and German data now: a word none of them
    knows makes it read all four (~2 s the first time in a process), as a question's stray
    "for." would."""
    month_number("warmup")


def _date(word: str | None, year: str, end: bool) -> tuple[date, bool]:
    """(the date, whether its month was stated): a year alone means its start, or for the end of
    a range its start too ("2019–2021" is two years, as recruiters count it)."""
    month = month_number(word) if word else None
    return date(int(year), month or 1, 1), month is not None


def _months_between(first: date, last: date, inclusive: bool) -> float:
    months = (last.year - first.year) * 12 + (last.month - first.month) + (1 if inclusive else 0)
    return float(max(months, 0))


def _degree_before(sentence: str, at: int) -> bool:
    """Whether the range at `at` dates a degree: a degree word before it in its clause and no
    work word between them."""
    back = sentence[max(0, at - 70):at]
    # a new clause with its own subject ("… (2021) and I worked from …", "et j'ai bossé de …")
    back = re.split(r",\s*(?:then|and then|after that)\b|\bthen\b|\b(?:and|et|y|but|mais|pero)"
                    r"\s+(?:i|j'|je|he|yo)\b", back)[-1]
    deg = list(_DEGREE_TOKEN.finditer(back))
    if not deg:
        return False
    between = back[deg[-1].end():]
    # "licenciatura in sociology 2021, from feb 2023 to now": the degree has its year already
    return not _WORK_TOKEN.search(between) and not re.search(r"\b(?:19|20)\d{2}\b", between)


def _timing(sentence: str, at: int, text: str, before_text: str) -> Timing:
    cues = [(m.start(), "before_first_degree") for m in _BEFORE_CUE.finditer(sentence[:at])]
    cues += [(m.start(), "after_first_degree") for m in _AFTER_CUE.finditer(sentence[:at])]
    if cues:
        return max(cues)[1]  # type: ignore[return-value]
    after = sentence[at + len(text):at + len(text) + 60]
    if re.match(r"\s+(?:of|de)\s+(?:my|the|mon|ma|mes|mi|mis)\s+(?:"
                rf"{_FIRST}|{_STUDY_WORDS}|degree)\b", after):
        return "before_first_degree"  # "during the last six months of my BSc"
    if _BEFORE_CUE.match(after.lstrip()) or re.search(r"^[^,.;]{0,30}" + _BEFORE_CUE.pattern,
                                                      after):
        return "before_first_degree"
    if re.search(r"^[^,.;]{0,30}" + _AFTER_CUE.pattern, after):
        return "after_first_degree"
    # "MSc in economics, then 3 years as an analyst": a degree told first, then the work
    lead = before_text + sentence[:at]
    deg = list(_DEGREE_TOKEN.finditer(lead))
    if deg and _THEN.search(lead[deg[-1].end():]) and not _BEFORE_CUE.search(text):
        return "after_first_degree"
    return "unstated"


@dataclass
class DegreeDates:
    first_degree: date | None = None  # completion of a first-level degree, when dated
    any_degree: date | None = None  # completion of the earliest dated degree of any level


def _degree_dates(sentences: list[str]) -> DegreeDates:
    dates = DegreeDates()

    def note(sentence: str, at: int, when: date) -> None:
        back = sentence[max(0, at - 70):at]
        tokens = list(_DEGREE_TOKEN.finditer(back))
        first_level = bool(tokens) and bool(_FIRST_DEGREE_TOKEN.fullmatch(tokens[-1].group(1)))
        if first_level and (dates.first_degree is None or when < dates.first_degree):
            dates.first_degree = when
        if dates.any_degree is None or when < dates.any_degree:
            dates.any_degree = when

    for sentence in sentences:
        for m in _RANGE.finditer(sentence):
            end = _range_end(m)
            if end and _degree_before(sentence, m.start()):
                note(sentence, m.start(), _date(end[0], end[1], True)[0])
        for m in re.finditer(r"\(\s*(?:graduated\s+|in\s+)?" + _DATE + r"\s*\)|\b(?:in|en)\s+"
                             + _DATE, sentence):
            word, year = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
            if _degree_before(sentence, m.start()):
                note(sentence, m.start(), _date(word, year, True)[0])
        for m in _GRADUATED.finditer(sentence):
            note(sentence, m.start(), _date(m.group(1), m.group(2), True)[0])
    return dates


def _range_end(m: re.Match[str]) -> tuple[str | None, str] | None:
    """(month word, year) ending a range match; None for an open end ("– present").
    '2019–21' ends in 2021."""
    if m.group(4):
        return m.group(3), m.group(4)
    if m.group(5):
        return None, m.group(2)[:2] + m.group(5)
    return None


def _ranges(sentence: str, today: date, last_date: date | None,
            degrees: DegreeDates) -> tuple[list[_Span], date | None]:
    spans: list[_Span] = []
    for m in _RANGE.finditer(sentence):
        end = _range_end(m)
        if _degree_before(sentence, m.start()):
            if end:
                last_date = _date(end[0], end[1], True)[0]
            continue
        first, first_month = _date(m.group(1), m.group(2), False)
        if end:
            last, last_month = _date(end[0], end[1], True)
        else:
            last, last_month = date(today.year, today.month, 1), False
        if last < first:
            continue
        # "from February to November" counts both months; "2019–2021" counts two years
        months = _months_between(first, last, inclusive=first_month and last_month)
        spans.append(_Span(m.start(), m.end(), months, "unstated", first, last))
        last_date = last
    for m in _OPEN.finditer(sentence):
        if any(s.start <= m.start() < s.end for s in spans):
            continue
        first, _ = _date(m.group(1), m.group(2), False)
        last = date(today.year, today.month, 1)
        if first <= last:
            spans.append(_Span(m.start(), m.end(), _months_between(first, last, False),
                               "unstated", first, last, open=True))
    if _ONGOING.search(sentence):
        for m in _FROM_OPEN.finditer(sentence):
            if any(s.start <= m.start() < s.end for s in spans) \
                    or _RANGE.match(sentence, m.start()):
                continue  # the start of a dated range ("from 2019 to 2021")
            first, _ = _date(m.group(1), m.group(2), False)
            last = date(today.year, today.month, 1)
            if first <= last:
                spans.append(_Span(m.start(), m.end(), _months_between(first, last, False),
                                   "unstated", first, last, open=True))
    for m in _STARTED.finditer(sentence):
        if any(s.start <= m.start(1) < s.end or s.start <= m.start(2) < s.end for s in spans) \
                or _ENDED.search(re.split(r"[.;]", sentence[m.end():])[0]) \
                or _degree_before(sentence, m.start()) \
                or _DEGREE_TOKEN.search(m.group(0)) or _STUDY.search(m.group(0)):
            continue  # "i started my master in 2022" dates a degree
        first, _ = _date(m.group(1), m.group(2), False)
        last = date(today.year, today.month, 1)
        if first <= last:
            spans.append(_Span(m.start(), m.end(), _months_between(first, last, False),
                               "unstated", first, last, open=True))
    for m in _SINCE_THEN.finditer(sentence):
        since = last_date or degrees.any_degree
        # "since then I've been caring for my father and haven't worked": no work period
        if _TIME_OFF.search(re.split(r"[.;]", sentence[m.end():])[0]):
            continue
        if since and not any(s.start <= m.start() < s.end for s in spans):
            last = date(today.year, today.month, 1)
            spans.append(_Span(m.start(), m.end(), _months_between(since, last, False),
                               "after_first_degree" if degrees.any_degree and
                               since >= degrees.any_degree else "unstated", since, last,
                               vague=True))
    for m in _SINCE_DEGREE.finditer(sentence):
        when = degrees.first_degree or degrees.any_degree
        if when and not any(s.start <= m.start() < s.end for s in spans):
            last = date(today.year, today.month, 1)
            spans.append(_Span(m.start(), m.end(), _months_between(when, last, False),
                               "after_first_degree", when, last, vague=True))
    return spans, last_date


def _restated(durations: list[_Span], ranges: list[_Span]) -> list[_Span]:
    """Durations that are not the length of a dated range told right beside them: "5 years
    (2017-2022)" and "3 years, from 2019 to 2022" are one period each, the dated one."""
    free = [r for r in ranges if not r.vague]
    kept: list[_Span] = []
    for d in durations:
        # a told length is rounded ("~5 years since then (2021-now)"): within a fifth of it
        twin = next((r for r in free if abs(r.months - d.months) <= max(2.0, d.months / 5)
                     and min(abs(r.start - d.end), abs(d.start - r.end)) <= 80), None)
        if twin is None or d.summary:
            kept.append(d)
        else:
            free.remove(twin)
    return kept


def _durations(sentence: str, taken: list[_Span], age: int | None) -> list[_Span]:
    spans: list[_Span] = []
    for m in _DURATION.finditer(sentence):
        if any(s.start <= m.start() < s.end for s in taken):
            continue
        amount = m.group(2)
        if age is not None and amount == str(age):
            continue
        if _AFTER_DURATION_NOT_WORK.match(sentence[m.end():]):
            continue
        before = sentence[:m.start()]
        if re.search(r"\b(?:not|instead of|rather than|pas|non|no|y no|ni)\s*$", before):
            continue  # "i meant 2 years not 2 months": the length corrected away
        if _PART_OF_TOTAL.search(before[-40:]):
            continue  # "3 years, including 2 in labour law": already counted
        clause = re.split(r"[,;:(]|\bthen\b|\band\b|\bpuis\b|\bluego\b", before)[-1]
        if _TIME_OFF.search(clause) or _LIVED.search(clause):
            continue
        value = 1.0 if amount in {"a", "an", "un", "una", "une"} else number_of(amount)
        value += 0.5 if m.group(3) else 0.0
        months = value if m.group(4).startswith(("month", "mois", "mes")) else value * 12
        spans.append(_Span(m.start(), m.end(), months, "unstated",
                           summary=bool(_SUMMARY.search(before[-30:])
                                        or _TOTAL_AFTER.match(sentence[m.end():]))))
    return spans


def experience_periods(folded: str, today: date, age: int | None = None
                       ) -> list[ExperiencePeriod]:
    """The periods of work a candidate's text tells about, in the order told."""
    sentences = _sentences(folded)
    degrees = _degree_dates(sentences)
    periods: list[ExperiencePeriod] = []
    last_date: date | None = None
    told = ""
    for sentence in sentences:
        ranges, last_date = _ranges(sentence, today, last_date, degrees)
        durations = _restated(_durations(sentence, ranges, age), ranges)
        if durations:
            ranges = [r for r in ranges if not r.vague]
            # "ever since 2015: 7 years at a collecting society and then 2 years at the
            # ministry": the durations tell what the open range holds
            detailed = sum(d.months for d in durations)
            ranges = [r for r in ranges
                      if not (r.open and 0.6 * r.months <= detailed <= r.months + 2)]
        spans = sorted(ranges + durations, key=lambda s: s.start)
        summaries = [s for s in spans if s.summary]
        if summaries and len(spans) > 1:
            # "… worked 20 hours a week …, so that's 3 years": the total, not one more period
            others = [s for s in spans if not s.summary]
            for s in summaries:
                s.timing = next((o.timing for o in others if o.timing != "unstated"), s.timing)
            spans = summaries
        if periods and spans and all(s.summary for s in spans):
            # "… since march 2025 a trainee. i have like 6 yrs experience total": the total
            # of the periods already told, whose dates say what each one counts for
            spans = []
        for s in spans:
            text = sentence[s.start:s.end]
            if s.timing == "unstated":
                s.timing = _dated_timing(s, degrees) or _timing(sentence, s.start, text, told)
            context = _context(sentence, s)
            if _NOT_WORK.search(context) or _IDLE.match(context):
                continue  # "aug 2022–may 2024 parental leave", "2021-22 military service"
            if _STUDY.search(context) and not _WORK_TOKEN.search(context):
                continue  # "since 2024 I'm a full-time master's student": study, not work
            periods.append(ExperiencePeriod(years=round(s.months / 12, 2), timing=s.timing,
                                            text=text, context=context))
        told += sentence + ". "
    return periods


def _context(sentence: str, span: _Span) -> str:
    """The clause a period was told in, without the period's words: what the work was."""
    joint = (r"\bthen\b|\bafter that\b|\bbefore that\b|\bafterwards\b|\bpuis\b|\bluego\b|"
             r"\bbut\b|\bmais\b|\bpero\b")
    before = re.split(joint, sentence[:span.start])[-1]
    after = re.split(joint, sentence[span.end:])[0]
    # "… in a ministry, and speak fluent French": the languages are another fact
    after = re.split(r"\b(?:and\s+)?(?:i\s+)?(?:speak|spoken|fluent|native|bilingual|mother "
                     r"tongue|languages?)\b", after)[0]
    if len(re.findall(r"[a-z]{3,}", after)) >= 3:
        # "msc economics 2022, since sept 2022 i'm a software developer …": the work is
        # told after the dates; the clause before the comma is another fact
        before = re.split(r"[,;]", before)[-1]
    rest = f"{before} {after}"
    rest = re.sub(r"\b(?:then|after that|from|to|since|until|i was|i worked|i have worked|"
                  r"i've worked|i've been|worked|working|jobs?|for)\b|[():,–-]", " ", rest)
    rest = re.sub(r"\s+", " ", rest).strip()
    return re.sub(r"^(?:(?:on|in|at|as|with|i)\s+)+(?:the\s+|a\s+|an\s+)?", "", rest)


def _sentences(folded: str) -> list[str]:
    """Sentences and ';'-clauses, but "Sept. 2022" stays whole."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(folded):
        word = re.search(r"([a-z]+)$", folded[start:m.start()])
        if m.group().startswith(".") and word and len(word.group(1)) <= 4 and month_number(
                word.group(1)) and re.match(r"(?:19|20)\d{2}", folded[m.end():]):
            continue
        out.append(folded[start:m.start()])
        start = m.end()
    out.append(folded[start:])
    return [s for s in out if s.strip()]


def _dated_timing(span: _Span, degrees: DegreeDates) -> Timing | None:
    if span.first is None:
        return None
    if degrees.any_degree and span.first >= degrees.any_degree:
        return "after_first_degree"  # after some degree, so after the first one
    if degrees.first_degree and span.last and span.last <= degrees.first_degree:
        return "before_first_degree"
    return None
