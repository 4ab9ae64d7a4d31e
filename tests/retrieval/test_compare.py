"""Comparing postings: which postings a question names, the rows, and the verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.compare import PostingComparer, Row, plain_text
from retrieval.eligibility import EligibilityChecker
from retrieval.loaders import corpus_files, read_text
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from retrieval.resolver import PostingResolver
from retrieval.settings import PROJECT_ROOT
from retrieval.understanding import analyse
from tests.support.corpus_postings import ListCatalog

AI, SECTOR, NORMES, INWORK, MULTI = (
    "000_6199014678cf9c64.txt", "001_326f5681e1f65d2e.txt", "002_bd34980e9eece061.txt",
    "003_7dab671c5908fb3f.txt", "004_3c479a0523126fec.txt")


@pytest.fixture(scope="module")
def postings() -> list[Posting]:
    return [PostingParser().parse(read_text(path), path.name)
            for path in corpus_files(Path(PROJECT_ROOT / "corpus"))]


@pytest.fixture(scope="module")
def comparer(postings: list[Posting]) -> PostingComparer:
    return PostingComparer(EligibilityChecker(ListCatalog(postings)))


@pytest.mark.parametrize(("question", "expected"), [
    ("compare the AI and the due diligence posts", [AI, MULTI]),
    ("difference between NORMES and SECTOR", [NORMES, SECTOR]),
    ("What's the difference between the vulnerable work post and the AI one?", [INWORK, AI]),
    ("compare the creative economy, vulnerable work and AI jobs", [SECTOR, INWORK, AI]),
    ("NORMES vs MULTI", [NORMES, MULTI]),
    ("comparer les postes NORMES et SECTOR", [NORMES, SECTOR]),
    ("comparer le poste sur l'intelligence artificielle et celui sur le travail vulnérable",
     [AI, INWORK]),
    ("comparar el puesto de IA y el de diligencia debida", [AI, MULTI]),
    ("¿Cuál es la diferencia entre NORMES y MULTI?", [NORMES, MULTI]),
])
def test_comparison_questions_name_their_postings(
        question: str, expected: list[str], comparer: PostingComparer,
        postings: list[Posting]) -> None:
    q = analyse(question)
    assert q.intents[0] == "compare"
    assert comparer.named_in(q, PostingResolver(postings)) == expected


def test_a_follow_up_compares_with_the_previous_posting(
        comparer: PostingComparer, postings: list[Posting]) -> None:
    q = analyse("compare it with SECTOR")
    assert comparer.named_in(q, PostingResolver(postings), [NORMES]) == [NORMES, SECTOR]


def test_rows_quote_the_postings(comparer: PostingComparer, postings: list[Posting]) -> None:
    by_id = {p.id: p for p in postings}
    comparison = comparer.compare([by_id[NORMES], by_id[SECTOR]])
    rows = {r.row: r for r in comparison.rows}
    assert list(rows) == list(Row)
    assert rows[Row.GRADE].same_everywhere and rows[Row.GRADE].cells[0].text == "P2"
    assert "Law" in rows[Row.EDUCATION_MINIMUM].cells[0].text
    assert rows[Row.EDUCATION_MINIMUM].cells[1].text.startswith("First university degree")
    years = rows[Row.YEARS].cells
    assert (years[0].min_years, years[0].max_years) == (2, None)
    assert (years[1].min_years, years[1].max_years) == (2, 4)
    assert rows[Row.SUPERVISOR].cells[0].text.startswith("Lisa Tortell")
    assert comparison.verdicts is None
    assert not any(c.assessed for r in comparison.rows for c in r.cells)


def test_a_profile_gives_a_verdict_per_posting_and_row(
        comparer: PostingComparer, postings: list[Posting]) -> None:
    by_id = {p.id: p for p in postings}
    profile = comparer.eligibility.parse_profile(
        "I have a bachelor's in economics, 1 year of experience and fluent English")
    comparison = comparer.compare([by_id[NORMES], by_id[SECTOR]], profile)
    rows = {r.row: r for r in comparison.rows}
    assert comparison.verdicts is not None
    assert [v.status for v in comparison.verdicts] == ["not_eligible", "not_eligible"]
    # NORMES wants an advanced law degree; SECTOR accepts a first degree in economics.
    assert [c.met for c in rows[Row.EDUCATION_MINIMUM].cells] == [False, True]
    assert [c.met for c in rows[Row.YEARS].cells] == [False, False]
    assert [c.met for c in rows[Row.LANGUAGES].cells] == [True, True]
    assert not any(c.assessed for c in rows[Row.DUTY_STATION].cells)


def test_the_answer_is_plain_text_in_the_question_language(
        comparer: PostingComparer, postings: list[Posting]) -> None:
    by_id = {p.id: p for p in postings}
    resolver = PostingResolver(postings)
    question = "comparar el puesto de IA y el de diligencia debida"
    answer = comparer.answer(analyse(question), question, resolver, by_id)
    assert answer.intent == "compare" and answer.found
    assert answer.posting_ids == [AI, MULTI]
    assert answer.text.startswith("Comparación:")
    assert "Lugar de destino:\n(todos) Geneva, Switzerland" in answer.text
    assert "(1) no indicado" in answer.text  # posting 000 states no grade
    assert {c.posting_id for c in answer.citations} == {AI, MULTI}


def test_one_posting_is_not_a_comparison(comparer: PostingComparer,
                                         postings: list[Posting]) -> None:
    question = "compare the NORMES post"
    answer = comparer.answer(analyse(question), question, PostingResolver(postings),
                             {p.id: p for p in postings})
    assert not answer.found and "/compare" in answer.text


def test_plain_text_with_a_profile_ends_with_the_verdicts(
        comparer: PostingComparer, postings: list[Posting]) -> None:
    by_id = {p.id: p for p in postings}
    profile = comparer.eligibility.parse_profile(
        "I have a bachelor's in economics, 3 years of experience and fluent English")
    text = plain_text(comparer.compare([by_id[SECTOR], by_id[NORMES]], profile))
    assert text.splitlines()[-3:] == ["With your profile:", "(1) ✅ eligible",
                                      "(2) ❌ not eligible"]
    assert "Education (minimum):\n(1) ✅ First university degree" in text
