"""Verdicts on the five real postings: each posting's counting rule, no degree, degrees in
progress, the follow-up question of "cannot tell", and the ranked "which postings" answers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retrieval.eligibility import EligibilityChecker, lexicon_for
from retrieval.eligibility.vocabulary import format_span
from retrieval.parsing import PostingParser
from tests.support.corpus_ids import AI, CREATIVE, DUE_DILIGENCE, NORMES, VULNERABLE
from tests.support.corpus_postings import ListCatalog, parse_corpus


@pytest.fixture(scope="module")
def checker() -> EligibilityChecker:
    return EligibilityChecker(ListCatalog(parse_corpus()), today=lambda: date(2025, 1, 15))


def verdict(checker: EligibilityChecker, text: str, posting_id: str, language: str = "en"):
    posting = checker.catalog.get(posting_id)
    assert posting is not None
    return checker.check(checker.parse_profile(text), posting, language)


BEFORE_UNI = ("Before uni I worked 3 years at a public job centre. Then I did a BA in sociology "
              "and an MA in labour economics, and right after graduating I started a research "
              "contract on labour market trends, I'm 9 months in. Native English speaker.")


def test_ai_posting_counts_only_experience_after_the_first_degree(checker) -> None:
    v = verdict(checker, BEFORE_UNI, AI)
    assert v.status == "not_eligible"
    exp = next(c for c in v.failed if c.requirement.kind == "experience")
    assert "9 months" in exp.reason and "after the first university degree" in exp.reason
    assert "3 years before it are not counted" in exp.reason
    assert exp.requirement.counted_from == "first_degree"
    assert "after obtaining the first university degree" in exp.requirement.counting_text


def test_other_postings_count_all_experience_and_say_so(checker) -> None:
    v = verdict(checker, BEFORE_UNI, CREATIVE)
    exp = next(c for c in v.checks if c.requirement.kind == "experience"
               and c.requirement.level == "minimum")
    assert exp.met is True and "3 years and 9 months" in exp.reason
    assert "does not say from when experience counts" in exp.reason


def test_no_degree_is_not_eligible(checker) -> None:
    v = verdict(checker, "I never finished university, but I've got 3 years as an HR "
                         "coordinator and fluent English.", CREATIVE)
    assert v.status == "not_eligible"
    assert "no university degree" in v.failed[0].reason


def test_master_in_progress_is_not_an_advanced_degree(checker) -> None:
    v = verdict(checker, "I'm in the final semester of my MSc in economics. Before the master's "
                         "I worked three years at the employment service. Native English.", AI)
    assert v.status == "not_eligible"
    assert "not finished yet" in v.failed[0].reason


def test_date_ranges_decide_the_years(checker) -> None:
    short = verdict(checker, "Master's in political science. I worked at a national contact "
                             "point for responsible business conduct from February 2023 to "
                             "November 2024. English native.", DUE_DILIGENCE)
    assert short.status == "not_eligible"
    long = verdict(checker, "MBA (2021), and I've been a supply-chain due diligence analyst "
                            "since January 2022. English and French both fluent.", DUE_DILIGENCE)
    assert long.status == "eligible"


@pytest.mark.parametrize(("text", "language", "question"), [
    ("I have a master's in law and speak English.", "en",
     "How many years of experience in labour or international law do you have?"),
    ("J'ai un master en droit et je parle français et anglais.", "fr",
     "Combien d'années d'expérience avez-vous en labour or international law ?"),
    ("I have 3 years in labour law and speak English.", "en",
     "What university degree do you have (for example a Bachelor's or a Master's), and in "
     "what field?"),
    ("I have a law degree, 3 years in labour law, fluent English.", "en",
     "Is your degree a first degree (Bachelor's) or an advanced one (Master's or higher)?"),
])
def test_cannot_tell_asks_the_one_deciding_question(checker, text, language, question) -> None:
    v = verdict(checker, text, NORMES, language)
    assert v.status == "cannot_tell"
    assert v.follow_up_question == question


def test_decided_verdicts_ask_nothing(checker) -> None:
    v = verdict(checker, "LLM in labour law, three years at a labour rights NGO, fluent "
                         "English.", NORMES)
    assert v.status == "eligible" and v.follow_up_question == ""


def test_the_question_is_shown_in_the_answer(checker) -> None:
    answer = checker.answer("I have a master's in law and speak English. Am I eligible?",
                            [NORMES])
    assert answer is not None
    assert "To decide: How many years of experience in labour or international law" in answer.text


def test_which_postings_checks_all_postings_even_with_one_in_context(checker) -> None:
    answer = checker.answer("MA in economics and three years at the labour ministry on "
                            "employment policy. English native. Which postings can I apply to?",
                            [NORMES])
    assert answer is not None
    assert answer.text.startswith("Postings you can apply to, best fit first:")
    # the postings that fit are listed and cited; the others are counted, not named
    listed = [line for line in answer.text.splitlines() if line.startswith("• ")]
    assert listed and all("not eligible" not in line for line in listed)
    assert len(answer.posting_ids) == len(listed)
    assert len(listed) == 4 and "1 other posting asks for something you do not have." in answer.text


def test_how_do_i_fit_each_posting_lists_every_verdict(checker) -> None:
    answer = checker.answer("MA in economics and three years at the labour ministry on "
                            "employment policy. English native. How do I fit each of the "
                            "postings?", None)
    assert answer is not None and len(answer.posting_ids) == 5
    assert answer.text.startswith("How your profile fits the postings")
    assert "❌" in answer.text


def test_only_the_ones_i_qualify_for(checker) -> None:
    answer = checker.answer(
        "Master's in economics, 3 years at the labour ministry designing policy for platform "
        "workers. Spanish is my native language, my English is weak and I have no French. "
        "Which of these posts could I apply for? Only list the ones I qualify for.", None)
    assert answer is not None
    assert answer.posting_ids == [CREATIVE]
    assert "innovation" not in answer.text and "Standards" not in answer.text


def test_only_eligible_with_none_says_so(checker) -> None:
    answer = checker.answer("I never finished university; native English. Which postings can "
                            "I apply to? Just list the ones I qualify for.", None)
    assert answer is not None
    assert "do not meet the minimum requirements of any posting" in answer.text


def test_a_self_description_needs_no_pronoun(checker) -> None:
    answer = checker.answer("MEng in industrial engineering and 3 years as a labour inspector. "
                            "English fluent. Eligible for NORMES?", [NORMES])
    assert answer is not None and "Not eligible" in answer.text


@pytest.fixture(scope="module")
def iom() -> EligibilityChecker:
    """IOM's "Master's … with two years …; or Bachelor's … with four years …" (issue 11)."""
    path = Path(__file__).resolve().parents[2] / "data" / "agencies_fresh" / "iom_amman.md"
    posting = PostingParser().parse(path.read_text(encoding="utf-8"), "iom", path.name)
    return EligibilityChecker(ListCatalog([posting]), today=lambda: date(2025, 1, 15))


@pytest.mark.parametrize(("text", "status"), [
    ("BA in political science, 4.5 years on labour migration, fluent English.", "eligible"),
    ("MA in economics, 2 years on labour migration, fluent English.", "eligible"),
    ("BA in economics, 3 years on labour migration, fluent English.", "not_eligible"),
    ("MA in economics, 1 year on labour migration, fluent English.", "not_eligible"),
])
def test_degree_paths_are_alternatives(iom, text: str, status: str) -> None:
    """Either path qualifies; the labour migration the posting names as preferred counts as
    relevant experience."""
    assert verdict(iom, text, "iom").status == status


def _one_posting(text: str) -> EligibilityChecker:
    posting = PostingParser().parse(text, "p", "p.txt")
    return EligibilityChecker(ListCatalog([posting]), today=lambda: date(2025, 1, 15))


RESTRICTED = """Title: Associate Officer (JPO)
Duty station: Dakar, Senegal

Qualifications
Education: An advanced university degree (Master's) in economics or law is required.
Experience: A minimum of two years of relevant experience is required.
Languages: Fluency in English is required.

Eligibility
This position is open to Belgian and Luxembourg nationals only. The age limit is 32 years
on the closing date.
"""


@pytest.mark.parametrize(("text", "status", "says"), [
    ("Belgian citizen, MA in economics, 3 years at an NGO, fluent English, I'm 29.",
     "eligible", "you are a national of Belgium"),
    ("I'm Dutch, MA in economics, 3 years at an NGO, fluent English.",
     "not_eligible", "nationals of Belgium or Luxembourg only"),
    ("Je suis belge, 35 ans, master en économie, 3 ans dans une ONG, anglais courant.",
     "not_eligible", "32"),
    # not said: assumed, and said so
    ("MA in economics, 3 years at an NGO, fluent English.", "eligible",
     "you did not say your nationality"),
])
def test_nationality_and_age_rules_a_posting_states(text: str, status: str, says: str) -> None:
    checker = _one_posting(RESTRICTED)
    v = verdict(checker, text, "p", "fr" if text.startswith("Je") else "en")
    assert v.status == status
    kinds = {c.requirement.kind for c in v.checks}
    assert {"nationality", "age"} <= kinds
    assert any(says in c.reason for c in v.checks), [c.reason for c in v.checks]


def test_postings_without_such_rules_say_so_when_asked(checker) -> None:
    a = checker.answer("I'm Belgian, 34, MA in law, 3 years in labour law, fluent English. "
                       "Am I eligible for the NORMES post?", [NORMES])
    assert a is not None and "do not state any age limit" in a.text


@pytest.mark.parametrize(("text", "posting", "status", "says"), [
    # two jobs told apart: only the one in due diligence counts towards its two years
    ("LLM 2019. jobs: mar 2019–feb 2020 paralegal in tax law; mar 2020–sep 2021 human rights "
     "due diligence officer at a mining company; haven't worked since. english native.",
     DUE_DILIGENCE, "not_eligible", "19 months are in responsible business/due diligence"),
    ("MBA + 4 years in brand marketing at a consumer goods company, never did any CSR or due "
     "diligence work. fluent english.", DUE_DILIGENCE, "not_eligible",
     "no experience in csr or due diligence work"),
    # "never worked on AI" is not where the experience was
    ("BSc Statistics 2018. Sept 2018 – Aug 2021 I was on the labour force survey team at our "
     "national statistics office, then did a one-year MSc in Data Science (2021–22). English "
     "C2. Never worked on AI specifically.", AI, "eligible", "3 years meets the minimum"),
    # fields named without "in", a postgraduate diploma
    ("bsc econ. jan 2020 - dec 2022 at the ministry of labour on informal economy "
     "statistics. fluent english.", VULNERABLE, "eligible", "econ"),
    ("PG Diploma in corporate sustainability (2020). Jan 2021 - Dec 2023 human rights due "
     "diligence analyst at a bank. Native Spanish, fluent English.", DUE_DILIGENCE, "eligible",
     "advanced university degree"),
])
def test_experience_and_degrees_as_told(checker, text: str, posting: str, status: str,
                                        says: str) -> None:
    v = verdict(checker, text, posting)
    assert v.status == status, [c.reason for c in v.checks]
    assert any(says in c.reason for c in v.checks), [c.reason for c in v.checks]


SECRETARIAT = """Title: Associate Officer (JPO)
Duty station: New York

Qualifications
Education: An advanced university degree (Master's) in urban planning or a related field is
required.
Experience: Working experience with GIS software (QGIS or ArcGIS) is required.
Languages: English and French are the working languages of the United Nations Secretariat.
For this position, fluency in English is required.
"""


def test_what_the_organisation_works_in_is_no_requirement_and_examples_name_the_area() -> None:
    """"English and French are the working languages of the Secretariat" does not ask for
    French; "(QGIS or ArcGIS)" names the GIS experience the requirement means."""
    checker = _one_posting(SECRETARIAT)
    v = verdict(checker, "MA in urban design, 18 months at a consultancy doing flood maps in "
                         "ArcGIS. Fluent English, no French.", "p")
    assert v.status == "eligible", [c.reason for c in v.checks]
    assert all("fr" not in c.requirement.languages for c in v.checks)


@pytest.mark.parametrize(("years", "language", "said"), [
    (1 + 4 / 12, "en", "16 months"), (1.5, "es", "18 meses"), (3.0, "en", "3 years"),
    (3 + 1 / 12, "en", "3 years and 1 month"), (2 + 5 / 12, "fr", "2 ans et 5 mois"),
    (1.0, "de", "1 Jahr"),
])
def test_lengths_of_experience_are_said_as_the_candidate_would(years: float, language: str,
                                                                said: str) -> None:
    """"you have 16 months", never "1.33"; whole years with their months."""
    assert format_span(years, lexicon_for(language)) == said


def test_experience_capped_under_eligibility_is_checked(checker) -> None:
    """A cap said as who is excluded ("more than four years … will not be considered")."""
    from retrieval.models import Posting, RequirementBlock
    posting = Posting(id="eca", title="Economic Affairs", experience=RequirementBlock(
        minimum="A minimum of two years of experience in trade policy is required.\n"
                "Candidates with more than four years of relevant work experience will not be "
                "considered."))
    v = checker.check(checker.parse_profile("master in economics, 5 years in trade policy, "
                                            "fluent english"), posting, "en")
    assert v.status == "not_eligible"
    assert any("at most 4 years" in c.reason and "5 years" in c.reason for c in v.checks)

