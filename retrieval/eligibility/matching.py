"""The matcher: one check per requirement, and the verdict for one profile and one posting.

(A little over 400 lines: the checks of each requirement kind share the profile, the posting's
requirements and the questions a check leaves open, all held by the one `_Matcher`.)"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from retrieval.eligibility.fields import (
    field_canonicals,
    field_groups,
    field_relation,
    matched_field,
    not_a_field,
)
from retrieval.eligibility.profile import LEVEL_RANK
from retrieval.eligibility.relevance import ExperienceRelevance
from retrieval.eligibility.render import join_items
from retrieval.eligibility.requirements import derive_requirements
from retrieval.eligibility.vocabulary import (
    format_number,
    format_span,
    lexicon_for,
    nationality_in,
    stem_words,
)
from retrieval.models import Posting, Profile, Requirement, RequirementCheck, Verdict
from retrieval.text import fold

# ---- matching -------------------------------------------------------------------------------

_GENERIC_DOMAIN = not_a_field()["generic"] | frozenset(stem_words(
    "one of the a an or and in including at on with for of to my our their as from by his her "
    "its"))
_WEAK = not_a_field()["weak"]
_WORKPLACE = not_a_field()["workplaces"]


@lru_cache(maxsize=65536)  # one profile meets the same areas across thousands of postings
def _domain_relation(have: str, need: str) -> Literal["ok", "assumed", "unclear"]:
    if not need or not re.search(r"[a-z]", fold(need)):
        return "assumed"
    have_stems = set(stem_words(have)) - _GENERIC_DOMAIN
    if not have_stems:
        return "assumed"
    need_stems = set(stem_words(re.sub(r"/", " ", need))) - _GENERIC_DOMAIN
    if (have_stems & need_stems) - _WEAK:
        return "ok"
    if field_groups(have) & field_groups(need) - {"social_science"}:
        return "ok"
    if have_stems & _WORKPLACE and len(have_stems - _WORKPLACE) <= 1:
        # "at a ministry", "at the World Bank" name a place, not a subject; "at the labour
        # ministry designing policy for platform workers" names a subject
        return "assumed"
    return "unclear"


_ALSO_NAMED = re.compile(r"\b(?:preferably|ideally|especially|particularly|in particular|"
                         r"including|such as)\b(.+)|\(([^)]+)\)", re.I)

# A requirement's id → its check, and the facts and questions that check found missing.
CheckMemo = dict[int, tuple[RequirementCheck, list[str], list[str]]]

_RELATION_RANK = {"only": 4, "listed": 3, "related": 2, "unclear": 1, "unrelated": 0}


class _Matcher:
    def __init__(self, profile: Profile, posting: Posting, reqs: list[Requirement],
                 language: str, relevance: ExperienceRelevance | None = None) -> None:
        self.p = profile
        self.relevance = relevance
        # whether a check read the posting itself (its title and duties), not only the
        # requirement: such a check is not shared with other postings
        self.read_posting = False
        self.posting = posting
        self.reqs = reqs
        self.lex = lexicon_for(language)
        self.r = self.lex["reason"]
        self.missing: list[str] = []
        # for each unknown a deciding check leaves, the question that would settle it
        self.questions: list[str] = []

    def _ask(self, req: Requirement, key: str, **values: str) -> None:
        if req.level == "minimum" and req.kind != "skill":
            text = self.lex["question"][key].format(**values)
            if text not in self.questions:
                self.questions.append(text)

    def _miss(self, key: str) -> None:
        text = self.lex["missing_fact"][key]
        if text not in self.missing:
            self.missing.append(text)

    def _names(self, isos: Iterable[str], conj: str = "and") -> str:
        names = self.lex["language_names"]
        return join_items([names.get(i, i) for i in isos], self.lex, conj)

    def run(self, memo: CheckMemo | None = None) -> list[RequirementCheck]:
        """One check per requirement. With `memo` (one profile and language), a requirement
        object checked before — postings share interned requirements — is not checked again:
        its check, and the facts and questions it found missing, are taken from there."""
        out: list[RequirementCheck] = []
        for req in self.reqs:
            done = memo.get(id(req)) if memo is not None else None
            if done is None:
                saved = self.missing, self.questions, self.read_posting
                self.missing, self.questions, self.read_posting = [], [], False
                try:
                    done = (self._check(req), self.missing, self.questions)
                    own = self.read_posting
                finally:
                    self.missing, self.questions = saved[0], saved[1]
                    self.read_posting = saved[2] or self.read_posting
                if memo is not None and not own:
                    memo[id(req)] = done
            check, missing, questions = done
            out.append(check)
            self.missing += [m for m in missing if m not in self.missing]
            self.questions += [q for q in questions if q not in self.questions]
        return out

    def _check(self, req: Requirement) -> RequirementCheck:
        if req.kind == "education":
            return self.education(req)
        if req.kind == "experience":
            return self.experience(req)
        if req.kind == "language":
            return self.language(req)
        if req.kind in {"nationality", "age"}:
            return self.who_may_apply(req)
        return self.skill(req)

    def who_may_apply(self, req: Requirement) -> RequirementCheck:
        """A nationality or age rule. Not stated by the candidate, it is assumed met and said
        so (as a relevant experience is): the rest of the verdict still informs."""
        r = self.r
        parts: list[tuple[bool | None, str, int]]
        if req.kind == "nationality":
            need = join_items(req.nationalities, self.lex, "or")
            have = nationality_in(self.p.nationality) or self.p.nationality
            if not have:
                parts = [(True, r["nationality_assumed"].format(need=need), 1)]
            elif have in req.nationalities:
                parts = [(True, r["nationality_ok"].format(have=have), 2)]
            else:
                parts = [(False, r["nationality_fail"].format(need=need, have=have), 0)]
        else:
            limit = str(req.max_age)
            if self.p.age is None:
                parts = [(True, r["age_assumed"].format(need=limit), 1)]
            elif req.max_age is not None and self.p.age <= req.max_age:
                parts = [(True, r["age_ok"].format(have=self.p.age, need=limit), 2)]
            else:
                parts = [(False, r["age_fail"].format(have=self.p.age, need=limit), 0)]
        return self._combine(req, parts)

    # Each part yields (met, reason, strength); a requirement is met only if every part is.
    def _combine(self, req: Requirement, parts: list[tuple[bool | None, str, int]]
                 ) -> RequirementCheck:
        mets = [m for m, _, _ in parts]
        met = False if False in mets else (None if None in mets else True)
        # lead with what decides the verdict: failures, then unknowns, then matches
        order = {False: 0, None: 1, True: 2}
        ranked = sorted(parts, key=lambda part: order[part[0]])
        sep = self.lex["sep"]
        reason = sep.join(r for _, r, _ in ranked if r)
        decisive = sep.join(r for m, r, _ in ranked if r and m is met)
        return RequirementCheck(requirement=req, met=met, reason=reason, decisive=decisive,
                                strength=sum(s for _, _, s in parts))

    def education(self, req: Requirement) -> RequirementCheck:
        p, r, deg = self.p, self.r, self.lex["degree"]
        parts: list[tuple[bool | None, str, int]] = []
        have_level = deg[p.degree_level] if p.degree_level else deg["any"]
        need_level = deg[req.degree_level] if req.degree_level else deg["any"]
        if p.no_degree:
            parts.append((False, r["edu_none"].format(need=need_level), 0))
        elif not p.has_degree and p.degree_in_progress:
            parts.append((False, r["edu_in_progress"].format(
                need=need_level, have=deg[p.degree_in_progress]), 0))
        elif not p.has_degree:
            parts.append((None, r["edu_missing"], 0))
            self._miss("degree")
            self._ask(req, "degree")
        elif req.degree_level == "advanced" and p.degree_level != "advanced" \
                and p.degree_in_progress == "advanced":
            parts.append((False, r["edu_in_progress"].format(
                need=need_level, have=deg["advanced"]), 0))
        elif req.degree_level == "advanced" and p.degree_level != "advanced":
            alt_years = self._alt_years(req)
            if p.degree_level == "first" and alt_years is not None and (
                    p.years_experience or 0) >= alt_years:
                parts.append((True, r["edu_level_alt"].format(
                    have=have_level, need=need_level, years=format_number(alt_years)), 1))
            elif p.degree_level == "first":
                parts.append((False, r["edu_level_fail"].format(need=need_level, have=have_level),
                              0))
            else:
                parts.append((None, r["edu_level_unknown"].format(need=need_level), 0))
                self._miss("degree_level")
                self._ask(req, "degree_level")
        elif req.degree_level:
            parts.append((True, r["edu_level_ok"].format(have=have_level), 2))
        if req.fields:
            need = join_items(req.fields, self.lex, "or")
            have = p.degree_field
            if not have:
                parts.append((None, r["field_missing"], 0))
                if p.has_degree:
                    self._miss("degree_field")
                    self._ask(req, "degree_field")
            else:
                relation = field_relation(have, req.fields, req.related_fields_ok)
                if req.degree_level != "advanced":
                    # any degree the candidate holds can be the first degree asked for
                    for other in p.other_degree_fields:
                        rel = field_relation(other, req.fields, req.related_fields_ok)
                        if _RELATION_RANK[rel] > _RELATION_RANK[relation]:
                            relation, have = rel, other
                if relation == "only":
                    parts.append((True, r["field_only"].format(have=have, need=need), 2))
                elif relation == "listed":
                    within = matched_field(have, req.fields)
                    if within and not set(stem_words(within)) <= set(stem_words(have)) and not set(
                            field_canonicals(within)) <= set(field_canonicals(have)):
                        # "sociology" is accepted because it is a social science
                        text = r["field_within"].format(have=have, field=within)
                    else:
                        text = r["field_listed"].format(have=have, need=need)
                    parts.append((True, text, 2))
                elif relation == "related":
                    parts.append((True, r["field_related"].format(have=have), 1))
                elif relation == "unclear":
                    parts.append((None, r["field_unclear"].format(have=have, need=need), 0))
                    self._ask(req, "field_unclear", have=have, need=need)
                else:
                    parts.append((False, r["field_fail"].format(have=have, need=need), 0))
        if req.preferred_focus and p.degree_field:
            mine = " ".join([p.degree_focus, p.degree_field])
            hits = [f for f in req.preferred_focus if set(stem_words(f)) <= set(stem_words(mine))]
            if hits:
                parts.append((True, r["focus"].format(have=join_items(hits, self.lex)), 1))
        if not parts:
            parts.append((True, r["edu_level_ok"].format(have=have_level), 1))
        return self._combine(req, parts)

    def _alt_years(self, req: Requirement) -> float | None:
        if req.alt_first_degree_extra_years is None:
            return None
        base = max((q.min_years or 0 for q in self.reqs
                    if q.kind == "experience" and q.level == "minimum"), default=0)
        return base + req.alt_first_degree_extra_years

    def _counted_years(self, req: Requirement) -> tuple[float | None, str]:
        """The candidate's years as this posting counts them, and the rule said in words."""
        p, r = self.p, self.r
        have = p.years_experience
        if have is None:
            return None, ""
        if req.counted_from == "first_degree":
            excluded = min(p.years_before_first_degree, have)
            rule = r["rule_after_degree"]
            if excluded:
                rule += r["rule_excluded"].format(years=format_span(excluded, self.lex))
            return round(have - excluded, 2), rule
        if p.years_before_first_degree:
            return have, r["rule_all"]
        return have, ""

    def experience(self, req: Requirement) -> RequirementCheck:
        p, r = self.p, self.r
        parts: list[tuple[bool | None, str, int]] = []
        if req.min_years is not None or req.max_years is not None:
            have, rule = self._counted_years(req)
            rule = f" ({rule})" if rule else ""
            if have is None:
                parts.append((None, r["years_missing"], 0))
                self._miss("years")
                self._ask(req, "years" if req.domain else "years_any", domain=req.domain)
            elif req.min_years is not None and have < req.min_years:
                parts.append((False, r["years_below"].format(
                    need=format_number(req.min_years), have=format_span(have, self.lex))
                    + rule, 0))
            elif req.max_years is not None and have > req.max_years:
                parts.append((False, r["years_above"].format(
                    need=format_number(req.max_years), have=format_span(have, self.lex))
                    + rule, 0))
            elif req.min_years is not None and req.max_years is not None:
                parts.append((True, r["years_range"].format(
                    have=format_span(have, self.lex), min=format_number(req.min_years),
                    max=format_number(req.max_years)) + rule, 2))
            elif req.min_years is not None:
                parts.append((True, r["years_min"].format(have=format_span(have, self.lex),
                                                          need=format_number(req.min_years))
                              + rule, 2))
            else:
                parts.append((True, r["years_ok"].format(have=format_span(have, self.lex))
                              + rule, 2))
        need_domain = req.domain or ""
        relation = _domain_relation(p.experience_domain, need_domain)
        named_too = _ALSO_NAMED.search(req.source_text)
        if relation == "unclear" and named_too and _domain_relation(
                p.experience_domain, named_too.group(1) or named_too.group(2)) == "ok":
            # "Experience in project management, preferably in labour migration": the area
            # the posting itself names as the preferred one is relevant experience
            relation = "ok"
        denied = next((d for d in p.no_experience_in
                       if _domain_relation(d, need_domain) == "ok"), "") if need_domain else ""
        short = self._years_in_domain(req, need_domain)
        if denied:
            parts.append((False, r["domain_denied"].format(have=denied, need=need_domain), 0))
        elif short is None and relation != "ok" and req.level == "minimum" \
                and self._unrelated(req, need_domain):
            parts.append((False, r["domain_unrelated"].format(need=need_domain)
                          if need_domain else r["domain_unrelated_post"], 0))
        elif short is not None:
            parts.append((False, r["years_in_domain_short"].format(
                have=format_span(short, self.lex), need=format_number(req.min_years),
                domain=need_domain), 0))
        elif relation == "ok":
            parts.append((True, r["domain_ok"].format(have=p.experience_domain), 2))
        elif relation == "unclear" and self._secondary(req):
            # "Experience in data analysis and reporting is required" beside the years asked
            # elsewhere: one area among several, assumed as the other unnamed areas are
            parts.append((True, r["domain_assumed"].format(need=need_domain), 1))
        elif relation == "unclear":
            parts.append((None, r["domain_unclear"].format(have=p.experience_domain,
                                                           need=need_domain), 0))
            self._ask(req, "years", domain=need_domain)
        elif req.level == "minimum":
            label = need_domain or ("relevant" if p.experience_relevant else "")
            if need_domain or not p.experience_relevant:
                parts.append((True, r["domain_assumed"].format(need=label or "-"), 1)
                             if label else (True, "", 1))
            else:
                parts.append((True, "", 2))
        else:
            # a desirable experience is not granted on assumption
            parts.append((None, r["desirable_unknown"], 0))
        return self._combine(req, parts)

    def _secondary(self, req: Requirement) -> bool:
        """An experience requirement that states no years while another minimum one does."""
        return req.min_years is None and req.max_years is None and any(
            q is not req and q.kind == "experience" and q.level == "minimum"
            and q.min_years is not None for q in self.reqs)

    def _unrelated(self, req: Requirement, need_domain: str) -> bool:
        """Whether all the experience told is in another field than the one asked for (see
        `relevance.py`): far in meaning from the area the requirement names, and sharing no
        subject word with the posting's title and duties."""
        if self.relevance is None or not self.relevance.active or not need_domain:
            # "relevant work experience of 2 to 4 years" names no area to be far from
            return False
        haves = [h for h in (self.p.experience_domain,
                             *(x.context for x in self.p.experience_periods)) if h]
        if not haves or any(_domain_relation(h, need_domain) == "ok" for h in haves):
            return False
        if not self.relevance.far_from(haves, need_domain):
            return False
        self.read_posting = True
        topic = " ".join([self.posting.title, *self.posting.duties])
        return not self.relevance.shares_subject(haves, topic)

    def _years_in_domain(self, req: Requirement, need_domain: str) -> float | None:
        """The years spent in the posting's area when the candidate told several jobs apart
        and those in the area fall short of the minimum ("paralegal in tax law" then "due
        diligence officer" for 19 months, against two years in due diligence); else None."""
        periods = [x for x in self.p.experience_periods
                   if not (req.counted_from == "first_degree"
                           and x.timing == "before_first_degree")]
        if not need_domain or req.min_years is None or len(periods) < 2 \
                or not all(x.context for x in periods):
            return None
        related = [_domain_relation(x.context, need_domain) for x in periods]
        in_area = sum(x.years for x, rel in zip(periods, related, strict=True) if rel == "ok")
        if 0 < in_area < req.min_years and "unclear" in related:
            return round(in_area, 2)
        return None

    def language(self, req: Requirement) -> RequirementCheck:
        p, r, lex = self.p, self.r, self.lex
        if not req.languages:
            return RequirementCheck(requirement=req, met=None, reason=r["lang_unknown"])
        if not p.languages:
            if req.level == "minimum":
                self._miss("languages")
                self._ask(req, "languages", langs=self._names(req.languages, "or"))
            return RequirementCheck(requirement=req, met=None, reason=r["lang_missing"])
        spoken = {iso: lvl for iso, lvl in p.languages.items() if lvl != "none"}
        if not spoken and not set(req.languages) <= set(p.languages):
            # "I don't speak French" says nothing about the other languages
            if req.level == "minimum":
                self._miss("languages")
                self._ask(req, "languages", langs=self._names(req.languages, "or"))
            return RequirementCheck(requirement=req, met=None, reason=r["lang_missing"])
        need_rank = {"basic": 1, "good": 2, "fluent": 3}.get(req.proficiency or "", 0)
        have = [iso for iso in req.languages if iso in spoken]
        adequate = [iso for iso in have
                    if spoken[iso] == "spoken" or LEVEL_RANK[spoken[iso]] >= need_rank]
        mine = self._names(spoken) or "-"
        if req.mode == "all_of":
            absent = [iso for iso in req.languages if iso not in spoken]
            if absent:
                return RequirementCheck(requirement=req, met=False, reason=r[
                    "lang_missing_required"].format(need=self._names(absent), have=mine))
            needed = len(req.languages)
        else:
            needed = 1 + req.additional
        if len(adequate) >= needed:
            chosen = adequate[:needed] if req.mode == "one_of" else adequate
            assumed = [iso for iso in chosen if spoken[iso] == "spoken"]
            if assumed and req.proficiency:
                reason = r["lang_assumed_level"].format(
                    have=self._names(assumed), need=lex["level"][req.proficiency])
                return RequirementCheck(requirement=req, met=True, reason=reason, strength=1)
            return RequirementCheck(requirement=req, met=True, strength=2,
                                    reason=r["lang_ok"].format(have=self._names(chosen)))
        if len(have) >= needed and req.proficiency:
            low = [iso for iso in have if iso not in adequate]
            desc = join_items(
                [f"{lex['language_names'].get(i, i)} ("
                 f"{self.p.language_cefr.get(i) or lex['level'].get(spoken[i], '')})"
                 for i in low], lex)
            return RequirementCheck(requirement=req, met=False, reason=r["lang_level_low"].format(
                need=lex["level"][req.proficiency], have=desc,
                langs=self._names(req.languages, "or" if req.mode == "one_of" else "and")))
        if req.mode == "one_of" and needed == 1:
            need = self._names(req.languages, "or")
        else:
            need = lex["n_of"].format(n=needed, langs=self._names(req.languages, "or"))
        return RequirementCheck(requirement=req, met=False, reason=r["lang_missing_required"]
                                .format(need=need, have=mine) if needed == 1 else
                                r["lang_not_enough"].format(need=need, have=mine))

    def skill(self, req: Requirement) -> RequirementCheck:
        mine = " ".join([*self.p.skills, self.p.experience_domain, self.p.degree_field])
        overlap = (set(stem_words(mine)) - _GENERIC_DOMAIN) & (set(stem_words(req.text))
                                                            - _GENERIC_DOMAIN)
        if req.level == "desirable" and len(overlap) >= 2:
            return RequirementCheck(requirement=req, met=True, strength=1,
                                    reason=self.r["skill_match"].format(have=" ".join(overlap)))
        return RequirementCheck(requirement=req, met=None, reason=self.r["skill_unassessed"])


def check(profile: Profile, posting: Posting, language: str = "en",
          requirements: list[Requirement] | None = None,
          memo: CheckMemo | None = None,
          relevance: ExperienceRelevance | None = None) -> Verdict:
    """Compare a profile with a posting's minimum requirements; count desirable ones met.
    `memo` is shared by the checks of one profile in one language (see `_Matcher.run`)."""
    return checked(profile, posting, language, requirements, memo, relevance)[0]


def checked(profile: Profile, posting: Posting, language: str = "en",
            requirements: list[Requirement] | None = None,
            memo: CheckMemo | None = None,
            relevance: ExperienceRelevance | None = None) -> tuple[Verdict, bool]:
    """`check`, and whether the verdict read the posting itself beyond its requirements
    (then it is not shared with other postings that have the same requirements)."""
    reqs = requirements if requirements is not None else derive_requirements(posting)
    matcher = _Matcher(profile, posting, reqs, language, relevance)
    checks = matcher.run(memo)
    # skills are listed but never decide the verdict (see module docstring)
    deciding = [c for c in checks if c.requirement.level == "minimum"
                and c.requirement.kind != "skill"]
    failed = [c for c in deciding if c.met is False]
    if failed:
        status: Literal["eligible", "not_eligible", "cannot_tell"] = "not_eligible"
    elif any(c.met is None for c in deciding):
        status = "cannot_tell"
    else:
        status = "eligible"
    desirable = [c for c in checks if c.requirement.level == "desirable"]
    met = sum(1 for c in desirable if c.met)
    score = sum(c.strength for c in deciding) + met
    question = matcher.questions[0] if status == "cannot_tell" and matcher.questions else ""
    verdict = Verdict(posting_id=posting.id, status=status, checks=checks, failed=failed,
                      missing=matcher.missing, desirable_met=met,
                      desirable_total=len(desirable), score=score, follow_up_question=question)
    return verdict, matcher.read_posting
