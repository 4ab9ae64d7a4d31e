"""Experience told in another field: judged by meaning with the real MiniLM model, and only
where words cannot place it (see retrieval/eligibility/relevance.py)."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.eligibility import EligibilityChecker
from retrieval.eligibility.relevance import ExperienceRelevance
from tests.support.corpus_ids import AI, DUE_DILIGENCE, NORMES
from tests.support.corpus_postings import ListCatalog, parse_corpus


@pytest.fixture(scope="module")
def checker(shared_embeddings) -> EligibilityChecker:
    relevance = ExperienceRelevance(shared_embeddings.embed_documents, below=0.28)
    return EligibilityChecker(ListCatalog(parse_corpus()), today=lambda: date(2026, 12, 7),
                              relevance=relevance)


def status(checker: EligibilityChecker, text: str, posting_id: str) -> tuple[str, str]:
    posting = checker.catalog.get(posting_id)
    assert posting is not None
    v = checker.check(checker.parse_profile(text), posting)
    experience = next(c for c in v.checks if c.requirement.kind == "experience")
    return v.status, experience.reason


@pytest.mark.parametrize(("text", "posting_id"), [
    ("LLM in labour law (2021). Since then I've been a barista for 2 years and now I do "
     "software sales (since 2023). Fluent English and French.", NORMES),
    ("Master's in economics, 5 years in software sales since 2021. English native.",
     DUE_DILIGENCE),
    ("Master's in economics (2020), then 4 years as a pastry chef in a hotel kitchen. "
     "Native English.", AI),
])
def test_work_in_another_field_is_not_relevant_experience(checker, text, posting_id) -> None:
    verdict, reason = status(checker, text, posting_id)
    assert verdict == "not_eligible"
    assert "does not appear to be in" in reason


@pytest.mark.parametrize(("text", "posting_id"), [
    # shares its subject with the posting's own duties ("automation", "future of work")
    ("MSc in economics (2021), then 3 years as a researcher at the university's observatory "
     "on automation and the future of work. Native English.", AI),
    # a workplace, not a subject: left to the candidate, as before
    ("LLM in international law (2020), 3 years at a ministry since 2021. Native English.",
     NORMES),
    # the requirement's own words
    ("LLM (2020), 3 years as a legal officer drafting labour legislation. Native English.",
     NORMES),
])
def test_related_or_unplaced_experience_is_never_called_unrelated(checker, text,
                                                                 posting_id) -> None:
    verdict, reason = status(checker, text, posting_id)
    assert verdict != "not_eligible", reason
    assert "does not appear" not in reason


def test_texts_in_other_languages_are_not_judged(checker) -> None:
    _verdict, reason = status(
        checker, "Master en droit (2020), depuis 2021 je travaille comme serveuse dans un "
        "restaurant. Anglais courant.", NORMES)
    assert "does not appear" not in reason


def test_without_a_model_nothing_is_unrelated() -> None:
    relevance = ExperienceRelevance(None, below=0.28)
    assert not relevance.active
    assert not relevance.far_from(["a barista"], "labour or international law")


def test_which_postings_leaves_out_those_the_experience_does_not_fit(checker) -> None:
    answer = checker.answer("Master's in economics (2021), then 5 years in software sales at "
                            "a SaaS company. English native. Which postings can I apply to?",
                            None)
    assert answer is not None
    assert "Postings you can apply to" not in answer.text  # none fits: every reason is shown
    assert answer.text.count("does not appear to be in") >= 2
