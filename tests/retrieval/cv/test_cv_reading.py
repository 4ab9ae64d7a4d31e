"""The twelve test CVs (tests/data/cvs/, made by make.py there) read into the profiles written
by hand in expected.json, and the eligibility checker's verdicts on them equal to the gold
verdicts derived from the postings' requirements; plus the date forms and the CV/posting
decision on their own."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from retrieval.cv import document_kind, read_cv
from retrieval.cv.dates import find_ranges, merged_months, month_index
from retrieval.eligibility import EligibilityChecker
from retrieval.loaders import read_text
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from tests.conftest import CORPUS
from tests.support.corpus_postings import ListCatalog, parse_corpus

CVS = Path(__file__).resolve().parents[2] / "data" / "cvs"
EXPECTED = json.loads((CVS / "expected.json").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(EXPECTED["today"])
NAMES = sorted(EXPECTED["cvs"])


@pytest.fixture(scope="module")
def postings() -> list[Posting]:
    return parse_corpus()


@pytest.fixture(scope="module")
def checker(postings: list[Posting]) -> EligibilityChecker:
    return EligibilityChecker(ListCatalog(postings), today=lambda: TODAY)


def test_the_set_has_four_cvs_of_each_type_and_every_file_is_expected() -> None:
    files = sorted(p.name for p in CVS.iterdir() if p.name[:2].isdigit())
    assert files == NAMES
    assert sorted(Path(n).suffix for n in NAMES) == [".docx"] * 4 + [".pdf"] * 4 + [".txt"] * 4


@pytest.mark.parametrize("name", NAMES)
def test_cv_reads_as_the_expected_profile(name: str) -> None:
    want = EXPECTED["cvs"][name]["profile"]
    reading = read_cv(read_text(CVS / name), TODAY)
    profile = reading.profile
    got = {
        "degree_level": profile.degree_level,
        "degree_field": profile.degree_field,
        "degree_in_progress": profile.degree_in_progress,
        "first_degree": reading.first_degree.strftime("%Y-%m") if reading.first_degree else None,
        "years_experience": profile.years_experience,
        "years_before_first_degree": profile.years_before_first_degree,
        "internship_years": reading.internship_years,
        "languages": profile.languages,
    }
    assert got == want


@pytest.mark.parametrize("name", NAMES)
def test_verdicts_on_each_cv_match_the_gold(name: str, checker: EligibilityChecker,
                                            postings: list[Posting]) -> None:
    profile = read_cv(read_text(CVS / name), TODAY).profile
    gold = EXPECTED["cvs"][name]["verdicts"]
    assert len(gold) >= 2
    by_prefix = {p.id[:3]: p for p in postings}
    got = {prefix: checker.check(profile, by_prefix[prefix]).status for prefix in gold}
    assert got == gold


@pytest.mark.parametrize(("line", "months", "open_ended"), [
    ("2019–2022 analyst", [(2019, 1, 2022, 1)], False),  # years: as recruiters count them
    ("2019 - 21 analyst", [(2019, 1, 2021, 1)], False),
    ("since march 2021, officer", [(2021, 3, 2026, 12)], True),
    ("jan 2020 – present", [(2020, 1, 2026, 12)], True),
    ("03/2018 - 06/2019", [(2018, 3, 2019, 7)], False),  # both months named: both counted
    ("depuis janvier 2025 : charge d'etudes", [(2025, 1, 2026, 12)], True),
    ("de septembre 2017 a juin 2019", [(2017, 9, 2019, 7)], False),
    ("marzo de 2022 – junio de 2024", [(2022, 3, 2024, 7)], False),
    ("desde marzo de 2025 especialista", [(2025, 3, 2026, 12)], True),
    ("sept. 2024 – aujourd'hui", [(2024, 9, 2026, 12)], True),
    ("2021 - actualidad", [(2021, 1, 2026, 12)], True),
    ("2020-09 to 2021-02", [(2020, 9, 2021, 3)], False),
])
def test_date_ranges(line: str, months: list[tuple[int, int, int, int]],
                     open_ended: bool) -> None:
    ranges = find_ranges(line, TODAY)
    assert [(r.start, r.end) for r in ranges] == [
        (month_index(a, b), month_index(c, d)) for a, b, c, d in months]
    assert all(r.open_ended == open_ended for r in ranges)


def test_words_that_only_look_like_dates_are_not_ranges() -> None:
    assert find_ranges("phone +46 70 123 45 67, 3 years of experience", TODAY) == []
    assert find_ranges("ISO 9001 - 14001 certification", TODAY) == []


def test_overlapping_periods_are_counted_once() -> None:
    ranges = [r for line in ("2021–2023 economist", "2022–2024 lecturer", "2023–2024 analyst")
              for r in find_ranges(line, TODAY)]
    assert merged_months(ranges) == [(month_index(2021, 1), month_index(2024, 1))]


def test_internships_and_student_jobs_are_counted_apart() -> None:
    reading = read_cv(
        "EXPERIENCE\nAnalyst, Ministry of Labour\n01/2020 - 12/2021\n"
        "Intern, ILO\n01/2019 - 06/2019\nStudent assistant, University\n01/2017 - 12/2018\n"
        "EDUCATION\nBA in Economics, 2016\nLANGUAGES\nEnglish: fluent\n", TODAY)
    assert reading.profile.years_experience == 2.0
    assert reading.internship_years == 0.5
    assert reading.work_months == 24


def test_experience_before_the_first_degree_is_told_apart() -> None:
    reading = read_cv("Experience\n2010 - 2013 Clerk, Bank\n2018 - 2020 Officer, UNDP\n"
                      "Education\nBA in Political Science, 2013 - 2017\n", TODAY)
    assert reading.first_degree == date(2017, 1, 1)
    assert reading.profile.years_experience == 5.0
    assert reading.profile.years_before_first_degree == 3.0
    timings = [p.timing for p in reading.profile.experience_periods]
    assert timings == ["before_first_degree", "after_first_degree"]


def test_the_profile_keeps_no_line_of_the_cv() -> None:
    text = read_text(CVS / "01_chronological_en.txt")
    stored = read_cv(text, TODAY).profile.model_dump_json().lower()
    assert "lindqvist" not in stored and "ministry of employment" not in stored
    assert "since march 2024" not in stored and "oct 2020" not in stored
    assert "2024-03/2026-12" in stored  # periods are kept as months


@pytest.mark.parametrize("name", NAMES)
def test_every_cv_is_told_from_a_posting(name: str) -> None:
    text = read_text(CVS / name)
    posting = PostingParser().parse(text, posting_id="upload")
    assert document_kind(read_cv(text, TODAY), posting) == "cv"


def test_every_posting_is_told_from_a_cv(postings: list[Posting]) -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        posting = next(p for p in postings if p.id == path.stem)
        assert document_kind(read_cv(text, TODAY), posting) == "posting", path.name
