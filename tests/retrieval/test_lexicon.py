"""The lexicon loader: every YAML file loads and has the shape its readers rely on, and a
broken one fails at load time with a message naming the file and the key."""

from __future__ import annotations

import pytest

from retrieval.answering.fields import FIELD_HANDLERS
from retrieval.lexicon import (
    LANGUAGES,
    LexiconError,
    _check_degrees,
    _check_fields,
    _check_intents,
    _check_translated,
    check_all,
    load_yaml,
)
from retrieval.lexicon import degrees as degree_words

# Intents the answer service handles before any field: verdicts, counts, comparisons and
# "which postings mention X". Every other intent has a field handler.
SERVICE_INTENTS = {"compare", "eligibility", "count", "mention"}


def test_every_lexicon_file_loads_and_passes_its_checks() -> None:
    assert {"answers.yaml", "intents.yaml", "fields.yaml", "eligibility.yaml"} <= set(check_all())


def test_every_intent_has_a_handler() -> None:
    priority = set(load_yaml("intents.yaml")["priority"])
    assert priority - set(FIELD_HANDLERS) == SERVICE_INTENTS


def test_an_intent_missing_from_the_priority_list_fails_at_load() -> None:
    with pytest.raises(LexiconError, match="'fees_asked'"):
        _check_intents("intents.yaml", {"intents": {"grade": [r"\bgrade\b"],
                                                    "fees_asked": [r"\bfees?\b"]},
                                        "priority": ["grade"]})


def test_a_frame_missing_in_one_language_fails_at_load() -> None:
    frames = {"en": {"hello": "Hello {name}"}, "fr": {"hello": "Bonjour {name}"},
              "es": {"hello": "Hola {name}"}, "de": {}}
    with pytest.raises(LexiconError, match=r"\[de\].*'hello'"):
        _check_translated("answers.yaml", frames)


def test_a_placeholder_the_code_does_not_pass_fails_at_load() -> None:
    frames = {"en": {"hello": "Hello {name}"}, "fr": {"hello": "Bonjour {nom}"},
              "es": {"hello": "Hola"}, "de": {"hello": "Hallo {name}"}}
    with pytest.raises(LexiconError, match=r"\[fr\].*'hello'"):
        _check_translated("answers.yaml", frames)


def test_a_family_no_field_belongs_to_fails_at_load() -> None:
    with pytest.raises(LexiconError, match="legal_studies"):
        _check_fields("fields.yaml", {"fields": {"law": {"terms": ["law"], "families": ["law"]}},
                                      "policy_families": ["law", "legal_studies"],
                                      "near": {}, "ambiguous_families": []})


def test_a_degree_pattern_that_does_not_compile_fails_at_load() -> None:
    table = dict(load_yaml("degrees.yaml"))
    table["first"] = [*table["first"], "bachelor(s"]
    with pytest.raises(LexiconError, match="'first'"):
        _check_degrees("degrees.yaml", table)


@pytest.mark.parametrize(("text", "kinds", "found"), [
    ("a master's in law", ("advanced",), "master's"),
    ("licenciatura en derecho", ("first",), "licenciatura"),
    ("a first-level university degree", ("first",), "first-level university degree"),
    ("a valid driving licence", ("first",), None),
    ("experience with llm tools", ("advanced",), None),  # a posting's LLM: a language model
    ("before my studies", ("study",), "studies"),
])
def test_degree_names_read_one_way_everywhere(text: str, kinds: tuple[str, ...],
                                              found: str | None) -> None:
    match = degree_words.pattern(*kinds).search(text)
    assert (match.group(1) if match else None) == found


def test_typed_and_short_forms_only_where_asked() -> None:
    assert degree_words.pattern("advanced", typed=True).search("an msc in economics")
    assert not degree_words.pattern("advanced").search("an msc in economics")
    assert degree_words.pattern("first", short=True).search("after my ba")
    assert degree_words.abbreviations("advanced").search("LL.M. in human rights")
    assert not degree_words.abbreviations("advanced").search("ma soeur")


def test_every_language_has_a_display_name_in_every_answer_language() -> None:
    codes = set(load_yaml("languages.yaml"))
    for language in LANGUAGES:
        named = set(load_yaml("eligibility.yaml")[language]["language_names"])
        assert codes <= named, (language, sorted(codes - named))


@pytest.mark.parametrize(("sentence", "is_deadline"), [
    ("Upload your CV quoting reference JPO/PMI/2025/07 by 14 November 2025.", True),
    ("Applications must be submitted before 5 December.", True),
    ("Deadline: 19 Mar 2026", True),
    ("The JPO will report by email every month.", False),
])
def test_a_deadline_said_in_words_is_evidence(sentence: str, is_deadline: bool) -> None:
    from retrieval.text import fold
    from retrieval.understanding import _compiled

    evidence = _compiled()["not_stated"]["deadline"]["evidence"]
    assert bool(evidence.search(fold(sentence))) is is_deadline
