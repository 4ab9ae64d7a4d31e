"""False premises: the answer starts with the true value of the field the question got wrong."""

from __future__ import annotations

import pytest

from tests.support.corpus_ids import AI, MULTI, NORMES, SECTOR, VULN


@pytest.mark.parametrize(("question", "posting", "first_line_has"), [
    ("the ai job in new york — who would i report to there?", AI, ["Not New York", "Geneva"]),
    ("the vulnerable work one is a P3 right, for 2 years", VULN, ["Not P3", "P2"]),
    ("since the vulnerable work JPO is a 2 year contract, can it be renewed?", VULN,
     ["Not 2 year", "12 months"]),
    ("is the due diligence JPO based in Turin?", MULTI, ["Not Turin", "Geneva"]),
])
def test_wrong_value_is_corrected_first(ask, question: str, posting: str,
                                        first_line_has: list[str]) -> None:
    a = ask(question)
    first = a.text.splitlines()[0]
    assert all(s in first for s in first_line_has), a.text
    assert posting in a.posting_ids


def test_a_person_of_another_posting_is_placed(ask) -> None:
    a = ask("lisa tortell supervises the creative economy post right? whats her email")
    assert a.posting_ids == [SECTOR]
    assert "Oliver Liang" in a.text and "tortell@ilo.org" in a.text
    assert NORMES in a.cited_posting_ids()


def test_a_unit_of_another_posting_is_placed(ask) -> None:
    a = ask("the due diligence post is in NORMES no")
    assert a.text.startswith("Not NORMES:") and "ENTERPRISES" in a.text


def test_a_true_premise_gets_no_correction(ask) -> None:
    a = ask("The vulnerable work post is in Geneva and lasts 12 months, right?")
    assert "Not " not in a.text


def test_a_place_describing_something_else_is_no_claim(ask) -> None:
    """"Geneva-based partners" names no duty station: nothing to correct."""
    a = ask("which geneva-based partners would the ai jpo work with?")
    assert not a.text.startswith("Not ")


@pytest.mark.parametrize("question", [
    "would the ai jpo ever get to travel to new york?",
    "any missions to bangkok in the domestic workers job?",
])
def test_a_place_travelled_to_is_no_claim(ask, question: str) -> None:
    """A trip to a place says nothing about where the post is."""
    assert not ask(question).text.startswith("Not ")


def test_experience_in_a_profile_is_no_claim_about_the_post(ask) -> None:
    a = ask("I have 3 years of experience. How long is the vulnerable work assignment?")
    assert "Not 3 years" not in a.text and "12 months" in a.text


@pytest.mark.parametrize(("question", "parts"), [
    ("post 2396 - what grade and where is it?", ["P2", "Geneva"]),
    ("2396 - who supervises and wat unit", ["Tortell", "Standards Policy Unit"]),
    ("post 2040: dept and supervisor email", ["WORKQUALITY", "hobden@ilo.org"]),
    ("¿De qué grado es el puesto sobre trabajo vulnerable y cuánto dura?", ["P2", "12"]),
    ("for the vulnerable work one whats the department, the branch and whos supervising",
     ["WORKQUALITY", "INWORK", "Claire Hobden"]),
])
def test_every_part_of_a_question_is_answered(ask, question: str, parts: list[str]) -> None:
    a = ask(question)
    assert all(p in a.text for p in parts), a.text


def test_a_single_question_gets_a_single_part(ask) -> None:
    a = ask("What is the grade of the NORMES post?")
    assert a.text == "The Standards Policy and Development post is at grade P2."


@pytest.mark.parametrize(("question", "fact"), [
    ("how often would i meet with my supervisor in the AI post?", "every week"),
    ("For the AI post, which departments reporting to the DDG would I interact with?",
     "Statistics Department"),
])
def test_a_question_finer_than_a_field_gets_the_sentence(ask, question: str, fact: str) -> None:
    assert fact in ask(question).text


def test_a_department_named_in_full_is_checked(ask) -> None:
    a = ask("the due diligence job is in the Sectoral Policies Department under oliver liang "
            "right?")
    assert "Not Sectoral Policies Department" in a.text and "ENTERPRISES" in a.text
    assert "Githa Roelans" in a.text


def test_a_claim_about_a_person_gets_their_role_with_the_rest(ask) -> None:
    a = ask("lisa tortell is an economist right? which section is she in")
    assert "Legal Specialist" in a.text and "Standards Policy and Development Section" in a.text


@pytest.mark.parametrize("question", [
    "is the unctad jpo in geneva?",
    "¿la plaza de la unctad es en Ginebra?",
    "le poste de la CNUCED est à Genève ?",
])
def test_a_city_named_in_another_language_is_the_same_city(question: str) -> None:
    """A posting written in Spanish says "Ginebra, Suiza"; "Geneva" is no wrong premise."""
    from retrieval.answering.premises import Premises
    from retrieval.models import Posting
    from retrieval.understanding import analyse

    posting = Posting(id="unctad", source="unctad.txt", duty_station="Ginebra, Suiza")
    premises = Premises([posting])
    q = analyse(question)
    assert premises.contradictions(q, posting) == []
    assert "duty_station" in premises.confirmations(q, posting)
    assert premises.contradictions(analyse("is the unctad jpo in vienna?"), posting)
