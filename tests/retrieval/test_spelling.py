"""The spelling corrector: typed questions brought back to words the postings use."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.loaders import corpus_files, read_text
from retrieval.parsing import PostingParser
from retrieval.spelling import Speller

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def speller() -> Speller:
    parser = PostingParser()
    return Speller([parser.parse(read_text(f), f.stem) for f in corpus_files(CORPUS)])


@pytest.mark.parametrize(("typed", "expected"), [
    ("wat languges do i need for the hobden job", "what languages do i need for the hobden job"),
    ("emial of oliver lang pls", "email of oliver lang please"),
    ("the MULTY unit jpo, who's the supervizor", "the MULTI unit jpo, who's the supervisor"),
    ("artifical inteligence jpo", "artificial intelligence jpo"),
    ("who is Lisa Tortel", "who is Lisa Tortell"),  # a name keeps the postings' spelling
    ("wat's the dept", "what's the department"),
])
def test_typos_and_shorthand_are_corrected(speller: Speller, typed: str, expected: str) -> None:
    assert speller.correct(typed) == expected


@pytest.mark.parametrize("question", [
    "What's the weather like in Paris tomorrow?",  # common words the postings never use
    "Is the NORMES post supervised by John Smith?",  # a name no posting has stays as typed
    "Who supervises the JPO in Standards Policy and Development?",
    "I have 3 years of experience in labour law",
])
def test_correct_questions_pass_unchanged(speller: Speller, question: str) -> None:
    assert speller.correct(question) == question


def test_french_and_spanish_only_names_are_corrected(speller: Speller) -> None:
    assert speller.correct("pour postuler au poste IA faut envoyer ou", "fr") == (
        "pour postuler au poste IA faut envoyer ou")
    assert speller.correct("el correo de Tortel", "es") == "el correo de Tortell"
    assert speller.correct("el correo de tortel", "es") == "el correo de tortell"


def test_french_and_spanish_cognates_gloss_unknown_words(speller: Speller) -> None:
    glosses = speller.cognates("¿Qué convenio menciona el puesto y con qué agencia colabora?", "es")
    assert glosses["convenio"] == "convention" and glosses["colabora"] == "collaborate"
    assert speller.cognates("Which convention?", "en") == {}
