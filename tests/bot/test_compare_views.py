"""How comparisons are shown: escaped Telegram HTML, one line per posting, and the
formatter both answer paths (plain and streamed with an LLM) use."""

from __future__ import annotations

import asyncio

from bot.formatting import format_answer, format_comparison
from bot.routers.compare import answer_formatter, comparison_formatter
from retrieval.compare import PostingComparer
from retrieval.eligibility import EligibilityChecker
from retrieval.models import Answer
from tests.support.fakes import FakeCatalog, make_postings
from tests.support.telegram_html import check_html, html_to_text


def _setup() -> tuple[FakeCatalog, PostingComparer]:
    postings = make_postings(3)
    postings[1] = postings[1].model_copy(update={"duty_station": "Geneva <b>&</b> Turin"})
    catalog = FakeCatalog(postings)
    return catalog, PostingComparer(EligibilityChecker(catalog))


def test_comparison_html_is_escaped_and_phone_sized() -> None:
    catalog, comparer = _setup()
    html = format_comparison(comparer.compare(catalog.all()[:2]))
    check_html(html)
    assert "Geneva &lt;b&gt;&amp;&lt;/b&gt; Turin" in html
    text = html_to_text(html)
    station = text.split("📍 Duty station\n", 1)[1].split("\n\n", 1)[0]
    assert station == "1️⃣ Geneva, Switzerland\n2️⃣ Geneva <b>&</b> Turin"
    assert "🎚 Grade\n1️⃣ not stated\n2️⃣ P2" in text
    assert "Save your profile with /profile" in text


class _NoProfiles:
    async def get(self, user_id: int) -> None:
        raise AssertionError("the stored profile is read only for comparison questions")


def test_the_formatter_renders_comparisons_and_leaves_other_answers_alone() -> None:
    catalog, comparer = _setup()
    plain = Answer(text="The post is at grade P2.")
    assert asyncio.run(answer_formatter("what grade is the creative post?", 1, catalog,
                                        comparer, _NoProfiles())) is format_answer
    render = comparison_formatter("compare the AI and creative posts", catalog, comparer, None)
    compared = Answer(text="Comparison: …", intent="compare",
                      posting_ids=["000_ai", "001_creative"])
    assert html_to_text(render(compared)).startswith("⚖️ Comparison\n1️⃣ innovation and AI")
    assert render(plain) == format_answer(plain)
    stale = compared.model_copy(update={"posting_ids": ["000_ai", "gone"]})
    assert render(stale) == format_answer(stale)
