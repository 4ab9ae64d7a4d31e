"""Rule-based eligibility: postings' requirements as data, candidate profiles, and verdicts.

Everything here is deterministic and explainable: a requirement is read from one sentence of a
posting's qualification blocks and keeps that sentence verbatim, so every verdict can quote the
text it rests on. A profile is read from the candidate's own words; a fact the candidate did not
state stays unknown (never "none"), which makes the verdict "cannot_tell" rather than a guess.

Layout: `vocabulary` (answer texts, number and language words) → `fields` (academic field
taxonomy) → `requirements` (read from postings) and `profile` (read from the candidate) →
`matching` (checks and verdicts) → `render` (texts) → `checker` (`EligibilityChecker`).

Decisions worth knowing:
- "One of these languages must be English" (posting 002) sits in the desirable block, but "must"
  is binding: it becomes a *minimum* requirement that English be among the candidate's languages
  (at any level, since it may be the second language).
- Experience domain: when the candidate names one that shares no topic with the posting's domain
  (e.g. labour law vs "responsible business/due diligence"), the check is "cannot tell", not a
  failure: the experience may well overlap and recruiters judge that. When no domain is stated,
  it is assumed relevant and the reason says so.
- A related field counts when the posting accepts "related fields" and the candidate's field is
  in the same family (law, economics, social and political sciences…); a known but distant field
  (medicine, engineering…) fails; a field outside the taxonomy is "cannot tell".
- Skills are listed as requirements but not assessed: a short profile cannot show them.
"""

from retrieval.eligibility.checker import EligibilityChecker
from retrieval.eligibility.fields import field_canonicals
from retrieval.eligibility.matching import check
from retrieval.eligibility.profile import parse_profile
from retrieval.eligibility.render import ranked_verdicts_text
from retrieval.eligibility.requirements import (
    accepts_language,
    derive_requirements,
    education_field_match,
)
from retrieval.eligibility.vocabulary import lexicon_for

__all__ = [
    "EligibilityChecker", "accepts_language", "check", "derive_requirements",
    "education_field_match", "field_canonicals", "lexicon_for", "parse_profile",
    "ranked_verdicts_text",
]
