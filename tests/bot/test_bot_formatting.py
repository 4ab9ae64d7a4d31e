"""bot/formatting.py and bot/keyboards.py: escaping, splitting, cards, callback data."""

from __future__ import annotations

import re

import pytest

from bot.formatting import (
    TELEGRAM_LIMIT,
    Section,
    esc,
    format_answer,
    format_posting_card,
    format_posting_section,
    format_welcome,
    posting_button_label,
    split_message,
    tg_len,
)
from bot.keyboards import PostingView, posting_key, resolve_posting
from retrieval.models import Answer, Citation, Posting
from tests.support.fakes import FakeCatalog, default_answer, make_postings
from tests.support.telegram_html import check_html, html_to_text


def words(text: str) -> list[str]:
    return html_to_text(text).split()


def assert_chunks_ok(original: str, chunks: list[str], limit: int = TELEGRAM_LIMIT,
                     *, whole_words: bool = True) -> None:
    for chunk in chunks:
        assert tg_len(chunk) <= limit
        check_html(chunk)  # valid on its own: no cut tag/entity, tags balanced
    if whole_words:  # nothing lost, nothing added, no word cut
        assert [w for c in chunks for w in words(c)] == words(original)


def test_esc_escapes_markup_but_not_quotes() -> None:
    assert esc('<b>"x" & y</b>') == '&lt;b&gt;"x" &amp; y&lt;/b&gt;'


def test_short_message_is_not_split() -> None:
    assert split_message("hello <b>world</b>") == ["hello <b>world</b>"]
    assert split_message("   ") == []


def test_split_on_paragraphs_keeps_all_text() -> None:
    paragraphs = [f"Paragraph {i}: " + ("lorem ipsum " * 40).strip() for i in range(40)]
    text = "\n\n".join(paragraphs)
    chunks = split_message(text)
    assert len(chunks) > 1
    assert_chunks_ok(text, chunks)
    # Every chunk starts at a paragraph boundary.
    assert all(c.startswith("Paragraph") for c in chunks)


def test_split_never_breaks_tags_or_entities() -> None:
    para = "<b>bold &amp; brave</b> <a href=\"https://ilo.org/a b\">link &lt;x&gt;</a> text"
    text = "\n".join([para] * 400)
    chunks = split_message(text)
    assert len(chunks) > 1
    assert_chunks_ok(text, chunks)


def test_split_reopens_tags_spanning_a_boundary() -> None:
    body = "\n\n".join(("word " * 100).strip() for _ in range(30))
    text = f"<blockquote>{body}</blockquote>"
    chunks = split_message(text)
    assert len(chunks) > 1
    assert_chunks_ok(text, chunks)
    assert all(c.startswith("<blockquote>") and c.endswith("</blockquote>") for c in chunks)


def test_split_a_single_huge_word_between_entities() -> None:
    text = "&amp;" * 3000 + "x" * 5000
    chunks = split_message(text)
    assert len(chunks) > 1
    assert_chunks_ok(text, chunks, whole_words=False)
    assert "".join(html_to_text(c) for c in chunks) == html_to_text(text)


def test_split_counts_utf16_units() -> None:
    text = " ".join(["😀"] * 3000)  # 3000 emoji = 6000 UTF-16 units + spaces
    chunks = split_message(text)
    assert len(chunks) >= 3
    assert_chunks_ok(text, chunks)


@pytest.mark.parametrize("limit", [50, 100, 333])
def test_split_small_limits(limit: int) -> None:
    text = "\n\n".join(f"<i>item {i}</i> &amp; more words here" for i in range(60))
    assert_chunks_ok(text, split_message(text, limit=limit), limit=limit)


def test_format_answer_escapes_and_lists_sources_once() -> None:
    text = format_answer(default_answer("<b>hi</b> & bye"))
    check_html(text)
    assert "You asked: &lt;b&gt;hi&lt;/b&gt; &amp; bye" in text
    assert "<b>Sources</b>" in text
    assert text.count("Innovation and AI — Supervision") == 1
    assert "Creative &lt;sectors&gt; &amp; co — Languages" in text


def test_format_answer_without_citations_has_no_sources() -> None:
    text = format_answer(Answer(text="Not stated in the postings.", found=False))
    assert "Sources" not in text
    assert text == "Not stated in the postings."


def test_format_answer_long_text_splits_cleanly() -> None:
    long = "\n\n".join(f"Point {i} <with> markup & stuff " * 20 for i in range(50))
    answer = Answer(text=long, citations=[Citation(posting_id="a", title="T", section="S")])
    chunks = split_message(format_answer(answer))
    assert len(chunks) > 1
    assert_chunks_ok(format_answer(answer), chunks)
    assert "<b>Sources</b>" in chunks[-1]


def test_welcome_mentions_count_and_time() -> None:
    from tests.support.fakes import LAST_INDEXED

    text = format_welcome("<Ann>", 5, LAST_INDEXED)
    check_html(text)
    assert "<b>5</b> postings" in text and "2025-03-01 09:30 UTC" in text
    assert "&lt;Ann&gt;" in text
    assert "not indexed yet" in format_welcome("", 0, None)


def test_posting_card_fields_and_not_stated() -> None:
    ai = make_postings(1)[0]
    card = format_posting_card(ai)
    check_html(card)
    assert "<b>Grade:</b> <i>not stated</i>" in card
    assert "Deputy Director-General / DDG" in card
    assert "2 years" in card and "Geneva, Switzerland" in card
    assert "Adviser to the Deputy Director-General" in card


def test_posting_sections_are_escaped_and_complete() -> None:
    ai, creative, normes = make_postings(3)
    duties = format_posting_section(ai, Section.DUTIES)
    check_html(duties)
    assert "Support the &lt;AI&gt; observatory &amp; research" in duties
    assert "ILO Innovation Strategy" in duties
    req = format_posting_section(ai, Section.REQUIREMENTS)
    assert "Advanced degree in economics" in req and "PhD" in req and "Excel" in req
    assert "Sensitivity to diversity" in req
    lang = format_posting_section(ai, Section.LANGUAGES)
    assert "Excellent English" in lang and "French or Spanish" in lang
    sup = format_posting_section(creative, Section.SUPERVISOR)
    assert "Jane Doe" in sup and "doe@ilo.org" in sup and "Weekly meetings" in sup
    assert "Policy analysis" in format_posting_section(ai, Section.LEARNING)
    for section in Section:
        check_html(format_posting_section(normes, section))
    assert "not stated" in format_posting_section(normes, Section.LEARNING)


def test_button_label_is_plain_and_short() -> None:
    posting = Posting(id="x", title="Junior Professional Officer in " + "Very Long " * 20,
                      duty_station="Geneva, Switzerland")
    label = posting_button_label(posting)
    assert len(label) <= 60 and label.endswith("…")
    assert posting_button_label(make_postings(1)[0]).endswith("(Geneva)")


def test_long_posting_ids_get_a_short_resolvable_key() -> None:
    long_id = "2025_jpo_" + "x" * 80 + ":weird"
    posting = Posting(id=long_id, title="Long")
    key = posting_key(long_id)
    packed = PostingView(key=key, section=Section.CARD, page=3).pack()
    assert len(packed.encode()) <= 64
    catalog = FakeCatalog([posting, *make_postings(2)])
    assert resolve_posting(catalog, key) is posting  # type: ignore[arg-type]
    assert resolve_posting(catalog, "000_ai").id == "000_ai"  # type: ignore[arg-type, union-attr]
    assert resolve_posting(catalog, "nope") is None  # type: ignore[arg-type]
    assert resolve_posting(catalog, "~deadbeef") is None  # type: ignore[arg-type]
    assert re.fullmatch(r"~[0-9a-f]{16}", key)
