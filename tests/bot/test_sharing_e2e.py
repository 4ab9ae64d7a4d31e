"""End to end over the local Bot API server: comparing postings (buttons and free text),
deep links (valid, stale, malformed) and inline mode — the real bot and services, as in
test_bot_e2e.py (whose fixtures run this module twice too: embedded, then with servers)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.deep_links import posting_payload
from bot.formatting import Section
from bot.keyboards import CompareAction, PostingView, posting_key
from retrieval.models import Profile
from tests.bot import test_bot_e2e as e2e
from tests.bot.test_bot_e2e import Telegram, assert_clean
from tests.support.fake_bot_api import BOT_USERNAME
from tests.support.telegram_html import html_to_text

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]
# The same fixtures as test_bot_e2e.py: this module gets its own bot and fake server.
real_services = e2e.real_services
telegram = e2e.telegram

AI, SECTOR, NORMES, MULTI = ("000_6199014678cf9c64", "001_326f5681e1f65d2e",
                             "002_bd34980e9eece061", "004_3c479a0523126fec")
ECONOMIST = Profile(degree_level="first", has_degree=True, degree_field="economics",
                    years_experience=3, languages={"en": "fluent"})


def _ids(real_services: Any) -> dict[str, str]:
    """Posting ids by their number prefix (the index may keep file suffixes or not)."""
    return {p.id[:3]: p.id for p in real_services.catalog.all()}


def _buttons(request: Any) -> list[dict[str, Any]]:
    return [b for row in request["reply_markup"]["inline_keyboard"] for b in row]


def _blocks(text: str) -> dict[str, str]:
    """The comparison's blocks by their heading line."""
    return {block.split("\n", 1)[0]: block for block in text.split("\n\n")}


async def _alert(telegram: Telegram, message: dict[str, Any], data: str, user: int) -> Any:
    """Press a button that only answers its callback (an alert); that answer."""
    mark, callback_id = await telegram.api.press(message, data, user_id=user)
    return await telegram.api.wait_for(
        lambda r: r.method == "answerCallbackQuery" and r["callback_query_id"] == callback_id,
        since=mark)


# --------------------------------------------------------------------------- compare


async def test_compare_with_buttons_and_a_stored_profile(
        telegram: Telegram, real_services: Any) -> None:
    user = 40_001
    ids = _ids(real_services)
    await real_services.profiles.save(user, ECONOMIST)
    (picker,) = await telegram.ask("/compare", user_id=user)
    assert_clean([picker])
    assert "Pick two or three postings" in picker["text"]
    labels = [b["text"] for b in _buttons(picker)]
    assert len(labels) == 6 and labels[-1] == "⚖️ Compare (0)"

    msg = telegram.api.last_message(user)
    too_soon = await _alert(telegram, msg, CompareAction(action="go").pack(), user)
    assert too_soon["text"] == "Pick at least two postings first."
    for prefix in ("001", "002"):
        msg = telegram.api.message(user, msg["message_id"])
        edit = await telegram.press(
            msg, CompareAction(action="pick", key=posting_key(ids[prefix])).pack(), user)
        assert edit.method == "editMessageText"
    picked = [b["text"] for b in _buttons(edit)]
    assert picked[1].startswith("✔ ") and picked[2].startswith("✔ ")
    assert not picked[0].startswith("✔") and picked[-1] == "⚖️ Compare (2)"

    msg = telegram.api.message(user, msg["message_id"])
    result = await telegram.press(msg, CompareAction(action="go").pack(), user)
    assert_clean([result])
    text = html_to_text(result["text"])
    blocks = _blocks(text)
    assert text.startswith("⚖️ Comparison\n1️⃣ decent work in the creative sectors")
    assert "2️⃣ Standards Policy and Development" in text
    assert blocks["🎚 Grade"] == "🎚 Grade\nAll: P2"
    assert blocks["📍 Duty station"] == "📍 Duty station\nAll: Geneva, Switzerland"
    # SECTOR accepts a first degree in economics; NORMES wants an advanced law degree.
    education = blocks["🎓 Education (minimum)"].splitlines()
    assert education[1].startswith("1️⃣ ✅ First university degree")
    assert education[2].startswith("2️⃣ ❌ Advanced university degree in Law")
    assert blocks["💼 Years of experience"].splitlines()[1:] == [
        "1️⃣ ✅ 2–4 years", "2️⃣ ✅ at least 2 years"]
    assert "1️⃣ Oliver Liang" in blocks["👤 Supervisor"]
    assert blocks["With your profile"].splitlines()[1:3] == ["1️⃣ ✅ eligible",
                                                             "2️⃣ ❌ not eligible"]
    # A phone-sized message: no table markup; each compared card one tap away.
    assert "<pre>" not in result["text"] and "|" not in text
    assert [b["callback_data"] for b in _buttons(result)] == [
        PostingView(key=posting_key(ids[n]), section=Section.CARD).pack()
        for n in ("001", "002")]


async def test_a_fourth_pick_is_refused(telegram: Telegram, real_services: Any) -> None:
    user = 40_002
    ids = _ids(real_services)
    await telegram.ask("/compare", user_id=user)
    msg = telegram.api.last_message(user)
    for prefix in ("000", "001", "002"):
        await telegram.press(telegram.api.message(user, msg["message_id"]),
                             CompareAction(action="pick", key=posting_key(ids[prefix])).pack(),
                             user)
    answer = await _alert(telegram, telegram.api.message(user, msg["message_id"]),
                          CompareAction(action="pick", key=posting_key(ids["003"])).pack(), user)
    assert "up to three" in answer["text"] and answer["show_alert"] is True


@pytest.mark.parametrize(("question", "first", "second", "heading"), [
    ("compare the AI and the due diligence posts", "innovation and artificial intelligence",
     "Responsible Business/Due Diligence", "📍 Duty station"),
    ("difference between NORMES and SECTOR", "Standards Policy and Development",
     "decent work in the creative sectors", "🎚 Grade"),
    ("comparer les postes NORMES et SECTOR", "Standards Policy and Development",
     "decent work in the creative sectors", "🎚 Grade"),
    ("¿Cuál es la diferencia entre el puesto de IA y el de diligencia debida?",
     "innovation and artificial intelligence", "Responsible Business/Due Diligence",
     "📍 Duty station"),
])
async def test_compare_in_free_text(telegram: Telegram, question: str, first: str,
                                    second: str, heading: str) -> None:
    user = 40_100 + len(question)
    (reply,) = await telegram.ask(question, user_id=user)
    assert_clean([reply])
    text = html_to_text(reply["text"])
    assert text.startswith(f"⚖️ Comparison\n1️⃣ {first}")
    assert f"2️⃣ {second}" in text
    assert heading in _blocks(text)
    assert "Save your profile with /profile" in text  # no profile: no ✅/❌
    assert "✅" not in text.replace("✅/❌", "")
    assert [b["text"] for b in _buttons(reply)] == ["👍", "👎"]


async def test_compare_in_free_text_uses_the_stored_profile(
        telegram: Telegram, real_services: Any) -> None:
    user = 40_003
    await real_services.profiles.save(user, ECONOMIST)
    (reply,) = await telegram.ask("difference between SECTOR and NORMES", user_id=user)
    blocks = _blocks(html_to_text(reply["text"]))
    assert blocks["With your profile"].splitlines()[1:3] == ["1️⃣ ✅ eligible",
                                                             "2️⃣ ❌ not eligible"]


async def test_compare_naming_one_posting_asks_for_another(telegram: Telegram) -> None:
    (reply,) = await telegram.ask("compare the NORMES post", user_id=40_004)
    assert "Name two or three" in html_to_text(reply["text"])


# --------------------------------------------------------------------------- deep links


async def test_a_deep_link_opens_the_card_with_a_share_button(
        telegram: Telegram, real_services: Any) -> None:
    user = 40_010
    posting_id = _ids(real_services)["004"]
    payload = posting_payload(posting_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    (card,) = await telegram.ask(f"/start {payload}", user_id=user)
    assert_clean([card])
    text = html_to_text(card["text"])
    assert text.startswith("Junior Professional Officer in Responsible Business/Due Diligence")
    assert "Githa Roelans" in text and "Hello" not in text
    share = next(b for b in _buttons(card) if b["text"] == "📤 Share")
    assert share["switch_inline_query"] == payload
    duties = next(b for b in _buttons(card) if b["text"] == "Duties")
    assert duties["callback_data"] == PostingView(key=posting_key(posting_id),
                                                  section=Section.DUTIES).pack()


async def test_a_removed_postings_link_says_so(telegram: Telegram) -> None:
    (reply,) = await telegram.ask(f"/start {posting_payload('009_removed_posting')}",
                                  user_id=40_011)
    text = html_to_text(reply["text"])
    assert text.startswith("This posting is no longer available")
    assert "Hello, User40011!" in text  # …and the welcome, with its menu
    assert _buttons(reply)[0]["text"] == "📋 Browse postings"


@pytest.mark.parametrize("payload", ["hello", "abc-XYZ", "x" * 70, "<b>card</b>"])
async def test_a_malformed_link_gets_a_clear_message(telegram: Telegram, payload: str) -> None:
    (reply,) = await telegram.ask(f"/start {payload}", user_id=40_012)
    assert_clean([reply])
    text = html_to_text(reply["text"])
    assert text.startswith("This link is not valid") and "Hello, User40012!" in text


async def test_plain_start_still_welcomes(telegram: Telegram) -> None:
    (welcome,) = await telegram.ask("/start", user_id=40_013)
    assert "Hello, User40013!" in html_to_text(welcome["text"])


# --------------------------------------------------------------------------- inline mode


async def _inline(telegram: Telegram, query: str, user_id: int, offset: str = "") -> Any:
    mark, query_id = await telegram.api.inline_query(query, user_id=user_id, offset=offset)
    return await telegram.api.wait_for(
        lambda r: r.method == "answerInlineQuery" and r["inline_query_id"] == query_id,
        since=mark)


async def test_inline_query_lists_matching_postings_as_cards(
        telegram: Telegram, real_services: Any) -> None:
    answer = await _inline(telegram, "normes", user_id=40_020)
    results = answer["results"]
    first = results[0]
    posting_id = _ids(real_services)["002"]
    assert first["type"] == "article" and first["id"] == posting_payload(posting_id)
    assert first["title"] == "Standards Policy and Development"
    assert first["description"] == "Geneva, Switzerland · grade P2"
    card = first["input_message_content"]
    assert card["parse_mode"] == "HTML"
    assert html_to_text(card["message_text"]).startswith(
        "Junior Professional Officer in Standards Policy and Development")
    (button,) = [b for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert button["url"] == f"https://t.me/{BOT_USERNAME}?start={posting_payload(posting_id)}"
    assert answer["cache_time"] == real_services.settings.inline_cache_seconds
    assert answer["is_personal"] is True


async def test_inline_empty_query_lists_the_newest(telegram: Telegram,
                                                   real_services: Any) -> None:
    answer = await _inline(telegram, "", user_id=40_021)
    ids = _ids(real_services)
    assert [r["id"] for r in answer["results"]] == [
        posting_payload(ids[n]) for n in ("004", "001", "002", "003", "000")]
    assert not answer.get("next_offset")


async def test_inline_half_typed_words_and_the_share_payload(
        telegram: Telegram, real_services: Any) -> None:
    ids = _ids(real_services)
    answer = await _inline(telegram, "due dilig", user_id=40_022)
    assert answer["results"][0]["id"] == posting_payload(ids["004"])
    shared = await _inline(telegram, posting_payload(ids["001"]), user_id=40_022)
    assert [r["id"] for r in shared["results"]] == [posting_payload(ids["001"])]
    nothing = await _inline(telegram, "zzqxw", user_id=40_022)
    assert nothing["results"] == []


async def test_inline_cards_follow_the_users_language(telegram: Telegram) -> None:
    mark, query_id = len(telegram.api.requests), "iq-fr"
    await telegram.api.push("inline_query", {
        "id": query_id, "query": "vulnerable", "offset": "", "chat_type": "private",
        "from": {"id": 40_023, "is_bot": False, "first_name": "Amélie", "language_code": "fr"},
    })
    answer = await telegram.api.wait_for(
        lambda r: r.method == "answerInlineQuery" and r["inline_query_id"] == query_id,
        since=mark)
    first = answer["results"][0]
    assert "Lieu d'affectation" in html_to_text(first["input_message_content"]["message_text"])
    assert first["description"].endswith("grade P2")
