"""Scope of a corpus-wide question (organisation and place), how answers name postings across
agencies, and the resolver on other agencies' postings — over the five ILO postings and the
eight in other layouts (tests/data/unseen_postings, tests/data/agencies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.answering.scope import ScopeReader, posting_label, posting_place, without_scope
from retrieval.chunking import section_texts
from retrieval.indexer import parse_file
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from retrieval.parsing.headings import SemanticHeadings
from retrieval.resolver import PostingResolver
from retrieval.understanding import analyse
from tests.conftest import CORPUS, DATA

AI = "000_6199014678cf9c64"
ILO_IDS = {"000_6199014678cf9c64", "001_326f5681e1f65d2e", "002_bd34980e9eece061",
           "003_7dab671c5908fb3f", "004_3c479a0523126fec"}


@pytest.fixture(scope="module")
def postings(shared_embeddings) -> list[Posting]:
    parser = PostingParser(SemanticHeadings(lambda: shared_embeddings))
    files = sorted(CORPUS.glob("*.txt")) + sorted((DATA / "unseen_postings").iterdir())
    files += [f for f in sorted((DATA / "agencies").iterdir()) if f.suffix != ".py"]
    return [parse_file(Path(f), parser) for f in files]


@pytest.fixture(scope="module")
def ilo(postings: list[Posting]) -> list[Posting]:
    return [p for p in postings if p.id in ILO_IDS]


def _scoped(postings: list[Posting], question: str) -> set[str] | None:
    """Ids in the question's scope; None when it names no scope."""
    reader = ScopeReader(postings)
    scope = reader.read(analyse(question))
    return {p.id for p in reader.apply(scope)} if scope else None


@pytest.mark.parametrize(("question", "expected"), [
    ("Which UNICEF postings require Portuguese?", {"unicef_maputo"}),
    ("Among the UNEP, UNDP, UNHCR and UNICEF postings, which state no grade?",
     {"unep_kingston", "unhcr_tor", "unicef_maputo"}),
    ("Which of the UNEP and UNHCR JPO posts last two years?", {"unep_kingston", "unhcr_tor"}),
    ("Which of the JPO postings are in Africa?", {"wfp_dakar", "unicef_maputo"}),
    ("Which postings are based in the Americas?", {"unep_kingston", "unhcr_tor", "unsec_newyork"}),
    ("List the postings in Colombia", {"unhcr_tor"}),
    ("Which postings of the World Food Programme need French?", {"wfp_dakar"}),
    ("Which UNDP postings require French?", set()),  # named, but none here
])
def test_scope_by_organisation_and_place(postings, question: str, expected: set[str]) -> None:
    assert _scoped(postings, question) == expected


def test_outside_a_place_excludes_it(postings) -> None:
    outside = _scoped(postings, "Which postings are outside Geneva?")
    assert outside == {p.id for p in postings if not p.duty_station.startswith("Geneva")}
    assert "ohchr_geneva" not in outside and len(outside) == 7


@pytest.mark.parametrize("question", [
    "Which posting mentions collaboration with UNESCO?",  # a topic, not an organisation's posts
    "Which postings mention the Caribbean?",  # a topic, not where postings are
    "Who supervises the due diligence post?",
])
def test_a_name_that_is_a_topic_is_no_scope(postings, question: str) -> None:
    assert _scoped(postings, question) is None


def test_a_scope_that_holds_every_posting_restricts_nothing(ilo) -> None:
    assert _scoped(ilo, "Which ILO postings are in Geneva?") is None
    assert _scoped(ilo, "Which ILO postings accept French?") is None


def test_the_scope_words_are_taken_out_of_the_question(postings) -> None:
    q = analyse("Which UNICEF postings outside Geneva require Portuguese?")
    scope = ScopeReader(postings).read(q)
    rest = without_scope(q, scope)
    assert "UNICEF" not in rest.clean and "geneva" not in rest.folded
    assert "portuguese" in rest.folded


def test_places_of_postings_from_the_lexicon(postings) -> None:
    by_id = {p.id: p for p in postings}
    assert posting_place(by_id["unsec_newyork"]).region == "americas"  # "New York", no country
    assert posting_place(by_id["unhcr_tor"]).country == "colombia"
    assert posting_place(by_id["wfp_dakar"]).region == "africa"


def test_labels_name_organisation_and_city_only_when_postings_differ(postings, ilo) -> None:
    by_id = {p.id: p for p in postings}
    assert (posting_label(by_id["unhcr_tor"], postings)
            == "Associate Protection Officer (UNHCR, Riohacha)")
    assert posting_label(by_id[AI], ilo) == by_id[AI].title  # five ILO postings in Geneva


# ---- resolver ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "expected"), [
    ("Who supervises the UNHCR JPO?", ["unhcr_tor"]),
    ("How much experience for the WFP Programme Policy Officer JPO in Dakar?", ["wfp_dakar"]),
    ("What does the JPO in Riohacha do?", ["unhcr_tor"]),  # the duty station names it
    ("the refugee agency post: which languages?", ["unhcr_tor"]),  # the organisation's name
    ("Which languages for the UNESCO JPO in Beirut?", ["unesco_beirut"]),
    ("who supervises the ILO AI post?", [AI]),  # ILO names five postings, AI one of them
    # an organisation's name of several words, as a phrase: not the refugee *agency*
    ("which rome-based agencies would the world food programme jpo work with", ["wfp_dakar"]),
])
def test_resolver_names_other_agencies_postings(postings, question: str,
                                                expected: list[str]) -> None:
    q = analyse(question)
    assert PostingResolver(postings).resolve(q.clean, q.english) == expected


def test_jpo_names_no_posting(postings) -> None:
    q = analyse("What does a JPO do?")
    assert PostingResolver(postings).resolve(q.clean, q.english) == []


def test_a_shared_organisation_is_told_apart_by_other_names(postings) -> None:
    unicef = next(p for p in postings if p.id == "unicef_maputo")
    twin = unicef.model_copy(update={
        "id": "unicef_nairobi", "title": "JPO Nutrition Officer", "duty_station": "Nairobi, Kenya",
        "acronyms": {}, "department": "Nutrition Section", "unit": ""})
    resolver = PostingResolver([*postings, twin])
    for question, expected in [("the UNICEF WASH post: who supervises?", ["unicef_maputo"]),
                               ("the UNICEF job in Nairobi: what grade?", ["unicef_nairobi"])]:
        q = analyse(question)
        assert resolver.resolve(q.clean, q.english) == expected, question
    q = analyse("the UNICEF post: what grade?")
    assert set(resolver.resolve(q.clean, q.english)) == {"unicef_maputo", "unicef_nairobi"}


# ---- chunking what no section holds --------------------------------------------------------

def test_uncovered_text_is_chunked_only_when_sections_hold_too_little(postings) -> None:
    by_id = {p.id: p for p in postings}
    for pid in ILO_IDS:
        assert "other" not in dict(section_texts(by_id[pid])), pid
    sections = dict(section_texts(by_id["unicef_maputo"]))
    other = sections["other"]
    assert "Living conditions" in other
    # (the paragraph after its learning list is its training since it is no longer dropped)
    assert "WASH Climate Resilient Development course on Agora" in sections["training"]
    # …and never repeats what a section already holds.
    duties = dict(section_texts(by_id["unicef_maputo"]))["duties"]
    assert duties.splitlines()[0] not in other


def test_the_place_a_question_names_picks_the_posting_there(postings) -> None:
    """"the ilo youth employment jpo in chile": an IFAD posting in Rome says "youth employment"
    in its title, the ILO one is written in French and stationed in "Santiago (Chili)"."""
    from retrieval.models import Posting

    rome = Posting(id="ifad", source="ifad.md", title="Rural Youth Employment Officer",
                   organisation="IFAD", duty_station="Rome, Italy")
    santiago = Posting(id="ilo_scl", source="ilo.txt", organisation="ILO",
                       title="Administrateur adjoint – Emploi des jeunes",
                       duty_station="Santiago (Chili)")
    resolver = PostingResolver([*postings, rome, santiago])
    q = analyse("for the ilo youth employment jpo in chile what degree do i need?")
    assert resolver.resolve(q.clean, q.english) == ["ilo_scl"]
    q = analyse("what degree does the rural youth employment jpo need?")
    assert resolver.resolve(q.clean, q.english) == ["ifad"]
