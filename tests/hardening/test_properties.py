"""Property-based tests: the parser, the HTML formatter and the message splitter hold up on
any input hypothesis can think of."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.formatting import esc, format_answer, split_message
from retrieval.models import Answer, Citation
from retrieval.parsing import PostingParser
from tests.support.telegram_html import check_html, html_to_text, tg_len

parser = PostingParser()
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000)
words = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po",
                                                             "So", "Sm")),
                min_size=1, max_size=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_parser_never_raises(text: str) -> None:
    posting = parser.parse(text, "x")
    assert posting.id == "x"
    assert posting.field_count() >= 0


name_part = st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True)
value = st.from_regex(r"[A-Z][a-z]{3,12}( [a-z]{3,10}){0,4}", fullmatch=True)


@settings(max_examples=80, deadline=None)
@given(first=name_part, last=name_part, topic=value, station=value, unit=value,
       bold=st.booleans(), markdown=st.booleans(), number=st.integers(1000, 9999),
       months=st.sampled_from([6, 12, 18, 24]), degree=value, language=value)
def test_parser_recovers_generated_postings(first: str, last: str, topic: str, station: str,
                                            unit: str, bold: bool, markdown: bool, number: int,
                                            months: int, degree: str, language: str) -> None:
    b = "**" if bold else ""
    h = "## " if markdown else ""
    text = "\n".join([
        f"Post number: {number}", "Month of issue: March 2025", "",
        f"{h}GENERAL INFORMATION:", "",
        f"{b}Title:{b} Junior Professional Officer in {topic}",
        f"{b}Duty station:{b} {station}", f"{b}Duration of the assignment:{b} {months} months",
        f"{b}Organisational unit:{b} {unit}", "",
        f"{h}SUPERVISION", "", f"{b}Direct Supervision by:{b}", "",
        f"{first} {last}, Senior Specialist, {last.lower()}@ilo.org", "",
        f"{h}QUALIFICATIONS AND EXPERIENCE", "", f"{b}Education:{b}", "", "Minimum:", "",
        f"{degree}.", "", "Desirable:", "", "Master's degree.", "",
        f"{b}Languages:{b}", "", "Minimum:", "", f"{language}.", "",
    ])
    p = parser.parse(text, "gen")
    assert p.title == f"Junior Professional Officer in {topic}"
    assert p.post_number == str(number)
    assert p.duty_station == station and p.unit == unit
    assert p.duration_months == months
    assert (p.supervisor.name, p.supervisor.email) == (f"{first} {last}",
                                                       f"{last.lower()}@ilo.org")
    assert p.education.minimum == f"{degree}." and p.education.desirable == "Master's degree."
    assert p.languages.minimum == f"{language}."


@settings(max_examples=150, deadline=None)
@given(any_text, st.lists(st.tuples(words, words), max_size=5))
def test_formatted_answers_are_valid_html(text: str, sources: list[tuple[str, str]]) -> None:
    answer = Answer(text=text or "x", citations=[
        Citation(posting_id=f"p{i}", title=t, section=s) for i, (t, s) in enumerate(sources)])
    html = format_answer(answer)
    check_html(html)
    for chunk in split_message(html):
        check_html(chunk)
        assert tg_len(chunk) <= 4096


def _visible(text: str) -> str:
    return re.sub(r"\s+", "", html_to_text(text))


segment = st.tuples(st.sampled_from(["", "b", "i", "code"]), words)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(segment, min_size=1, max_size=400), st.integers(50, 4096),
       st.sampled_from(["\n\n", "\n", " ", ""]))
def test_splitter_keeps_limits_entities_and_text(segments: list[tuple[str, str]], limit: int,
                                                 joiner: str) -> None:
    html = joiner.join(f"<{t}>{esc(w)}</{t}>" if t else esc(w) for t, w in segments)
    chunks = split_message(html, limit=limit)
    for chunk in chunks:
        check_html(chunk)  # never breaks a tag or an entity
        assert tg_len(html_to_text(chunk)) <= limit
    assert "".join(_visible(c) for c in chunks) == _visible(html)  # loses no text
