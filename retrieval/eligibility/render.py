"""Verdict texts: one posting in detail, several postings ranked, and the excerpt cited."""

from __future__ import annotations

from typing import Any, Literal

from retrieval.models import Posting, Verdict
from retrieval.parsing import short_title

_MARK = {True: "✅", False: "❌", None: "❔"}


def join_items(items: list[str], lex: dict[str, Any], conj: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {lex[conj]} " + items[-1]


def quote(text: str, limit: int = 170) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def single_verdict_text(posting: Posting, verdict: Verdict, lex: dict[str, Any]) -> str:
    title = posting.title or posting.id
    lines = [lex[verdict.status].format(title=title, t=short_title(title))]
    for c in verdict.minimum_checks:
        if c.requirement.kind == "skill":
            continue
        kind = lex["kind"][c.requirement.kind]
        reason = f" — {c.reason}" if c.reason else ""
        lines.append(f"{_MARK[c.met]} {kind}: “{quote(c.requirement.source_text)}”{reason}")
    if verdict.missing and verdict.status == "cannot_tell":
        lines.append(lex["missing"].format(missing=join_items(verdict.missing, lex)))
    if verdict.follow_up_question:
        lines.append(lex["follow_up"].format(question=verdict.follow_up_question))
    if any(c.requirement.kind == "skill" and c.requirement.level == "minimum"
           for c in verdict.checks):
        lines.append(lex["skills_note"])
    if verdict.desirable_total:
        lines.append(lex["desirable"].format(met=verdict.desirable_met,
                                             total=verdict.desirable_total))
    return "\n".join(lines)


ListMode = Literal["all", "fitting", "only_eligible"]


def listed(ranked: list[tuple[Posting, Verdict]], mode: ListMode
           ) -> list[tuple[Posting, Verdict]]:
    """The postings a list in `mode` shows (see `ranked_verdicts_text`); empty when
    "only_eligible" finds none. "fitting" falls back to every posting when none fits."""
    if mode == "only_eligible":
        return [(p, v) for p, v in ranked if v.status == "eligible"]
    if mode == "fitting":
        return [(p, v) for p, v in ranked if v.status != "not_eligible"] or ranked
    return ranked


def ranked_verdicts_text(ranked: list[tuple[Posting, Verdict]], lex: dict[str, Any],
                         mode: ListMode = "all") -> str:
    """The postings with their verdicts, best fit first.

    - "all": every posting;
    - "fitting" ("which postings can I apply to?"): those the candidate may qualify for
      (eligible or cannot tell yet), the others counted in one line; when none fits, every
      posting, so that the reasons are there to read;
    - "only_eligible" ("only list the ones I qualify for"): eligible ones, or a sentence
      saying there are none."""
    shown = listed(ranked, mode)
    if not shown:
        return lex["none_eligible"]
    header = lex["multi_header"]
    if mode == "only_eligible":
        header = lex["only_eligible_header"]
    elif mode == "fitting" and any(v.status != "not_eligible" for _p, v in shown):
        header = lex["fitting_header"]
    others = len(ranked) - len(shown)
    ranked = shown
    lines = [header]
    marks = {"eligible": "✅", "cannot_tell": "❔", "not_eligible": "❌"}
    # Postings checked once share their verdict's checks (`EligibilityChecker.rank`), and so
    # their reasons: each is written once (10,000 postings, a few hundred requirement sets).
    reasons_of: dict[int, str] = {}
    for posting, v in ranked:
        reasons = reasons_of.get(id(v.checks))
        if reasons is None:
            reasons = reasons_of[id(v.checks)] = _reasons(v, lex)
        title = short_title(posting.title or posting.id)
        line = f"• {marks[v.status]} {title} — {lex['status'][v.status]}"
        lines.append(f"{line}: {reasons}" if reasons else line)
    if others:
        lines.append(lex["one_other_not_eligible"] if others == 1
                     else lex["others_not_eligible"].format(count=others))
    lines.append(lex["multi_footer"])
    return "\n".join(lines)


def _reasons(v: Verdict, lex: dict[str, Any]) -> str:
    deciding = [c for c in v.minimum_checks if c.requirement.kind != "skill"]
    if v.status == "not_eligible":
        why = [c.decisive or c.reason for c in v.failed]
    elif v.status == "cannot_tell":
        why = [c.decisive or c.reason for c in deciding if c.met is None]
    else:
        why = [c.reason for c in deciding if c.reason]
    return str(lex["sep"]).join(dict.fromkeys(r for r in why if r))


def verdict_excerpt(verdict: Verdict) -> str:
    chosen = verdict.failed or [c for c in verdict.minimum_checks
                                if c.requirement.kind != "skill"]
    texts = list(dict.fromkeys(c.requirement.source_text for c in chosen))
    return quote(" ".join(texts), 400)
