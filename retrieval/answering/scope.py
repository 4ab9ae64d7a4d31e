"""Which postings a corpus-wide question is about, before it is answered.

"Which UNICEF postings require Portuguese?", "Among the UNEP and UNHCR postings, which…",
"postings in Africa", "all postings outside Geneva": the question restricts the postings it
asks about by **organisation** (the posting's `organisation`, named by its short name or any
name in `lexicon/organisations.yaml`) and by **place** (a city, country or region from
`lexicon/places.yaml`, plus the postings' own duty stations). "outside / except / not in X"
excludes X. The answer is then computed over the postings in scope only, and the words that
named the scope are taken out of the question so that "UNICEF" does not become the term of a
"which postings mention …?" answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from retrieval.lexicon import load_yaml
from retrieval.models import Posting
from retrieval.places import english_place_names
from retrieval.text import fold
from retrieval.understanding import Query

# Words before a place that turn it into an exclusion ("outside Geneva", "not in Africa").
_EXCLUDING_RE = re.compile(
    r"\b(outside( of)?|not (based |located )?in|except( for)?|excluding|other than|apart from|"
    r"besides|beyond|hors( de)?|sauf|en dehors de|fuera de|excepto|salvo)\s+(the\s+)?$")
# Words before a place that make it where postings are ("in Africa", "based in Rome").
_LOCATIVE_RE = re.compile(
    r"\b(in|at|outside( of)?|based in|located in|except( for)?|excluding|other than|besides|"
    r"apart from|en|a|au|aux|dans|hors( de)?|en dehors de|fuera de|excepto|salvo|sauf)"
    r"\s+(the\s+|la\s+|le\s+|l'|el\s+)?$")
# …or after it: "the Geneva postings", "Africa-based jobs".
_PLACE_OF_POSTINGS_RE = re.compile(
    r"[\s-]*(based\b|posts?\b|postings?\b|jobs?\b|positions?\b|ones\b|vacanc)")
# Between names listed together: "UNEP, UNDP, UNHCR and UNICEF", "WFP or FAO", "UNEP/UNDP".
_LIST_GLUE_RE = re.compile(r"(?i)\s*(,|/|&|\band\b|\bor\b|\bet\b|\bou\b|\by\b|\bo\b|\s)+\s*")
# After an organisation's name: the postings it qualifies ("UNICEF postings", "UNEP's JPO
# posts", "UNHCR ones").
_QUALIFIES_RE = re.compile(
    r"(?i)(['’]s)?\s+((jpos?|junior professional officers?|associate)\s+)?"
    r"(postings?|posts?|positions?|jobs?|vacanc\w*|ones|offers?|announcements?|roles?|jpos?\b|"
    r"postes?|offres?|annonces?|puestos?|vacantes?|anuncios?)\b")
# Before it: "postings of / at / from UNHCR", "among the …", "les postes de l'…".
_OF_POSTINGS_RE = re.compile(
    r"(?i)(\b(postings?|posts?|positions?|jobs?|vacancies|ones|jpos)\s+(of|at|from|by|with|in|for)|"
    r"\bamong|\bpostes?\s+(de|du|des)|\bpuestos?\s+(de|del)|\bparmi|\bentre)"
    r"\s+(the\s+|l['’]|la\s+|le\s+|les\s+|los\s+|el\s+)?$")
# A question about several postings ("postings", "which of", "among"): a scope then makes it
# a corpus-wide question even when it names each posting by its organisation.
_SEVERAL_RE = re.compile(
    r"\b(postings|posts|positions|jobs|vacancies|ones|which of|among|any of|all of|each of|"
    r"postes|offres|puestos|vacantes)\b")


@dataclass(frozen=True)
class PostingPlace:
    """Where a posting is, as a question may name it: city, country and region (folded)."""

    city: str
    country: str
    region: str

    def terms(self) -> set[str]:
        return {t for t in (self.city, self.country, self.region) if t}


@dataclass(frozen=True)
class Scope:
    """Organisations and places a question restricts itself to; empty when it names none."""

    organisations: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    excluded_places: frozenset[str] = frozenset()
    # The question's words that named the scope (taken out before it is answered).
    spans: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.organisations or self.places or self.excluded_places)

    def describe(self) -> str:
        """The scope in words, for the answer's head ("UNICEF, Africa, outside Geneva")."""
        parts = sorted(self.organisations) + sorted(p.title() for p in self.places)
        parts += [f"outside {p.title()}" for p in sorted(self.excluded_places)]
        return ", ".join(parts)


@cache
def _places() -> tuple[dict[str, tuple[str, str]], dict[str, str], dict[str, str]]:
    """city → (country, region), country → region and region alias → region, all folded."""
    lex = load_yaml("places.yaml")
    cities = {fold(k): (fold(v[0]), fold(v[1])) for k, v in lex["cities"].items()}
    countries = {country: region for country, region in cities.values()}
    for country, region in (lex.get("countries") or {}).items():
        countries.setdefault(fold(country), fold(region))
    regions = {fold(alias): fold(name) for name, aliases in lex["regions"].items()
               for alias in [name, *aliases]}
    return cities, countries, regions


def names_a_place(folded: str) -> bool:
    """Whether a folded question names a city, country or region the lexicon knows."""
    cities, countries, regions = _places()
    said = english_place_names(folded)
    return any(re.search(rf"\b{re.escape(name)}\b", said)
               for name in (*cities, *countries, *regions) if name in said)


@cache
def _organisation_names() -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in load_yaml("organisations.yaml").items()}


def posting_place(p: Posting) -> PostingPlace:
    """The city, country and region of a posting's duty station ("Riohacha, Colombia")."""
    cities, countries, _regions = _places()
    parts = [english_place_names(fold(x).strip()) for x in p.duty_station.split(",")
             if x.strip()]
    city = parts[0] if parts else ""
    country = parts[-1] if len(parts) > 1 else ""
    known = cities.get(city)
    if known and not country:
        country = known[0]
    region = known[1] if known else countries.get(country, "")
    return PostingPlace(city, country, region)


class ScopeReader:
    """Reads a question's scope against one set of postings (built once per snapshot)."""

    def __init__(self, postings: list[Posting]) -> None:
        self.postings = postings
        self._where = {p.id: posting_place(p) for p in postings}
        names = dict(_organisation_names())
        for p in postings:
            if p.organisation:
                names.setdefault(p.organisation, ())
        # name as written → short name, for every organisation known (one named that has no
        # posting here scopes to none: "which UNDP postings…" over no UNDP posting); acronyms
        # are matched case-sensitively ("WHO" is not "who"), longer names folded.
        self._org_names: dict[str, str] = {}
        for short, aliases in names.items():
            for name in {short, *aliases}:
                self._org_names[name] = short
        cities, countries, regions = _places()
        place_terms = set(cities) | set(countries) | set(regions)
        for where in self._where.values():
            place_terms |= where.terms()
        self._regions = regions
        self._place_re = re.compile(
            r"\b(" + "|".join(sorted(map(re.escape, place_terms), key=len, reverse=True))
            + r")\b") if place_terms else None

    def read(self, q: Query) -> Scope:
        if len(self.postings) < 2:
            return Scope()
        orgs, spans = self._organisations(q)
        # A scope is a restriction: naming every organisation there is restricts nothing.
        if orgs >= {p.organisation for p in self.postings}:
            orgs = set()
        places: set[str] = set()
        excluded: set[str] = set()
        if self._place_re is not None:
            for m in self._place_re.finditer(q.folded):
                before = q.folded[: m.start()][-40:]
                after = q.folded[m.end():]
                if not (_LOCATIVE_RE.search(before) or _PLACE_OF_POSTINGS_RE.match(after)):
                    continue  # "which postings mention the Pacific?" names a topic, not a place
                term = self._regions.get(m.group(1), m.group(1))
                (excluded if _EXCLUDING_RE.search(before) else places).add(term)
                spans.append(m.group(1))
        scope = Scope(frozenset(orgs), frozenset(places), frozenset(excluded), tuple(spans))
        if scope and len(self.apply(scope)) == len(self.postings):
            # Everything is in scope ("postings in Geneva" over five Geneva postings): the
            # question asks about all of them, as it would without the place.
            return Scope()
        return scope

    def _organisations(self, q: Query) -> tuple[set[str], list[str]]:
        """Organisations the question restricts itself to, and the words that named them.
        A name counts as a scope only where it qualifies postings — "which UNICEF postings",
        "the UNEP, UNDP and UNHCR JPO posts", "postings of UNHCR", "among the UNEP ones" —
        not where it is a topic ("which posting mentions collaboration with UNESCO?")."""
        hits: list[tuple[int, int, str]] = []
        for name, short in self._org_names.items():
            if _is_acronym(name):
                found = re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", q.clean)
            else:
                found = re.finditer(rf"(?i)(?<![\w-]){re.escape(name)}(?![\w-])", q.clean)
            hits += [(m.start(), m.end(), short) for m in found]
        hits.sort()
        # Names listed together ("UNEP, UNDP, UNHCR and UNICEF") qualify the same noun.
        groups: list[list[tuple[int, int, str]]] = []
        for hit in hits:
            if groups and (hit[0] < groups[-1][-1][1]
                           or _LIST_GLUE_RE.fullmatch(q.clean[groups[-1][-1][1]:hit[0]])):
                if hit[0] >= groups[-1][-1][1]:
                    groups[-1].append(hit)
                continue
            groups.append([hit])
        orgs: set[str] = set()
        spans: list[str] = []
        for group in groups:
            before, after = q.clean[: group[0][0]], q.clean[group[-1][1]:]
            if _QUALIFIES_RE.match(after) or _OF_POSTINGS_RE.search(before):
                orgs |= {short for _s, _e, short in group}
                spans += [q.clean[s:e] for s, e, _short in group]
        return orgs, spans

    def apply(self, scope: Scope, postings: list[Posting] | None = None) -> list[Posting]:
        """The postings in `scope`: of a named organisation (when any is named), in a named
        place (when any), and in no excluded place."""
        out = []
        for p in self.postings if postings is None else postings:
            terms = self._where[p.id].terms() if p.id in self._where else posting_place(p).terms()
            if scope.organisations and p.organisation not in scope.organisations:
                continue
            if scope.places and not (scope.places & terms):
                continue
            if scope.excluded_places & terms:
                continue
            out.append(p)
        return out

    @staticmethod
    def asks_several(q: Query) -> bool:
        """The question is about several postings ("which UNICEF postings…", "among…")."""
        return bool(_SEVERAL_RE.search(f"{q.folded} {q.english}"))


def without_scope(q: Query, scope: Scope) -> Query:
    """The question with the words that named its scope taken out (and "outside", "in"
    before a place), so the rest is read for what it asks."""
    if not scope.spans:
        return q
    pattern = re.compile(
        r"(?i)(\b(outside( of)?|except( for)?|excluding|other than|not in|in|at|from|of|"
        r"based in|located in)\s+(the\s+)?)?(?<![\w-])("
        + "|".join(sorted(map(re.escape, scope.spans), key=len, reverse=True)) + r")(?![\w-])")

    def strip(text: str) -> str:
        return re.sub(r"\s+", " ", pattern.sub(" ", text)).strip()

    return replace(q, clean=strip(q.clean), folded=strip(q.folded), english=strip(q.english))


def _is_acronym(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][A-Z&-]+", name))


def label_differences(postings: list[Posting]) -> tuple[bool, bool]:
    """Whether the postings differ by organisation, and by city: what `posting_label` adds
    to a title. Computed once per list (it reads every posting), not once per label."""
    return (len({x.organisation for x in postings}) > 1,
            len({x.duty_station.split(",")[0].strip() for x in postings}) > 1)


def posting_label(p: Posting, postings: list[Posting], short: bool = False,
                  differences: tuple[bool, bool] | None = None) -> str:
    """How an answer over several postings names one: "Title (ORG, City)" when the postings
    differ by organisation or city, the bare title when they do not (five ILO postings in
    Geneva need no suffix). `differences` is `label_differences(postings)`, when known."""
    by_organisation, by_city = differences or label_differences(postings)
    parts = []
    if by_organisation and p.organisation:
        parts.append(p.organisation)
    city = p.duty_station.split(",")[0].strip()
    if by_city and city:
        parts.append(city)
    title = p.short_title if short else p.title
    return f"{title} ({', '.join(parts)})" if parts else title
