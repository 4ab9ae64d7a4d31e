"""Yes/no questions about a posting's requirements, answered "Yes" or "No" first.

"Does the due diligence job need Spanish?", "is french enough for the creative one?", "is a PhD
required for NORMES?", "can I apply with only a bachelor's?": the answer's first word must be
the verdict, then why, then (below, from the field handler) the requirement quoted and cited.
The verdict comes from the typed requirements (`retrieval.eligibility`), never from wording:

- a question *asks whether something is required* ("need", "must", "required", "a must") or
  *whether something is enough* ("enough", "accept", "only", "can I apply with");
- languages are looked up with `accepts_language` (required / one of several / an asset / not
  asked); degree levels and fields against the minimum education requirement; years against
  the minimum and maximum of the experience requirement.

Nothing is said when the question is not a yes/no question, names no language, degree or
number of years, or asks both readings at once: the field answer alone is then the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from retrieval.answering.common import LANGUAGE_NAMES, frames
from retrieval.answering.questions import YEAR_WORDS, asked_degree_level
from retrieval.eligibility import lexicon_for
from retrieval.eligibility.fields import field_canonicals, field_relation
from retrieval.eligibility.vocabulary import format_number
from retrieval.lexicon import load_yaml
from retrieval.models import Requirement
from retrieval.parsing import number_value
from retrieval.parsing.vocabulary import vocabulary
from retrieval.text import content_tokens, fold, stem
from retrieval.understanding import Query


@dataclass(frozen=True)
class _Markers:
    polar: list[re.Pattern[str]]
    required: re.Pattern[str]
    enough: re.Pattern[str]
    doctorate: re.Pattern[str]
    asset_alternative: re.Pattern[str]
    requirement_kind: frozenset[str]  # stems


@cache
def _markers() -> _Markers:
    lex = load_yaml("intents.yaml")["polar"]
    return _Markers(polar=[re.compile(p) for p in lex["question"]],
                    required=re.compile(lex["required"]), enough=re.compile(lex["enough"]),
                    doctorate=re.compile(lex["doctorate"]),
                    asset_alternative=re.compile(lex["asset_alternative"]),
                    requirement_kind=frozenset(stem(w) for w in lex["requirement_kind"]))


def is_polar(q: Query) -> bool:
    """A yes/no question: a clause opens with an auxiliary ("does…", "est-ce que…", "¿hay…"),
    and it offers no alternatives ("is it in Geneva or Turin?" asks which)."""
    if re.search(r"\b(or|ou|o)\b(?! (a )?related)", q.folded) \
            and not _markers().asset_alternative.search(q.folded):
        return False
    return opens_yes_no(q)


def opens_yes_no(q: Query) -> bool:
    """Whether some clause of the message opens like a yes/no question, alternatives or not
    ("do i need a masters or is a bachelors ok")."""
    text = q.folded.strip()
    # (a bracket closes a clause too: "… ginebra (productos basicos) el frances es …")
    clauses = [c.strip(" ¿¡-") for c in re.split(r"[,;:?!.()]|\b(?:so|and|also|then|or|ou|o)\b",
                                                 text)]
    return any(p.match(c) for c in clauses if c for p in _markers().polar)


@dataclass(frozen=True)
class PolarVerdict:
    answer: str  # "yes", "no" or "partly"
    reason: str  # already worded in the question's language


def polar_lead(verdict: PolarVerdict, language: str) -> str:
    f = frames(language)
    return f"{f['polar_' + verdict.answer]} {verdict.reason}"


def requirement_verdict(q: Query, intent: str,
                        requirements: list[Requirement]) -> PolarVerdict | None:
    """Yes/no for a question about one posting's languages, education or experience."""
    if intent == "languages" and opens_yes_no(q):
        either = _either_language_verdict(q, requirements)
        if either is not None:
            return either
    if not is_polar(q):
        return None
    m = _markers()
    asks_required = bool(m.required.search(q.folded))
    # "… mandatory or just a plus?": the "just" offers the other level, it asks no "enough"
    asks_enough = bool(m.enough.search(q.folded)) and not m.asset_alternative.search(q.folded)
    if asks_required == asks_enough:
        return None  # neither reading, or both ("is a bachelor enough or do I need more?")
    minimum = [r for r in requirements if r.level == "minimum"]
    if intent == "languages":
        return _language_verdict(q, requirements, asks_required)
    if intent in {"education", "requirements"}:
        return _degree_verdict(q, [r for r in minimum if r.kind == "education"], asks_required)
    if intent == "experience" and asks_enough:
        return _years_verdict(q, [r for r in minimum if r.kind == "experience"])
    return None


# ---- languages ---------------------------------------------------------------------------------

def _language_verdict(q: Query, requirements: list[Requirement],
                      asks_required: bool) -> PolarVerdict | None:
    asked = list(dict.fromkeys(iso for word, iso in LANGUAGE_NAMES.items()
                               if re.search(rf"\b{word}\b", q.english)))
    if len(asked) != 1:
        return None
    iso = asked[0]
    f, names = frames(q.language), lexicon_for(q.language)["language_names"]
    lang = names.get(iso, iso)
    langs = [r for r in requirements if r.kind == "language" and iso in r.languages]
    minimum = [r for r in langs if r.level == "minimum"]
    if any(r.mode == "all_of" for r in minimum):
        others = sorted({o for r in requirements if r.kind == "language"
                         and r.level == "minimum" and r.mode == "all_of" for o in r.languages}
                        - {iso})
        if asks_required or not others:
            return PolarVerdict("yes", f["polar_lang_required"].format(lang=lang))
        return PolarVerdict("no", f["polar_lang_with_others"].format(
            lang=lang, others=", ".join(names.get(o, o) for o in others)))
    if minimum:
        listed = ", ".join(names.get(o, o) for o in minimum[0].languages)
        reason = f["polar_lang_one_of"].format(lang=lang, langs=listed)
        return PolarVerdict("partly" if asks_required else "yes", reason)
    if langs:
        return PolarVerdict("no", f["polar_lang_desirable"].format(lang=lang))
    if any(r.kind == "language" and r.level == "minimum" for r in requirements):
        return PolarVerdict("no", f["polar_lang_absent"].format(lang=lang))
    return None  # the posting states no language requirement at all


def _either_language_verdict(q: Query, requirements: list[Requirement]) -> PolarVerdict | None:
    """"Is English a must, or is French OK?": both readings at once, about two languages. When
    one requirement accepts either of them, the first is no must: "No: English or French"."""
    m = _markers()
    if not (m.required.search(q.folded) and m.enough.search(q.folded)):
        return None
    asked = [iso for _at, iso in sorted({(mt.start(), iso) for word, iso in LANGUAGE_NAMES.items()
                                         for mt in re.finditer(rf"\b{word}\b", q.english)})]
    asked = list(dict.fromkeys(asked))
    if len(asked) != 2:
        return None
    f, names = frames(q.language), lexicon_for(q.language)["language_names"]
    binding = next((r for r in requirements if r.kind == "language" and r.level == "minimum"
                    and r.mode == "all_of" and asked[0] in r.languages), None)
    if binding is not None:
        # "One of these languages must be English": the first one asked is a must after all
        return PolarVerdict("yes", f["polar_lang_binding"].format(
            lang=names.get(asked[0], asked[0]), quote=binding.source_text))
    either = next((r for r in requirements if r.kind == "language" and r.level == "minimum"
                   and r.mode == "one_of" and not r.additional
                   and set(asked) <= set(r.languages)), None)
    if either is None:
        return None
    listed = ", ".join(names.get(o, o) for o in either.languages)
    return PolarVerdict("no", f["polar_lang_one_of"].format(lang=names.get(asked[0], asked[0]),
                                                           langs=listed))


# ---- education -----------------------------------------------------------------------------

def _degree_verdict(q: Query, education: list[Requirement],
                    asks_required: bool) -> PolarVerdict | None:
    if not education:
        return None
    req = education[0]
    f, degree = frames(q.language), lexicon_for(q.language)["degree"]
    need = degree[req.degree_level] if req.degree_level else degree["any"]
    doctorate = bool(_markers().doctorate.search(q.folded))
    level = "doctorate" if doctorate else asked_degree_level(q.english)
    if asks_required:
        if doctorate:
            return PolarVerdict("no", f["polar_degree_needs"].format(need=need))
        if level == "advanced":
            answer = "yes" if req.degree_level == "advanced" else "no"
            return PolarVerdict(answer, f["polar_degree_needs"].format(need=need))
        if level == "first" and req.degree_level:
            return PolarVerdict("yes", f["polar_degree_needs"].format(need=need))
        return None
    if level == "first" and req.degree_level == "advanced":
        if req.alt_first_degree_extra_years is not None:
            return PolarVerdict("partly", f["polar_degree_alt"].format(
                need=need, years=format_number(req.alt_first_degree_extra_years)))
        return PolarVerdict("no", f["polar_degree_needs"].format(need=need))
    if not level and not field_canonicals(q.english):
        return None
    fields = field_canonicals(q.english)
    if fields and req.fields:
        relation = field_relation(fields[0], req.fields, req.related_fields_ok)
        listed = ", ".join(req.fields)
        if relation in {"only", "listed"}:
            return PolarVerdict("yes", f["polar_field_listed"].format(field=fields[0]))
        if relation == "related":
            return PolarVerdict("yes", f["polar_field_related"].format(field=fields[0]))
        if relation == "unrelated":
            return PolarVerdict("no", f["polar_field_not"].format(need=listed))
        return None
    if level:
        return PolarVerdict("yes", f["polar_degree_needs"].format(need=need))
    return None


# ---- experience ----------------------------------------------------------------------------

_YEARS_RE = re.compile(r"\b" + YEAR_WORDS + r"\s*(?:years?|yrs?)\b")


def _years_verdict(q: Query, experience: list[Requirement]) -> PolarVerdict | None:
    found = _YEARS_RE.search(q.english)
    reqs = [r for r in experience if r.min_years is not None]
    if not found or not reqs:
        return None
    have = float(number_value(found.group(1)) or 0)
    req = reqs[0]
    f = frames(q.language)
    low, high = req.min_years or 0, req.max_years
    if high is not None:
        reason = f["polar_years_range"].format(low=format_number(low), high=format_number(high))
        return PolarVerdict("yes" if low <= have <= high else "no", reason)
    reason = f["polar_years_min"].format(low=format_number(low))
    return PolarVerdict("yes" if have >= low else "no", reason)


def requirement_words(q: Query) -> set[str]:
    """The words with which a yes/no question asks whether something is required ("is python
    actually required or just nice to have?": required, just, nice, have): they say nothing
    about what the sentence asked for is about."""
    m = _markers()
    if not opens_yes_no(q) or not m.required.search(q.folded):
        return set()
    said = [x.group(0) for x in m.required.finditer(q.folded)]
    said += [x.group(0) for x in m.enough.finditer(q.folded)]
    said += [x.group(0) for x in _asset_words().finditer(q.folded)]
    # and the words that say what kind of requirement: "is knowing MARPOL a must?"
    return set(content_tokens(" ".join(said))) | m.requirement_kind


@cache
def _asset_words() -> re.Pattern[str]:
    """What a question calls "only desirable": the postings' own asset phrases and cues."""
    vocab = vocabulary()
    phrases = {fold(p) for p in [*vocab.asset_phrases, *vocab.sublabel_cues["desirable"]]}
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, phrases), key=len, reverse=True))
                      + r")\b")


def section_verdict(q: Query, section: str) -> PolarVerdict | None:
    """Yes/no for "does the UNAIDS JPO need R or Stata?" from where its best sentence stands:
    among the minimum requirements (yes) or the desirable ones (not required). None when the
    question does not ask whether something is required, or the sentence is no requirement."""
    level = section.partition(".")[2]
    # "is a bachelor's enough?" asks something else; "required or just nice to have?" not
    enough = _markers().enough.search(q.folded) and not _asset_words().search(q.folded)
    if level not in {"minimum", "desirable"} or not opens_yes_no(q) \
            or not _markers().required.search(q.folded) or enough:
        return None
    f = frames(q.language)
    if level == "minimum":
        return PolarVerdict("yes", f["polar_section_minimum"])
    return PolarVerdict("no", f["polar_section_desirable"])

