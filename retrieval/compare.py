"""`PostingComparer`: two or three postings side by side, requirement by requirement.

A `Comparison` holds, per row (duty station, organisation, grade, duration, education,
years of experience, languages, supervisor), one value per posting quoted from its record and,
when a profile is given, the eligibility checker's verdict on that row (met / not met /
cannot tell). The bot renders it for a phone (bot/formatting.py); `plain_text` renders it for
answers (the terminal, the LLM-less path), with the frames of `lexicon/answers.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum

from pydantic import BaseModel

from retrieval.eligibility import EligibilityChecker
from retrieval.eligibility.profile import english_reading
from retrieval.lexicon import load_yaml
from retrieval.models import Answer, Citation, Posting, Profile, RequirementCheck, Verdict
from retrieval.resolver import PostingResolver
from retrieval.understanding import Query, analyse

MAX_COMPARED = 3
MAX_VALUE_CHARS = 140
# Where a comparison question names its postings: "the AI and the due diligence posts",
# "NORMES vs SECTOR", "le poste X et celui sur Y", "el de X y el de Y", "die KI-Stelle und NORMES".
_SEPARATORS = re.compile(
    r"\s*(?:,|;|\band\b|\bet\b|\by\b|\be\b|\bwith\b|\bavec\b|\bcon\b|\bvs\.?|\bversus\b|\bto\b|"
    r"\bfrom\b|\bor\b|\bou\b|\bo\b|\bund\b|\bmit\b|\boder\b|/(?= ))\s*")


class Row(StrEnum):
    DUTY_STATION = "duty_station"
    ORGANISATION = "organisation"
    GRADE = "grade"
    DURATION = "duration"
    EDUCATION_MINIMUM = "education_minimum"
    EDUCATION_DESIRABLE = "education_desirable"
    YEARS = "years"
    LANGUAGES = "languages"
    SUPERVISOR = "supervisor"


class Cell(BaseModel):
    """One posting's value in a row. `text` is quoted from the posting (empty: not stated);
    the years row also has the numbers. `met` is the checker's verdict for the row, None when
    not assessed (no profile, not a requirement) or undecided."""

    text: str = ""
    min_years: float | None = None
    max_years: float | None = None
    met: bool | None = None
    assessed: bool = False

    @property
    def stated(self) -> bool:
        return bool(self.text or self.min_years is not None or self.max_years is not None)


class ComparisonRow(BaseModel):
    row: Row
    cells: list[Cell]

    @property
    def same_everywhere(self) -> bool:
        """All postings say the same and nothing was assessed: shown once."""
        first = self.cells[0]
        return not any(c.assessed for c in self.cells) and all(
            (c.text, c.min_years, c.max_years) == (first.text, first.min_years, first.max_years)
            for c in self.cells)


class Comparison(BaseModel):
    postings: list[Posting]
    rows: list[ComparisonRow]
    verdicts: list[Verdict] | None = None  # one per posting, when a profile was given

    @property
    def posting_ids(self) -> list[str]:
        return [p.id for p in self.postings]


# Which requirement checks decide each assessable row.
_CHECKED_ROWS: dict[Row, tuple[str, str]] = {
    Row.EDUCATION_MINIMUM: ("education", "minimum"),
    Row.EDUCATION_DESIRABLE: ("education", "desirable"),
    Row.YEARS: ("experience", "minimum"),
    Row.LANGUAGES: ("language", "minimum"),
}


def _short(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _row_verdict(checks: list[RequirementCheck]) -> bool | None:
    if not checks:
        return None
    if any(c.met is False for c in checks):
        return False
    return True if all(c.met for c in checks) else None


class PostingComparer:
    """Builds comparisons; the eligibility checker supplies the requirements and verdicts."""

    def __init__(self, eligibility: EligibilityChecker) -> None:
        self.eligibility = eligibility

    def compare(self, postings: Sequence[Posting], profile: Profile | None = None,
                language: str = "en") -> Comparison:
        postings = list(postings)[:MAX_COMPARED]
        verdicts = ([self.eligibility.check(profile, p, language) for p in postings]
                    if profile is not None and profile.has_facts() else None)
        rows = [ComparisonRow(row=row, cells=[self._cell(row, p, verdicts[i] if verdicts else None)
                                              for i, p in enumerate(postings)])
                for row in Row]
        return Comparison(postings=postings, rows=rows, verdicts=verdicts)

    def _cell(self, row: Row, posting: Posting, verdict: Verdict | None) -> Cell:
        cell = self._value(row, posting)
        if verdict is not None and row in _CHECKED_ROWS:
            kind, level = _CHECKED_ROWS[row]
            checks = [c for c in verdict.checks
                      if c.requirement.kind == kind and c.requirement.level == level]
            if checks:
                cell.assessed = True
                cell.met = _row_verdict(checks)
        return cell

    def _value(self, row: Row, p: Posting) -> Cell:
        if row is Row.DUTY_STATION:
            return Cell(text=p.duty_station.strip())
        if row is Row.ORGANISATION:
            return Cell(text=p.organisation.strip())
        if row is Row.GRADE:
            return Cell(text=p.grade.strip())
        if row is Row.DURATION:
            return Cell(text=_short(p.duration))
        if row is Row.EDUCATION_MINIMUM:
            return Cell(text=_short(p.education.minimum))
        if row is Row.EDUCATION_DESIRABLE:
            return Cell(text=_short(p.education.desirable))
        if row is Row.YEARS:
            experience = [r for r in self.eligibility.requirements(p)
                          if r.kind == "experience" and r.level == "minimum"]
            lows = [r.min_years for r in experience if r.min_years is not None]
            highs = [r.max_years for r in experience if r.max_years is not None]
            return Cell(min_years=max(lows) if lows else None,
                        max_years=min(highs) if highs else None)
        if row is Row.LANGUAGES:
            return Cell(text=_short(p.languages.minimum))
        sup = p.supervisor
        return Cell(text=", ".join(x for x in (sup.name, sup.role) if x) or sup.raw.strip())

    @staticmethod
    def asks_comparison(question: str) -> bool:
        return "compare" in analyse(question).intents

    def question_profile(self, question: str) -> Profile | None:
        """The candidate a comparison question describes ("I have a law master's… compare
        NORMES and SECTOR"), or None when it describes none."""
        reading = english_reading(question)  # a German self-description, in English
        profile = self.eligibility.parse_profile(reading)
        return profile if self.eligibility.profile_in(reading, profile) else None

    # ---- questions ------------------------------------------------------------------------

    def named_in(self, q: Query, resolver: PostingResolver,
                 context_postings: Sequence[str] = ()) -> list[str]:
        """The postings a comparison question names, in the order named: each part between
        "and", ",", "vs", "et", "y"… is resolved on its own, since the whole question names
        several postings at once (which one resolver pass rarely settles). A follow-up naming
        one ("compare it with SECTOR") adds the posting of the previous turn."""
        named: list[str] = []
        for part in _SEPARATORS.split(q.clean):
            if not part.strip():
                continue
            part_q = analyse(part)
            found = resolver.resolve(part_q.clean, part_q.english)
            if len(found) == 1 and found[0] not in named:
                named.append(found[0])
        if len(named) < 2:
            for posting_id in resolver.resolve(q.clean, q.english):
                if posting_id not in named:
                    named.append(posting_id)
        previous = [i for i in context_postings if i not in named][:1]
        if len(named) == 1 and previous:
            named = [*previous, *named]
        return named[:MAX_COMPARED]

    def answer(self, q: Query, question: str, resolver: PostingResolver,
               by_id: Mapping[str, Posting], context_postings: Sequence[str] = ()) -> Answer:
        """The answer to a comparison question (a profile in it adds the verdicts)."""
        f = frames(q.language)
        ids = [i for i in self.named_in(q, resolver, context_postings) if i in by_id]
        if len(ids) < 2:
            return Answer(text=f["compare_which"], found=False, intent="compare",
                          posting_ids=ids)
        comparison = self.compare([by_id[i] for i in ids], self.question_profile(question),
                                  q.language)
        citations = [Citation(posting_id=p.id, title=p.title, section=f["compare_section"])
                     for p in comparison.postings]
        return Answer(text=plain_text(comparison, q.language), found=True, intent="compare",
                      posting_ids=comparison.posting_ids, citations=citations)


def frames(language: str) -> dict[str, str]:
    table = load_yaml("answers.yaml")
    return {**table["en"], **table.get(language, {})}


def plain_text(comparison: Comparison, language: str = "en") -> str:
    """The comparison as plain text in `language` (answer frames), one block per row."""
    f = frames(language)
    marks = [f"({i + 1})" for i in range(len(comparison.postings))]
    lines = [f["compare_header"]]
    lines += [f"{m} {p.short_title or p.title or p.id}"
              for m, p in zip(marks, comparison.postings, strict=True)]
    for row in comparison.rows:
        lines += ["", f[f"compare_{row.row.value}"] + ":"]
        cells = row.cells[:1] if row.same_everywhere else row.cells
        for mark, cell in zip(marks if len(cells) > 1 else [f["compare_all"]], cells,
                              strict=False):
            tick = "" if not cell.assessed else {True: "✅ ", False: "❌ ", None: "❔ "}[cell.met]
            lines.append(f"{mark} {tick}{_cell_text(cell, f)}")
    if comparison.verdicts:
        lines += ["", f["compare_verdicts"] + ":"]
        lines += [f"{m} {f['compare_status_' + v.status]}"
                  for m, v in zip(marks, comparison.verdicts, strict=True)]
    return "\n".join(lines)


def _cell_text(cell: Cell, f: dict[str, str]) -> str:
    low, high = cell.min_years, cell.max_years
    if low is not None and high is not None:
        return f["compare_years_range"].format(min=_n(low), max=_n(high))
    if low is not None:
        return f["compare_years_min"].format(min=_n(low))
    if high is not None:
        return f["compare_years_max"].format(max=_n(high))
    return cell.text or f["compare_not_stated"]


def _n(value: float) -> str:
    return f"{value:g}"


