"""A CV read into a candidate `Profile`, section by section.

- **Education**: each line naming a degree is read by the eligibility parser
  (`parse_profile`: degree words and abbreviations in English, French and Spanish, the field,
  a degree in progress); its completion is the end of its date range or the last year named on
  it or on the date line beside it. The highest degree obtained gives the level and field (the
  most recent one when there are several of that level); the others are `other_degree_fields`.
  The **first university degree** is the earliest completed first-level degree (or, with none,
  the earliest degree): postings that count experience only after it need its date.
- **Experience**: every dated entry (a line with a date range, with its title line when the
  dates stand alone on the next line) is work, an internship (the internships section, or an
  internship word in its title) or study (a study word in its title). Work periods are merged
  so that overlapping jobs count once, then split at the first degree's date into experience
  before and after it. Internships are counted apart and not added to the years of work.
- **Languages**: each line is read by the eligibility parser's language reader (C2, native,
  fluent, courant, bilingüe, basic…), under its heading ("Mother tongue(s)" → native).

Nothing of the CV's text is kept: the profile holds the degree fields and languages the CV
names, and periods written as months ("2019-01/2022-01"), never the CV's own lines.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from retrieval.cv.dates import (
    MonthRange,
    find_ranges,
    find_years,
    index_date,
    merged_months,
    month_index,
    month_label,
)
from retrieval.cv.sections import Section, section_kinds, split_sections
from retrieval.eligibility.profile import LEVEL_RANK, parse_profile
from retrieval.eligibility.vocabulary import LANGUAGE_RE
from retrieval.lexicon import load_yaml
from retrieval.models import ExperiencePeriod, Profile
from retrieval.text import fold


class CvReading(BaseModel):
    """What a CV says, as the bot shows it for confirmation. Only `profile` is ever stored."""

    profile: Profile
    first_degree: date | None = None  # completion of the first university degree
    work_months: int = 0  # distinct months of work (overlaps counted once)
    internship_months: int = 0  # distinct months of internships, not in work_months
    dated_entries: int = 0  # dated entries in the experience and internship sections
    degrees: int = 0  # education lines naming a degree
    sections: list[str] = Field(default_factory=list)  # CV sections found, in order

    @property
    def internship_years(self) -> float:
        return round(self.internship_months / 12, 2)


def _words(key: str) -> re.Pattern[str]:
    words = load_yaml("cv.yaml")[key]
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")


def _only_dates(line: str, ranges: list[MonthRange]) -> bool:
    """Whether a line holds little besides its date range ("March 2021 – present")."""
    rest = line
    for r in reversed(ranges):
        rest = rest[:r.text_start] + rest[r.text_end:]
    return len(re.findall(r"[a-z]{3,}", rest)) <= 1


def _entries(lines: list[str], today: date) -> list[tuple[str, list[MonthRange]]]:
    """(folded title text, ranges) of each dated entry: the line with the dates, plus, when
    the dates stand alone on their line, the title beside them: below the dates when the
    section starts with a date line (Europass), else above them."""
    lines = [fold(line) for line in lines]
    dated = [find_ranges(line, today) for line in lines]
    alone = [bool(r) and _only_dates(line, r) for line, r in zip(lines, dated, strict=True)]
    first = next((i for i, r in enumerate(dated) if r), None)
    dates_first = first is not None and alone[first] and first == 0
    entries: list[tuple[str, list[MonthRange]]] = []
    for i, ranges in enumerate(dated):
        if not ranges:
            continue
        title = lines[i]
        beside = i + 1 if dates_first else i - 1
        if alone[i] and 0 <= beside < len(lines) and not dated[beside]:
            title = f"{lines[i]} {lines[beside]}"
        entries.append((title, ranges))
    return entries


class _Degree(BaseModel):
    level: Literal["first", "advanced"]
    field: str
    focus: str
    completed: int | None  # month index of completion
    in_progress: bool


# "LLM in Law — University of Essex": a dash between words ends the field like a comma
_WORD_DASH = re.compile(r"(?<=[^\W\d_])\s+[-–—]+\s+(?=[^\W\d_])")


def _degrees(lines: list[str], today: date) -> list[_Degree]:
    now = month_index(today.year, today.month)
    found: list[_Degree] = []
    lines = [_WORD_DASH.sub(", ", line) for line in lines]
    for i, line in enumerate(lines):
        profile = parse_profile(line, today)
        level = profile.degree_level or profile.degree_in_progress
        if level is None:
            continue
        # the dates of a degree: on its line, else on a date line just before or after it
        near = [line] + [lines[j] for j in (i + 1, i - 1) if 0 <= j < len(lines)
                         and parse_profile(lines[j], today).degree_level is None]
        completed: int | None = None
        in_progress = profile.degree_level is None
        for text in map(fold, near):
            ranges = find_ranges(text, today)
            years = find_years(text)
            if ranges:
                completed = ranges[-1].end
                in_progress = in_progress or ranges[-1].open_ended
            elif years:
                completed = month_index(max(years), 1)
            if years and max(years) > today.year:
                in_progress = True
            if completed is not None:
                break
        if completed is not None and completed > now:
            in_progress = True
        found.append(_Degree(level=level, field=profile.degree_field,
                             focus=profile.degree_focus, completed=completed,
                             in_progress=in_progress))
    return found


def _languages(section: Section) -> dict[str, str]:
    languages: dict[str, str] = {}
    for line in section.lines:
        # a table row "English, Fluent" / "Anglais: Courant": the level belongs to the name
        line = re.sub(r"^(\w+)\s*[,:;|–—-]\s*(?=\w)", r"\1 ", line)
        read = parse_profile(line).languages
        if not read and LANGUAGE_RE.search(line):
            # "Spanish" under "Mother tongue(s)", "English – C1" under "Languages"
            read = parse_profile(f"{section.heading or 'languages'}: {line}").languages
        for iso, level in read.items():
            if LEVEL_RANK.get(level, 1.5) >= LEVEL_RANK.get(languages.get(iso, ""), 0) \
                    or languages.get(iso) in (None, "spoken"):
                languages[iso] = level
    return languages


def read_cv(text: str, today: date | None = None) -> CvReading:
    """The profile a CV shows. `today` closes open ranges ("– present"); the real date by
    default."""
    today = today or date.today()
    sections = split_sections(text)
    internship_word, study_word = _words("internship"), _words("study")
    work: list[MonthRange] = []
    internships: list[MonthRange] = []
    dated_entries = 0
    experience = [s for s in sections if s.kind in ("experience", "internships")]
    if not experience:  # a CV without headings: dated lines outside education and languages
        experience = [s for s in sections if s.kind in ("header", "other")]
    for section in experience:
        for title, ranges in _entries(section.lines, today):
            dated_entries += 1
            if section.kind == "internships" or internship_word.search(title):
                internships += ranges
            elif not study_word.search(title):
                work += ranges
    degrees = [d for s in sections if s.kind == "education" for d in _degrees(s.lines, today)]
    languages: dict[str, str] = {}
    for section in sections:
        if section.kind == "languages":
            languages.update(_languages(section))

    profile = Profile(languages=languages)
    obtained = [d for d in degrees if not d.in_progress]
    first_degree: int | None = None
    if obtained:
        top: Literal["first", "advanced"] = (
            "advanced" if any(d.level == "advanced" for d in obtained) else "first")
        # the most recent degree of the highest level (undated ones count as oldest)
        best = max((d for d in obtained if d.level == top),
                   key=lambda d: d.completed if d.completed is not None else -1)
        profile.degree_level = top
        profile.has_degree = True
        profile.degree_field = best.field
        profile.degree_focus = best.focus
        profile.other_degree_fields = list(dict.fromkeys(
            d.field for d in obtained if d is not best and d.field and d.field != best.field))
        firsts = [d.completed for d in obtained if d.level == "first" and d.completed]
        dated = firsts or [d.completed for d in obtained if d.completed]
        first_degree = min(dated) if dated else None
    studying = [d for d in degrees if d.in_progress]
    if studying and (profile.degree_level is None or (
            profile.degree_level == "first" and any(d.level == "advanced" for d in studying))):
        # a degree under way that is higher than what is held ("Maestría (en curso)")
        ahead = next((d for d in studying if d.level == "advanced"), studying[0])
        profile.degree_in_progress = ahead.level
        if not obtained:
            profile.degree_field = ahead.field

    merged = merged_months(work)
    work_months = sum(end - start for start, end in merged)
    intern_months = sum(end - start for start, end in merged_months(internships))
    intern_months = max(intern_months - _overlap(merged_months(internships), merged), 0)
    if dated_entries:
        periods: list[ExperiencePeriod] = []
        for start, end in merged:
            for a, b, timing in _split(start, end, first_degree):
                periods.append(ExperiencePeriod(years=round((b - a) / 12, 2), timing=timing,
                                                text=f"{month_label(a)}/{month_label(b)}"))
        profile.experience_periods = periods
        profile.years_experience = round(work_months / 12, 2)
        profile.years_before_first_degree = round(
            sum(p.years for p in periods if p.timing == "before_first_degree"), 2)
    return CvReading(
        profile=profile,
        first_degree=index_date(first_degree) if first_degree is not None else None,
        work_months=work_months, internship_months=intern_months,
        dated_entries=dated_entries, degrees=len(degrees), sections=section_kinds(sections))


def _split(start: int, end: int, first_degree: int | None) -> list[tuple[int, int, str]]:
    if first_degree is None:
        return [(start, end, "unstated")]
    parts = []
    if start < first_degree:
        parts.append((start, min(end, first_degree), "before_first_degree"))
    if end > first_degree:
        parts.append((max(start, first_degree), end, "after_first_degree"))
    return parts


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)
