"""Date ranges as CVs write them, read into months.

"2019–2022", "2019 - 21", "Jan 2020 – present", "03/2018 - 06/2019", "since March 2021",
"depuis mars 2021", "de septembre 2017 à juin 2019", "desde marzo de 2021", "2020 – aujourd'hui".
Month words are recognised by `dateparser` in English, French and Spanish (the eligibility
parser's own reader, `periods.month_number`); numeric months are read as written.

A range is a half-open interval of month indices (year * 12 + month - 1): the end month is
included when the CV names it ("03/2018 - 06/2019" is 16 months), and a year alone stands for
January of it, as recruiters count "2019–2022" (three years) and as the eligibility parser does
for free text. An open end ("present", "since …") runs up to the current month, excluded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from retrieval.eligibility.periods import month_number
from retrieval.lexicon import load_yaml


@dataclass(frozen=True)
class MonthRange:
    start: int  # first month index
    end: int  # month index after the last one
    open_ended: bool = False  # "– present", "since …"
    text_start: int = 0  # where in the line it was found
    text_end: int = 0

    @property
    def months(self) -> int:
        return max(self.end - self.start, 0)


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_label(index: int) -> str:
    """'2019-03': a month index written without any of the CV's words."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def index_date(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    lex = load_yaml("cv.yaml")
    present = "|".join(sorted((re.escape(w) for w in lex["present"]), key=len, reverse=True))
    joints = "|".join(sorted((re.escape(w) for w in lex["range_joints"] if w != "-"),
                             key=len, reverse=True))
    since = "|".join(re.escape(w) for w in lex["since"])
    # one end: "03/2018", "03.2018", "2018-03", "March 2021", "mars 2021", "marzo de 2021", "2019"
    point = (r"(?:(?P<{p}mm>0?[1-9]|1[0-2])\s*[/.]\s*(?P<{p}my>(?:19|20)\d{{2}})"
             r"|(?P<{p}iy>(?:19|20)\d{{2}})-(?P<{p}im>0[1-9]|1[0-2])(?!\d)"
             r"|(?:(?P<{p}word>[a-z]{{3,10}})\.?\s+(?:de\s+|of\s+)?)?(?P<{p}y>(?:19|20)\d{{2}}))")
    first, last = point.format(p="a"), point.format(p="b")
    short = r"(?P<short>\d{2})(?![\d/.])"  # "2019-21"
    joint = rf"\s*(?:[-–—]+|\b(?:{joints})\b)\s*"
    lead = r"(?:\b(?:from|between|de|du|desde|entre)\s+)?"
    end = rf"(?:(?:the\s+|l'|la\s+)?(?P<present>{present})\b|{last}|{short})"
    ranged = re.compile(rf"{lead}{first}{joint}{end}")
    opened = re.compile(rf"\b(?:{since})\s+(?:(?:the\s+)?(?:start|beginning|end)\s+of\s+)?{first}")
    return ranged, opened


def _point(m: re.Match[str], p: str, *, end: bool) -> int:
    """The month index of one end of a range."""
    if m.group(f"{p}mm"):
        return month_index(int(m.group(f"{p}my")), int(m.group(f"{p}mm"))) + (1 if end else 0)
    if m.group(f"{p}iy"):
        return month_index(int(m.group(f"{p}iy")), int(m.group(f"{p}im"))) + (1 if end else 0)
    year = int(m.group(f"{p}y"))
    word = m.group(f"{p}word")
    if word:
        month = month_number(word)
        if month is not None:
            return month_index(year, month) + (1 if end else 0)
    return month_index(year, 1)  # a year alone, or after a word that is no month ("Ltd 2019")


def find_ranges(line: str, today: date) -> list[MonthRange]:
    """The date ranges of one folded line, in the order written."""
    ranged, opened = _patterns()
    now = month_index(today.year, today.month)
    found: list[MonthRange] = []
    for m in ranged.finditer(line):
        start = _point(m, "a", end=False)
        if m.group("present"):
            end, open_ended = now, True
        elif m.group("short"):
            century = (m.group("ay") or m.group("my") or m.group("iy") or "20")[:2]
            end, open_ended = month_index(int(century + m.group("short")), 1), False
        else:
            end, open_ended = _point(m, "b", end=True), False
        if end < start:
            continue
        found.append(MonthRange(start, min(end, now), open_ended, m.start(), m.end()))
    for m in opened.finditer(line):
        if any(r.text_start <= m.start() < r.text_end for r in found):
            continue
        start = _point(m, "a", end=False)
        if start <= now:
            found.append(MonthRange(start, now, True, m.start(), m.end()))
    return sorted(found, key=lambda r: r.text_start)


def find_years(line: str) -> list[int]:
    """Four-digit years a line names (a degree "2016", "(2014)")."""
    return [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", line)]


def merged_months(ranges: list[MonthRange]) -> list[tuple[int, int]]:
    """The union of ranges as disjoint (start, end) intervals: overlaps are counted once."""
    out: list[tuple[int, int]] = []
    for r in sorted(ranges, key=lambda r: r.start):
        if r.months <= 0:
            continue
        if out and r.start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], r.end))
        else:
            out.append((r.start, r.end))
    return out
