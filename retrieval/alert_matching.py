"""Which new postings an alert subscriber hears about: their filters, then their profile.

A subscriber's filters narrow the postings (duty station, organisation, field, language);
the eligibility checker then judges the stored profile against each one. "Fits" is the
checker's "eligible". "Almost fits" — offered only when the subscriber asked for it — is "not
eligible" because of exactly one minimum requirement, named in the alert; a "cannot tell"
verdict is neither (the profile lacks a fact, which the alert could not name as a shortfall).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from retrieval.eligibility import EligibilityChecker, accepts_language, field_canonicals
from retrieval.eligibility.vocabulary import LANGUAGE_WORD
from retrieval.models import Posting, Profile, RequirementCheck, Verdict
from retrieval.text import fold

FilterName = Literal["duty_station", "organisation", "field", "language"]
# What a subscriber may type before a filter's value, in English, French and Spanish.
FILTER_KEYS: dict[str, FilterName] = {
    "station": "duty_station", "duty station": "duty_station", "place": "duty_station",
    "city": "duty_station", "country": "duty_station", "lieu": "duty_station",
    "ville": "duty_station", "pays": "duty_station", "lugar": "duty_station",
    "ciudad": "duty_station", "pais": "duty_station",
    "organisation": "organisation", "organization": "organisation", "org": "organisation",
    "agency": "organisation", "agence": "organisation", "organismo": "organisation",
    "organizacion": "organisation",
    "field": "field", "area": "field", "domain": "field", "domaine": "field",
    "campo": "field", "ambito": "field",
    "language": "language", "langue": "language", "idioma": "language", "lengua": "language",
}
_KEY_RE = re.compile(
    r"(?:^|[;,\n]|\s)(" + "|".join(sorted(map(re.escape, FILTER_KEYS), key=len, reverse=True))
    + r")\s*[:=]", re.I)


class FilterError(ValueError):
    """A filter text that cannot be read; the message names what was wrong."""


class AlertFilters(BaseModel):
    """Optional narrowing of a subscription; an empty filter lets every posting through."""

    # Each may list alternatives: "Lima / Nairobi", "ILO or UNEP", "law or economics".
    duty_station: str = ""  # a city, a country or "City, Country", matched as words
    organisation: str = ""  # ILO, UNEP, UNHCR… (the postings' short names)
    field: str = ""  # an area of work, e.g. "economics": in the posting's fields or titles
    language: str = ""  # ISO 639-1: the posting accepts it for its minimum requirement

    def is_empty(self) -> bool:
        return not (self.duty_station or self.organisation or self.field or self.language)

    @classmethod
    def parse(cls, text: str) -> AlertFilters:
        """`station: Geneva; language: French` (keys and language names in English, French
        or Spanish, separated by `;`, `,` or new lines). FilterError when nothing is
        recognised or a language is unknown."""
        folded = fold(text.replace("’", "'"))
        marks = list(_KEY_RE.finditer(folded))
        if not marks:
            raise FilterError(text.strip())
        values: dict[str, str] = {}
        for mark, following in zip(marks, [*marks[1:], None], strict=True):
            end = following.start(1) if following is not None else len(text)
            value = text[mark.end():end].strip(" ;,\n\t")
            values[FILTER_KEYS[mark.group(1).lower()]] = value
        if values.get("language"):
            iso = LANGUAGE_WORD.get(fold(values["language"]).strip())
            if iso is None:
                raise FilterError(values["language"])
            values["language"] = iso
        return cls(**values)

    def admits(self, posting: Posting, checker: EligibilityChecker) -> bool:
        """Every filter set must pass; a filter of alternatives ("Lima / Nairobi", "law or
        economics") passes when one of them does."""
        if self.duty_station and not any(_words_in(place, posting.duty_station)
                                         for place in _alternatives(self.duty_station)):
            return False
        if self.organisation and fold(posting.organisation) not in {
                fold(org) for org in _alternatives(self.organisation)}:
            return False
        if self.field and not any(_field_fits(field, posting)
                                  for field in _alternatives(self.field)):
            return False
        return not (self.language and accepts_language(
            posting, self.language, checker.requirements(posting)) not in ("required",
                                                                            "accepted"))


_ALTERNATIVES_RE = re.compile(r"\s*(?:/|\bor\b|\bou\b|\bo\b)\s*", re.I)


def _alternatives(value: str) -> list[str]:
    return [part.strip() for part in _ALTERNATIVES_RE.split(value) if part.strip()]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _words_in(needle: str, haystack: str) -> bool:
    wanted, have = _words(needle), set(_words(haystack))
    return bool(wanted) and all(w in have for w in wanted)


def _field_fits(field: str, posting: Posting) -> bool:
    """The field is one the posting's education accepts, or its title or unit names it."""
    canonicals = set(field_canonicals(field))
    if canonicals and canonicals & set(field_canonicals(
            f"{posting.education.minimum} {posting.education.desirable}")):
        return True
    names = " ".join((posting.title, posting.department, posting.unit))
    return _words_in(field, names)


class AlertMatch(BaseModel):
    """Why a posting is alerted to a subscriber."""

    kind: Literal["fits", "almost"]
    verdict: Verdict
    short_of: RequirementCheck | None = None  # the one minimum requirement not met ("almost")


class AlertMatcher:
    """Filters, then the eligibility checker's verdict; the one place deciding an alert."""

    def __init__(self, checker: EligibilityChecker) -> None:
        self.checker = checker

    def match(self, profile: Profile, posting: Posting, filters: AlertFilters, *,
              almost_fits: bool = False, language: str = "en") -> AlertMatch | None:
        if not filters.admits(posting, self.checker):
            return None
        verdict = self.checker.check(profile, posting, language)
        if verdict.status == "eligible":
            return AlertMatch(kind="fits", verdict=verdict)
        if almost_fits and verdict.status == "not_eligible" and len(verdict.failed) == 1 \
                and not any(c.met is None for c in verdict.minimum_checks
                            if c.requirement.kind != "skill"):
            return AlertMatch(kind="almost", verdict=verdict, short_of=verdict.failed[0])
        return None
