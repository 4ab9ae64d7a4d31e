"""Yes/no questions about a posting's requirements: the verdict first, from the typed
requirements, then the requirement quoted (retrieval/answering/polar.py)."""

from __future__ import annotations

import pytest

from retrieval.answering.polar import is_polar, section_verdict
from retrieval.understanding import analyse
from tests.support.corpus_ids import AI, MULTI, NORMES, SECTOR, VULN


@pytest.mark.parametrize(("question", "posting", "first_line"), [
    # whether something is required
    ("does the due diligence job need spanish?", MULTI, "Not necessarily: Spanish is one of"),
    ("is a phd required for normes?", NORMES, "No: the posting requires an advanced"),
    ("do i need a master for the creative economy job?", SECTOR,
     "No: the posting requires a first university degree"),
    ("is english a must for the normes job?", NORMES, "Yes: English is required"),
    # whether something is enough
    ("can i apply to the due diligence post with only a bachelor's?", MULTI,
     "No: the posting requires an advanced"),
    ("is french enough for the creative sectors one?", SECTOR, "Yes: French is one of"),
    ("does the AI post accept a masters in data science", AI,
     "Yes: data science is among the accepted fields"),
    ("is 5 years of experience ok for the vulnerable work post?", VULN,
     "No: the posting asks for 2 to 4 years"),
    # both readings about two languages one requirement accepts either of
    ("does the due diligence job need spanish or is french enough?", MULTI,
     "No: Spanish is one of the languages accepted"),
    ("is english a must for the vulnerable work jpo or is french ok", VULN,
     "No: English is one of the languages accepted (English, French)"),
    # ("One of these languages must be English", said among the desirable ones, is binding)
    ("is english mandatory for the NORMES jpo or can i do it with french only", NORMES,
     "Yes: English is required: the posting says “One of these languages must be English.”"),
    # a value stated rightly
    ("is the AI job in geneva?", AI, "Yes:"),
    # "… or just a plus?" offers the other level: still a yes/no question
    ("is a master's required for the creative economy jpo or just nice to have?", SECTOR,
     "No: the posting requires a first university degree"),
    ("el español es obligatorio o solo suma para el puesto de diligencia debida?", MULTI,
     "No necesariamente:"),
    # French and Spanish
    ("le poste due diligence exige-t-il l'espagnol ?", MULTI, "Pas forcément :"),
    ("¿se requiere un doctorado para el puesto de normas?", NORMES, "No: el anuncio exige"),
])
def test_the_verdict_comes_first(ask, question: str, posting: str, first_line: str) -> None:
    a = ask(question)
    assert a.text.splitlines()[0].startswith(first_line), a.text
    assert posting in a.posting_ids
    # and the requirement itself follows, quoted from the posting
    assert len(a.text.splitlines()) > 1 and a.citations


@pytest.mark.parametrize("question", [
    "what languages does the due diligence job need?",  # not a yes/no question
    "is the due diligence job in geneva or in turin?",  # asks which
])
def test_no_verdict_where_none_is_asked(ask, question: str) -> None:
    first = ask(question).text.splitlines()[0]
    assert not first.startswith(("Yes", "No:", "Not necessarily")), first


def test_a_wrong_value_is_still_corrected_not_confirmed(ask) -> None:
    first = ask("is the due diligence JPO based in Turin?").text.splitlines()[0]
    assert first.startswith("Not Turin"), first


@pytest.mark.parametrize(("question", "polar"), [
    ("Does the AI job need French?", True),
    ("so, is a master enough?", True),
    ("for the normes post, is english required?", True),
    ("est-ce que le français suffit ?", True),
    ("¿hay un límite de edad?", True),
    ("Braucht man Französisch?", True),
    ("who supervises the AI post?", False),
    ("which postings accept French?", False),
])
def test_yes_no_questions_are_recognised(question: str, polar: bool) -> None:
    assert is_polar(analyse(question)) is polar



@pytest.mark.parametrize(("question", "section", "answer"), [
    # a skill or tool asked of a posting: where its best sentence stands decides
    ("does the unaids brazil jpo need R or stata?", "skills.minimum", "yes"),
    ("does the unaids brazil jpo require power bi?", "skills.desirable", "no"),
    ("what tools does the unaids jpo need?", "skills.minimum", None),  # not yes/no
    ("is stata enough for the unaids jpo?", "skills.minimum", None),  # asks "enough"
    ("does the unaids jpo need R?", "duties", None),  # a duty is no requirement
    # "or just nice to have" offers the desirable level; its "just" asks no "enough"
    ("is python actually required for the imo ghg jpo or just nice to have?",
     "skills.minimum", "yes"),
    ("is knowing MARPOL a must for the imo job?", "skills.desirable", "no"),
])
def test_a_requirement_sentence_answers_yes_or_no(question: str, section: str,
                                                   answer: str | None) -> None:
    verdict = section_verdict(analyse(question), section)
    assert (verdict.answer if verdict else None) == answer



def test_the_words_that_ask_whether_something_is_required_are_not_what_is_asked() -> None:
    from retrieval.answering.polar import requirement_words
    from retrieval.text import content_tokens

    words = requirement_words(analyse("is python or r actually required for the imo jpo or "
                                      "just nice to have?"))
    assert set(content_tokens("required just nice have actually")) <= words
    assert not set(content_tokens("python")) & words
    assert requirement_words(analyse("which tools does the imo jpo use?")) == set()
