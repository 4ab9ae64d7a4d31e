"""Conversations: a follow-up asks the previous question again, about another posting or with
the profile corrected, in English, French and Spanish."""

from __future__ import annotations

import uuid

import pytest

from tests.support.corpus_ids import AI, MULTI, NORMES


@pytest.fixture
def talk(indexed_services):
    def run(*messages: str):
        conversation = f"test-{uuid.uuid4().hex}"
        answers = [indexed_services.answers.answer(m, conversation) for m in messages]
        return answers[-1]
    return run


PROFILE = ("I have a bachelor's in economics and 3 years at an NGO advocating for domestic "
           "workers' rights; native English speaker. Am I eligible for the vulnerable work JPO?")


@pytest.mark.parametrize("switch", [
    "what about the NORMES one?",
    "sorry, I meant the standards one in NORMES",
    "et pour le poste NORMES ?",
    "¿y el de NORMES?",
])
def test_switching_posting_rechecks_the_same_profile(talk, switch: str) -> None:
    a = talk(PROFILE, switch)
    assert a.intent == "eligibility" and a.posting_ids == [NORMES]
    assert "law" in a.text.lower()


def test_a_profile_correction_rechecks_the_same_posting(talk) -> None:
    a = talk("MSc in data science and three years at a public employment service building "
             "labour market dashboards. Am I eligible for the AI JPO?",
             "hmm, I should mention my English is only B1, Spanish is my native language")
    assert a.intent == "eligibility" and a.posting_ids == [AI]
    assert "not" in a.text.lower() and "English" in a.text


def test_a_field_question_carries_over_to_the_posting_named_next(talk) -> None:
    a = talk("Who supervises the NORMES post?", "and for the due diligence one?")
    assert "Roelans" in a.text and a.posting_ids == [MULTI]


def test_a_new_question_is_not_taken_for_a_follow_up(talk) -> None:
    a = talk(PROFILE, "what languages does the NORMES post require?")
    assert a.intent == "languages" and a.posting_ids == [NORMES]
