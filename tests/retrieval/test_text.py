"""Words and stems: British and American spellings of a word meet."""

from __future__ import annotations

import pytest

from retrieval.text import stem


@pytest.mark.parametrize(("british", "american"), [
    ("organisations", "organizations"), ("labour", "labor"), ("programme", "program"),
    ("analyse", "analyze"), ("centre", "center"), ("catalogue", "catalog"),
    ("behaviour", "behavior"),
])
def test_spellings_stem_alike(british: str, american: str) -> None:
    assert stem(british) == stem(american)


@pytest.mark.parametrize(("a", "b"), [("hour", "her"), ("four", "for"), ("tour", "tor")])
def test_short_words_keep_their_ending(a: str, b: str) -> None:
    assert stem(a) != stem(b)
