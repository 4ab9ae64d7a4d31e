"""Which new postings a subscriber hears about (retrieval/alert_matching.py): the filters, the
eligibility verdict, and the almost-fits rule (exactly one minimum requirement short)."""

from __future__ import annotations

import pytest

from retrieval.alert_matching import AlertFilters, AlertMatcher, FilterError
from retrieval.eligibility import EligibilityChecker
from retrieval.models import Posting, Profile
from retrieval.parsing import PostingParser
from tests.conftest import CORPUS
from tests.support.posting_files import SAFETY, SOCIAL_PROTECTION, markdown_posting

# Lima, Spanish and English, economics: the profile fits SOCIAL_PROTECTION; SAFETY (Nairobi)
# wants occupational safety, engineering or public health — only the field is short.
ECONOMIST = Profile(degree_level="advanced", has_degree=True, degree_field="economics",
                    years_experience=3, languages={"es": "fluent", "en": "fluent"})


def parse(spec: dict) -> Posting:
    return PostingParser().parse(markdown_posting(spec).decode(), posting_id=spec["post_number"])


@pytest.fixture(scope="module")
def matcher() -> AlertMatcher:
    return AlertMatcher(EligibilityChecker(catalog=None))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def lima() -> Posting:
    return parse(SOCIAL_PROTECTION)


@pytest.fixture(scope="module")
def nairobi() -> Posting:
    return parse(SAFETY)


def test_a_fitting_posting_is_alerted_a_non_fitting_one_is_not(
        matcher: AlertMatcher, lima: Posting, nairobi: Posting) -> None:
    match = matcher.match(ECONOMIST, lima, AlertFilters())
    assert match is not None and match.kind == "fits" and match.short_of is None
    assert match.verdict.status == "eligible" and match.verdict.checks
    assert matcher.match(ECONOMIST, nairobi, AlertFilters()) is None


def test_almost_fits_is_offered_only_when_asked_and_names_the_requirement(
        matcher: AlertMatcher, nairobi: Posting) -> None:
    match = matcher.match(ECONOMIST, nairobi, AlertFilters(), almost_fits=True)
    assert match is not None and match.kind == "almost"
    assert match.short_of is not None and match.short_of.requirement.kind == "education"
    assert "occupational safety" in match.short_of.requirement.source_text
    assert [c.requirement.kind for c in match.verdict.failed] == ["education"]


def test_two_requirements_short_is_not_almost(matcher: AlertMatcher, lima: Posting) -> None:
    # A medical degree and only French: the education and the language requirements fail.
    doctor = Profile(degree_level="advanced", has_degree=True, degree_field="medicine",
                     years_experience=3, languages={"fr": "fluent"})
    verdict = matcher.checker.check(doctor, lima)
    assert verdict.status == "not_eligible" and len(verdict.failed) >= 2
    assert matcher.match(doctor, lima, AlertFilters(), almost_fits=True) is None


def test_cannot_tell_is_neither_fits_nor_almost(matcher: AlertMatcher, lima: Posting) -> None:
    vague = Profile(languages={"es": "fluent", "en": "fluent"})  # no degree stated
    assert matcher.checker.check(vague, lima).status == "cannot_tell"
    assert matcher.match(vague, lima, AlertFilters(), almost_fits=True) is None


@pytest.mark.parametrize(("filters", "lima_passes", "nairobi_passes"), [
    (AlertFilters(duty_station="Lima"), True, False),
    (AlertFilters(duty_station="peru"), True, False),
    (AlertFilters(duty_station="Nairobi, Kenya"), False, True),
    (AlertFilters(duty_station="Geneva"), False, False),
    (AlertFilters(organisation="ilo"), True, True),
    (AlertFilters(organisation="UNEP"), False, False),
    (AlertFilters(language="es"), True, False),  # Spanish is required in Lima only
    # "Excellent command of English; knowledge of Swahili is an asset.": English is the
    # minimum, Swahili the asset (one sentence, two levels), so both postings accept English
    (AlertFilters(language="en"), True, True),
    (AlertFilters(language="fr"), False, False),
    (AlertFilters(field="economics"), True, False),  # an accepted field of the degree
    (AlertFilters(field="engineering"), False, True),
    (AlertFilters(field="social protection"), True, False),  # named in the title
    (AlertFilters(duty_station="Lima", language="es", organisation="ILO"), True, False),
    (AlertFilters(duty_station="Lima / Nairobi"), True, True),  # alternatives
    (AlertFilters(duty_station="Geneva or Kenya"), False, True),
    (AlertFilters(organisation="UNEP ou ILO"), True, True),
    (AlertFilters(field="law or engineering"), False, True),
])
def test_filters(matcher: AlertMatcher, lima: Posting, nairobi: Posting,
                 filters: AlertFilters, lima_passes: bool, nairobi_passes: bool) -> None:
    assert filters.admits(lima, matcher.checker) is lima_passes
    assert filters.admits(nairobi, matcher.checker) is nairobi_passes


def test_a_filtered_out_posting_is_not_alerted_even_when_it_fits(
        matcher: AlertMatcher, lima: Posting) -> None:
    assert matcher.match(ECONOMIST, lima, AlertFilters(duty_station="Geneva")) is None


def test_corpus_posting_for_a_lawyer(matcher: AlertMatcher) -> None:
    normes = PostingParser().parse((CORPUS / "002_bd34980e9eece061.txt").read_text(),
                                   posting_id="002")
    lawyer = Profile(degree_level="advanced", has_degree=True, degree_field="law",
                     years_experience=3, experience_domain="labour law",
                     languages={"en": "fluent"})
    match = matcher.match(lawyer, normes, AlertFilters(duty_station="Geneva", language="en"))
    assert match is not None and match.kind == "fits"


@pytest.mark.parametrize(("text", "expected"), [
    ("station: Geneva; language: French", AlertFilters(duty_station="Geneva", language="fr")),
    ("duty station = Nairobi, Kenya", AlertFilters(duty_station="Nairobi, Kenya")),
    ("organisation: ILO, field: labour law", AlertFilters(organisation="ILO",
                                                         field="labour law")),
    ("lieu : Lima; langue : espagnol", AlertFilters(duty_station="Lima", language="es")),
    ("Organización: ILO; idioma: inglés", AlertFilters(organisation="ILO", language="en")),
])
def test_filters_are_read_in_three_languages(text: str, expected: AlertFilters) -> None:
    assert AlertFilters.parse(text) == expected


@pytest.mark.parametrize("text", ["Geneva please", "language: Klingon", ""])
def test_unreadable_filters_are_refused(text: str) -> None:
    with pytest.raises(FilterError):
        AlertFilters.parse(text)
