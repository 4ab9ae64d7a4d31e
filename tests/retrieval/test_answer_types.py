"""The kind of thing a question asks for, and sentences that name such things without sharing
a word with the question."""

from __future__ import annotations

import pytest

from retrieval.answering.answer_types import asked_kinds, names_kind
from retrieval.text import fold


@pytest.mark.parametrize(("question", "kinds"), [
    ("which countries does the plastics programme cover?", ["country"]),
    ("what software would i be working with on the telecom job?", ["tool"]),
    ("quels outils vais-je utiliser ?", ["tool"]),
    ("which partners would the jpo work with?", ["organisation"]),
    ("what day is the weekly check-in with the supervisor?", ["day"]),
    ("how often do I get a one-to-one with my supervisor?", ["frequency"]),
    ("how big is the team for the crop monitoring jpo?", ["headcount"]),
    ("which cities is the community-led monitoring in?", ["place"]),
    ("who supervises the AI post?", []),
])
def test_what_a_question_asks_for(question: str, kinds: list[str]) -> None:
    assert asked_kinds(fold(question)) == kinds


@pytest.mark.parametrize(("sentence", "kinds", "names"), [
    ("projects under the CPVC programme in Ghana, Viet Nam and Ecuador", ["country"], True),
    ("the United Nations system works on plastics", ["country"], False),  # the UN is no country
    ("Supports the deployment of the SMS4DC software", ["tool"], True),  # letters and digits
    ("cleaning survey data in Stata or R", ["tool"], True),
    ("designs the survey in SurveyCTO", ["tool"], True),  # a capital inside the word
    ("Prepares the annual report on incidents.", ["tool"], False),
    ("liaise with FAO, IFAD and WFP", ["organisation"], True),
    ("You will have a one-to-one check-in every Thursday.", ["day"], True),
    ("You and your supervisor will meet for a one-to-one every second Tuesday.",
     ["frequency"], True),
    ("Help organise the monthly Rural Finance Clinic.", ["frequency"], True),
    ("Se realizarán reuniones de seguimiento quincenales.", ["frequency"], True),
    ("Help organise the Rural Finance Clinic.", ["frequency"], False),
    ("El/la JPO se integrará a un equipo de aproximadamente 25 personas.", ["headcount"], True),
    ("Le/la JPO rejoindra une équipe de sept personnes.", ["headcount"], True),
    ("The JPO will join the unit in 2026.", ["headcount"], False),
    ("CLM runs in five municipalities: São Paulo, Rio de Janeiro, Porto Alegre, Manaus and "
     "Salvador.", ["place"], True),
    ("Second-level supervisor: Regional Director (Panama City)", ["place"], False),
])
def test_what_a_sentence_names(sentence: str, kinds: list[str], names: bool) -> None:
    assert names_kind(sentence, kinds) is names
