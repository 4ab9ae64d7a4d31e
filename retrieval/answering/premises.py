"""What a question takes for granted, checked against the record before it is answered.

"the ai job in new york — who would i report to?", "the vulnerable work one is a P3 right, for
2 years", "lisa tortell supervises the creative economy post right?": each carries a claim
about one field of the posting (where, grade, how long, who supervises, which department).
A claim is read by its *type* — a place from `lexicon/places.yaml` or a duty station, a grade,
an amount of time, a person or unit acronym that some posting names — and compared with the
posting's own value for that field, so the answer can start with the true value instead of
answering around a wrong premise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from retrieval.answering.questions import TIME_AMOUNT
from retrieval.lexicon import load_yaml
from retrieval.models import Posting
from retrieval.parsing import duration_in_months
from retrieval.places import english_place_names
from retrieval.text import GENERIC, fold
from retrieval.understanding import Query

_GRADE_RE = re.compile(r"\b([pgd])\s?-?\s?([1-7])\b")
_DURATION_RE = re.compile(rf"\b{TIME_AMOUNT}\b")
# An amount of time in a clause about the candidate ("3 years of experience") is a profile,
# not a claim about the post.
_PROFILE_CLAUSE_RE = re.compile(
    r"\b(experience|worked|studied|study|i have|i've|ive|i am|i'm|my|age|old)\b")
_ACRONYM_RE = re.compile(r"\b[A-Z][A-Z&-]{2,}\b")


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    region: str


@dataclass
class Contradiction:
    """The question says `claimed` about `intent`; the posting says otherwise. `owners` are
    other postings the claimed person or unit belongs to."""

    intent: str
    claimed: str
    owners: list[str] = field(default_factory=list)


@cache
def _places_lexicon() -> tuple[dict[str, Place], dict[str, tuple[str, ...]]]:
    lex = load_yaml("places.yaml")
    cities = {fold(k): Place(k.title(), v[0], v[1]) for k, v in lex["cities"].items()}
    regions = {k: tuple(fold(w) for w in v) for k, v in lex["regions"].items()}
    return cities, regions


def _station_city(station: str) -> str:
    return fold(station.split(",")[0]).strip()


# a trip, not a duty station, before a place: "go to", "travel to", "missions to", "a visit to"
_TRAVEL_TO = re.compile(r"\b(go|goes|going|get to go|travel\w*|trips?|missions?|fly|flights?|"
                        r"visits?|visiting|sent|voyage\w*|viaj\w+|ir)\s+(to|a|en|au|aux)\s+"
                        r"(the\s+)?$")


class Premises:
    """Claims a question makes and whether a posting contradicts them."""

    def __init__(self, postings: list[Posting]) -> None:
        cities, self.regions = _places_lexicon()
        self.places = dict(cities)
        for p in postings:
            city = english_place_names(_station_city(p.duty_station))
            if city and city not in self.places:
                country = p.duty_station.split(",")[-1].strip() if "," in p.duty_station else ""
                self.places[city] = Place(p.duty_station.split(",")[0].strip(), country, "")
        # "the Rome-based agencies", "a Geneva-based team": the place describes something else
        self._place_re = re.compile(
            r"\b(" + "|".join(sorted(map(re.escape, self.places), key=len, reverse=True))
            + r")\b(?!-based)") if self.places else None
        self.people: dict[str, list[str]] = {}
        self.surnames: dict[str, str] = {}
        self.units: dict[str, list[str]] = {}
        for p in postings:
            name = p.supervisor.name.strip()
            if name:
                surname = fold(name.split()[-1])
                if len(surname) >= 3:
                    self.people.setdefault(surname, []).append(p.id)
                    self.surnames[surname] = name
            for acronym in p.acronyms:
                if len(acronym) >= 3 and acronym.isupper() and fold(acronym) not in GENERIC:
                    self.units.setdefault(acronym, []).append(p.id)
        # Departments and units by their names ("in the Sectoral Policies Department"), for
        # claims that do not use an acronym
        self.unit_names: dict[str, list[str]] = {}
        for p in postings:
            for value in (p.department, p.unit):
                name = fold(re.sub(r"\s*\([^)]*\)", "", value)).strip()
                if len(name.split()) >= 2 and p.id not in self.unit_names.get(name, []):
                    self.unit_names.setdefault(name, []).append(p.id)

    # ---- what the question says ---------------------------------------------------------------

    def places_in(self, q: Query) -> list[Place]:
        """Places the question says the post is in: not those it would travel to ("would I
        get to go to Vienna?", "any missions to Nairobi?")."""
        if self._place_re is None:
            return []
        folded = english_place_names(q.folded)  # "¿la plaza en Ginebra?" claims Geneva
        return [self.places[m.group(1)] for m in self._place_re.finditer(folded)
                if not _TRAVEL_TO.search(folded[:m.start()])]

    def people_in(self, q: Query) -> list[str]:
        """Surnames of the postings' supervisors that the question names."""
        found = set(re.findall(r"[a-z]+", q.folded))
        return [s for s in self.people if s in found]

    def units_in(self, q: Query) -> list[str]:
        return [a for a in dict.fromkeys(_ACRONYM_RE.findall(q.clean)) if a in self.units]

    def unit_names_in(self, q: Query) -> list[str]:
        # a substring test first: a large corpus has many names, a question few of them
        return [n for n in self.unit_names
                if n in q.folded and re.search(rf"\b{re.escape(n)}\b", q.folded)]

    def claimed_values(self, q: Query) -> list[str]:
        """The words of the question that carry a claim (to read the posting meant without
        them: "lisa tortell supervises the creative economy post" is about the creative one)."""
        values = [self.surnames[s].split()[-1] for s in self.people_in(q)]
        values += [fold(self.surnames[s].split()[0]) for s in self.people_in(q)]
        return values + self.units_in(q)

    # ---- against one posting ------------------------------------------------------------------

    def confirmations(self, q: Query, p: Posting) -> set[str]:
        """The fields whose value the question states rightly ("is the AI job in Geneva?",
        "it's a P2, right?", "is it 12 months?")."""
        out: set[str] = set()
        station = english_place_names(fold(p.duty_station))
        if station and any(fold(place.name) in station for place in self.places_in(q)):
            out.add("duty_station")
        claimed = _claimed_grade(q)
        if claimed and claimed == _grade_key(p.grade):
            out.add("grade")
        m = _DURATION_RE.search(q.folded)
        if m and p.duration_months and not _PROFILE_CLAUSE_RE.search(q.folded) \
                and duration_in_months(f"{m.group(1)} {m.group(2)}") == p.duration_months:
            out.add("duration")
        return out

    def contradictions(self, q: Query, p: Posting) -> list[Contradiction]:
        out: list[Contradiction] = []
        station = english_place_names(fold(p.duty_station))
        if station:
            for place in self.places_in(q):
                if fold(place.name) not in station and fold(place.country or "-") not in station:
                    out.append(Contradiction("duty_station", place.name))
                    break
        claimed = _claimed_grade(q)
        # a posting stating no grade says so; "not P2" would mislead
        if claimed and p.grade and claimed != _grade_key(p.grade):
            out.append(Contradiction("grade", claimed))
        months = p.duration_months
        if months:
            for clause in re.split(r"[,;.?!]| but | and ", q.folded):
                m = _DURATION_RE.search(clause)
                if m and not _PROFILE_CLAUSE_RE.search(clause):
                    claimed_months = duration_in_months(f"{m.group(1)} {m.group(2)}")
                    if claimed_months and claimed_months != months:
                        out.append(Contradiction("duration", m.group(0)))
                    break
        text = fold(p.text)
        for surname in self.people_in(q):
            if surname not in text:
                out.append(Contradiction("supervisor", self.surnames[surname],
                                         [i for i in self.people[surname] if i != p.id]))
        own = {fold(x) for x in (p.department, p.unit)}
        for unit in self.units_in(q):
            if unit not in p.acronyms and not any(fold(unit) in x for x in own):
                out.append(Contradiction("department_unit", unit,
                                         [i for i in self.units[unit] if i != p.id]))
        if not any(c.intent == "department_unit" for c in out):
            for name in self.unit_names_in(q):
                if p.id not in self.unit_names[name] and not any(name in x for x in own):
                    out.append(Contradiction("department_unit", name.title(),
                                             [i for i in self.unit_names[name] if i != p.id]))
                    break
        return out


def _claimed_grade(q: Query) -> str:
    """The grade a question states ("a p 2", "P-2" → "P2"), or ''."""
    m = _GRADE_RE.search(q.folded)
    return f"{m.group(1)}{m.group(2)}".upper() if m else ""


def _grade_key(grade: str) -> str:
    return re.sub(r"[\s-]", "", grade).upper()
