"""Handlers, fed real Update objects through the real dispatcher, with fake services and a
recording bot session."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendChatAction,
    SendMessage,
)
from aiogram.types import Update

from bot.app import SOMETHING_WENT_WRONG, create_dispatcher
from bot.formatting import Section
from bot.keyboards import STALE_BUTTON, MenuAction, PostingsPage, PostingView
from bot.progress import BUSY
from bot.routers.admin import NOT_ALLOWED
from bot.routers.fallback import TEXT_ONLY
from bot.routers.postings import STALE_POSTING
from bot.routers.qa import RESET_DONE
from retrieval.indexer import ReindexBusy
from retrieval.models import Answer
from tests.support.fakes import (
    ADMIN_ID,
    USER_ID,
    FakeAnswerService,
    FakeCatalog,
    FakeIndexer,
    FakeServices,
    callback_update,
    make_postings,
    make_settings,
    message_update,
)
from tests.support.mocked_bot import (
    MockedBot,
    assert_html_valid,
    button_pairs,
    callback_answer,
    sent_texts,
)


async def feed(dp: Dispatcher, bot: MockedBot, update: Update) -> Any:
    return await dp.feed_update(bot, update)


def sent(bot: MockedBot) -> list[SendMessage]:
    return bot.of_type(SendMessage)


async def press(dp: Dispatcher, bot: MockedBot, data: str) -> AnswerCallbackQuery:
    """Feeds a press of the inline button carrying `data`; returns the bot's one answer."""
    update = callback_update(data)
    await feed(dp, bot, update)
    return callback_answer(bot, update)


# --------------------------------------------------------------------------- qa


async def test_start_shows_count_last_indexed_and_menu(dp: Dispatcher, bot: MockedBot) -> None:
    await feed(dp, bot, message_update("/start"))
    (msg,) = sent(bot)
    assert msg.chat_id == USER_ID
    assert "<b>3</b> postings" in msg.text
    assert "2025-03-01 09:30 UTC" in msg.text
    assert button_pairs(msg.reply_markup) == [
        ("📋 Browse postings", MenuAction(action="browse").pack()),
        ("💬 Ask a question", MenuAction(action="ask").pack()),
        ("✅ Check eligibility", MenuAction(action="eligibility").pack()),
    ]
    assert_html_valid(bot)


async def test_help_lists_examples_and_commands(dp: Dispatcher, bot: MockedBot) -> None:
    await feed(dp, bot, message_update("/help"))
    (text,) = sent_texts(bot)
    assert "Who supervises the JPO in Standards Policy and Development?" in text
    for command in ("/postings", "/eligibility", "/reset"):
        assert command in text


async def test_question_is_answered_with_sources(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await feed(dp, bot, message_update("Who supervises the AI post?"))
    assert services.answers.calls == [("Who supervises the AI post?", f"tg:{USER_ID}")]
    (text,) = sent_texts(bot)
    assert text.startswith("You asked: Who supervises the AI post?")
    assert "<b>Sources</b>\n• Innovation and AI — Supervision\n" in text
    assert text.count("Innovation and AI — Supervision") == 1
    actions = bot.of_type(SendChatAction)
    assert actions and actions[0].action == "typing" and actions[0].chat_id == USER_ID
    # The typing indicator starts before the answer is sent.
    assert bot.requests.index(actions[0]) < bot.requests.index(sent(bot)[0])


async def test_user_html_is_escaped(dp: Dispatcher, bot: MockedBot) -> None:
    await feed(dp, bot, message_update("Is <b>this</b> & that <script> ok?"))
    (text,) = sent_texts(bot)
    assert "Is &lt;b&gt;this&lt;/b&gt; &amp; that &lt;script&gt; ok?" in text
    assert "Creative &lt;sectors&gt; &amp; co — Languages" in text
    assert_html_valid(bot)


async def test_follow_up_uses_the_same_conversation(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await feed(dp, bot, message_update("Tell me about the AI posting"))
    await feed(dp, bot, message_update("and the languages?"))
    await feed(dp, bot, message_update("hello", user_id=5))
    assert [c[1] for c in services.answers.calls] == [f"tg:{USER_ID}", f"tg:{USER_ID}", "tg:5"]


async def test_reset_forgets_the_chat(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await feed(dp, bot, message_update("/reset"))
    assert services.answers.resets == [f"tg:{USER_ID}"]
    assert sent_texts(bot) == [RESET_DONE]


async def test_too_long_question_is_refused_clearly(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await feed(dp, bot, message_update("x" * 2001))
    assert services.answers.calls == []
    (text,) = sent_texts(bot)
    assert "2,001 characters" in text and "2,000" in text


async def test_long_answer_is_sent_in_several_valid_messages(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    long = "\n\n".join(f"Paragraph {i} <x> & " + "word " * 150 for i in range(20))
    services.answers.respond = lambda q: Answer(text=long)
    await feed(dp, bot, message_update("long please"))
    texts = sent_texts(bot)
    assert len(texts) > 1
    assert all(len(t) <= 4096 for t in texts)
    assert_html_valid(bot)
    assert sum(t.count("Paragraph") for t in texts) == 20


async def test_ask_button_prompts_for_a_question(dp: Dispatcher, bot: MockedBot) -> None:
    await press(dp, bot, MenuAction(action="ask").pack())
    (text,) = sent_texts(bot)
    assert "Type your question" in text


# --------------------------------------------------------------------------- eligibility


async def test_eligibility_starts_the_wizard(dp: Dispatcher, bot: MockedBot) -> None:
    await feed(dp, bot, message_update("/eligibility"))
    await press(dp, bot, MenuAction(action="eligibility").pack())
    texts = sent_texts(bot)
    assert len(texts) == 2 and texts[0] == texts[1]
    assert "Step 1 of 5" in texts[0]


# --------------------------------------------------------------------------- postings


async def test_postings_lists_one_button_per_posting(dp: Dispatcher, bot: MockedBot) -> None:
    await feed(dp, bot, message_update("/postings"))
    (msg,) = sent(bot)
    assert "3 JPO postings" in msg.text
    assert button_pairs(msg.reply_markup) == [
        ("innovation and AI (Geneva)", PostingView(key="000_ai", section=Section.CARD).pack()),
        ("creative sectors (Geneva)",
         PostingView(key="001_creative", section=Section.CARD).pack()),
        ("Standards Policy (Geneva)", PostingView(key="002_normes", section=Section.CARD).pack()),
    ]


async def test_browse_button_sends_the_list(dp: Dispatcher, bot: MockedBot) -> None:
    await press(dp, bot, MenuAction(action="browse").pack())
    (msg,) = sent(bot)
    assert len(button_pairs(msg.reply_markup)) == 3


async def test_postings_are_paginated(bot: MockedBot, services: FakeServices) -> None:
    services.catalog = FakeCatalog(make_postings(8))
    dp = create_dispatcher(services)  # type: ignore[arg-type]
    await feed(dp, bot, message_update("/postings"))
    (msg,) = sent(bot)
    assert "page 1 of 2" in msg.text
    first = button_pairs(msg.reply_markup)
    assert len([b for b in first if b[1].startswith("pv:")]) == 6
    assert ("Next ▶", PostingsPage(page=1).pack()) in first
    assert not any(text.startswith("◀") for text, _ in first)

    await press(dp, bot, PostingsPage(page=1).pack())
    (edit,) = bot.of_type(EditMessageText)
    assert "page 2 of 2" in edit.text
    second = button_pairs(edit.reply_markup)
    assert [b[0] for b in second if b[1].startswith("pv:")] == [
        "Topic 6 (City 6)", "Topic 7 (City 7)"]
    assert ("◀ Previous", PostingsPage(page=0).pack()) in second
    assert PostingView(key="006_extra", section=Section.CARD, page=1).pack() in dict(
        (v, k) for k, v in second)

    # A stale page number (postings were removed) is clamped, not an error.
    bot.clear()
    await feed(dp, bot, callback_update(PostingsPage(page=9).pack()))
    (edit,) = bot.of_type(EditMessageText)
    assert "page 2 of 2" in edit.text


async def test_card_sections_and_back(dp: Dispatcher, bot: MockedBot) -> None:
    await press(dp, bot, PostingView(key="000_ai", section=Section.CARD).pack())
    (card,) = bot.of_type(EditMessageText)
    assert card.message_id == 500 and card.chat_id == USER_ID
    assert "Junior Professional Officer on innovation and AI" in card.text
    assert "<b>Grade:</b> <i>not stated</i>" in card.text
    assert "Deputy Director-General / DDG" in card.text
    assert "<b>Duration:</b> 2 years" in card.text
    assert "<b>Duty station:</b> Geneva, Switzerland" in card.text
    assert "Adviser to the Deputy Director-General" in card.text
    labels = [text for text, _ in button_pairs(card.reply_markup)]
    assert labels == ["Duties", "Requirements", "Languages", "Supervisor & contact",
                      "Learning", "📤 Share", "⬅ Back"]
    assert button_pairs(card.reply_markup)[-1][1] == PostingsPage(page=0).pack()

    expected = {
        Section.DUTIES: "Support the &lt;AI&gt; observatory &amp; research",
        Section.REQUIREMENTS: "Advanced degree in economics",
        Section.LANGUAGES: "Excellent English",
        Section.SUPERVISOR: "Adviser to the Deputy Director-General",
        Section.LEARNING: "Policy analysis",
    }
    for section, needle in expected.items():
        bot.clear()
        await press(dp, bot, PostingView(key="000_ai", section=section).pack())
        (edit,) = bot.of_type(EditMessageText)
        assert needle in edit.text
        back = button_pairs(edit.reply_markup)[-1]
        assert back == ("⬅ Back", PostingView(key="000_ai", section=Section.CARD).pack())
    assert_html_valid(bot)


async def test_pressing_the_same_button_twice_is_harmless(
    dp: Dispatcher, bot: MockedBot
) -> None:
    from aiogram.exceptions import TelegramBadRequest

    bot.session.queue(EditMessageText, TelegramBadRequest(
        method=EditMessageText(text="x"), message="Bad Request: message is not modified"))
    await press(dp, bot, PostingView(key="000_ai", section=Section.CARD).pack())
    assert SOMETHING_WENT_WRONG not in sent_texts(bot)


async def test_uneditable_message_gets_a_fresh_one(dp: Dispatcher, bot: MockedBot) -> None:
    from aiogram.exceptions import TelegramBadRequest

    bot.session.queue(EditMessageText, TelegramBadRequest(
        method=EditMessageText(text="x"), message="Bad Request: message can't be edited"))
    await press(dp, bot, PostingView(key="001_creative", section=Section.CARD).pack())
    (msg,) = sent(bot)
    assert "creative sectors" in msg.text and "Duties" in str(msg.reply_markup)


@pytest.mark.parametrize("data", [
    PostingView(key="999_gone", section=Section.CARD).pack(),
    PostingView(key="~0123456789abcdef", section=Section.DUTIES).pack(),
])
async def test_unknown_posting_in_callback_gets_an_alert(
    dp: Dispatcher, bot: MockedBot, data: str
) -> None:
    answer = await press(dp, bot, data)
    assert answer.text == STALE_POSTING and answer.show_alert
    assert not bot.of_type(EditMessageText) and not sent(bot)


@pytest.mark.parametrize("data", ["garbage", "pv:000_ai:nosuchsection:0", "pg:notanumber",
                                  "menu:selfdestruct"])
async def test_forged_callback_data_is_answered(
    dp: Dispatcher, bot: MockedBot, data: str
) -> None:
    answer = await press(dp, bot, data)
    assert answer.text == STALE_BUTTON and answer.show_alert


async def test_empty_catalog(bot: MockedBot, services: FakeServices) -> None:
    services.catalog = FakeCatalog([], last_indexed=None)
    dp = create_dispatcher(services)  # type: ignore[arg-type]
    await feed(dp, bot, message_update("/postings"))
    await feed(dp, bot, message_update("/start"))
    texts = sent_texts(bot)
    assert "No postings are indexed yet" in texts[0]
    assert "<b>0</b> postings" in texts[1] and "not indexed yet" in texts[1]


# --------------------------------------------------------------------------- fallback


async def test_unknown_command(dp: Dispatcher, bot: MockedBot, services: FakeServices) -> None:
    await feed(dp, bot, message_update("/frobnicate now"))
    await feed(dp, bot, message_update("/<b>x</b>&co please"))
    await feed(dp, bot, message_update("/" + "z" * 100))
    texts = sent_texts(bot)
    assert texts[0] == "Sorry, I don't know the command /frobnicate. See /help for what I can do."
    assert "the command /&lt;b&gt;x&lt;/b&gt;&amp;co." in texts[1]
    assert "/" + "z" * 62 + "…" in texts[2]
    assert services.answers.calls == []
    assert_html_valid(bot)


@pytest.mark.parametrize("extra", [
    {"sticker": {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 512,
                 "height": 512, "is_animated": False, "is_video": False}},
    {"photo": [{"file_id": "p", "file_unique_id": "pu", "width": 90, "height": 90}]},
    {"voice": {"file_id": "v", "file_unique_id": "vu", "duration": 3}},
])
async def test_non_text_messages(dp: Dispatcher, bot: MockedBot, extra: dict[str, Any]) -> None:
    await feed(dp, bot, message_update(None, **extra))
    assert sent_texts(bot) == [TEXT_ONLY]


# --------------------------------------------------------------------------- admin


async def test_reindex_refused_for_non_admins(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await feed(dp, bot, message_update("/reindex"))
    assert sent_texts(bot) == [NOT_ALLOWED]
    assert services.indexer.calls == 0


async def test_reindex_as_admin_edits_one_progress_message(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await feed(dp, bot, message_update("/reindex", user_id=ADMIN_ID))
    assert services.indexer.calls == 1
    (started,) = sent(bot)
    assert "Reindexing started" in started.text
    edits = bot.of_type(EditMessageText)
    assert len(edits) >= 2
    assert {e.message_id for e in edits} == {1000}  # the MockedSession's first message id
    assert "Reading the corpus" in edits[0].text
    final = edits[-1].text
    assert "Reindex finished in 1.2 s" in final or "Reindex finished in 1.3 s" in final
    assert "Postings: <b>3</b>" in final and "Chunks: <b>42</b>" in final
    assert "Added: 003_new" in final and "Updated: 001_creative" in final
    assert "Removed: none" in final
    assert_html_valid(bot)


async def test_second_reindex_while_running_is_refused(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    indexer = services.indexer
    indexer.release.clear()
    first = asyncio.create_task(feed(dp, bot, message_update("/reindex", user_id=ADMIN_ID)))
    await asyncio.wait_for(indexer.started.wait(), 2)
    await feed(dp, bot, message_update("/reindex", user_id=ADMIN_ID))
    assert sent_texts(bot)[-1] == BUSY
    indexer.release.set()
    await asyncio.wait_for(first, 2)
    assert indexer.calls == 1
    assert "Reindex finished" in bot.of_type(EditMessageText)[-1].text


async def test_reindex_busy_race_and_failure_are_reported(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    services.indexer.error = ReindexBusy("already")
    await feed(dp, bot, message_update("/reindex", user_id=ADMIN_ID))
    assert bot.of_type(EditMessageText)[-1].text == BUSY
    bot.clear()
    services.indexer.error = RuntimeError("disk <full>")
    await feed(dp, bot, message_update("/reindex", user_id=ADMIN_ID))
    final = bot.of_type(EditMessageText)[-1].text
    assert "Reindex failed" in final and "disk &lt;full&gt;" in final
    assert_html_valid(bot)


async def test_admin_list_is_read_on_every_call(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    services.settings.admin_ids.append(USER_ID)
    await feed(dp, bot, message_update("/reindex"))
    assert services.indexer.calls == 1


# --------------------------------------------------------------------------- errors


async def test_errors_get_a_reply_and_are_logged(
    dp: Dispatcher, bot: MockedBot, services: FakeServices, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(question: str) -> Answer:
        raise RuntimeError("index exploded")

    services.answers.respond = boom
    update = message_update("Who supervises?")
    await feed(dp, bot, update)
    assert sent_texts(bot) == [SOMETHING_WENT_WRONG]
    assert any(f"Update {update.update_id} failed" in r.getMessage() for r in caplog.records)


async def test_callback_errors_are_answered(
    bot: MockedBot, services: FakeServices
) -> None:
    class BrokenCatalog(FakeCatalog):
        def get(self, posting_id: str) -> None:
            raise RuntimeError("catalog down")

    services.catalog = BrokenCatalog(make_postings(2))
    dp = create_dispatcher(services)  # type: ignore[arg-type]
    answer = await press(dp, bot, PostingView(key="000_ai", section=Section.CARD).pack())
    assert answer.text == SOMETHING_WENT_WRONG
    assert sent_texts(bot) == [SOMETHING_WENT_WRONG]


async def test_error_handler_survives_failing_reply(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    from aiogram.exceptions import TelegramForbiddenError

    forbidden = TelegramForbiddenError(method=SendMessage(chat_id=1, text="x"),
                                       message="Forbidden: bot was blocked by the user")
    bot.session.queue(SendMessage, forbidden)  # the answer fails…
    bot.session.queue(SendMessage, forbidden)  # …and so does the apology
    await feed(dp, bot, message_update("hello"))  # must not raise
    assert len(sent(bot)) == 2


# --------------------------------------------------------------------------- unused services


def test_fake_services_shape_matches_contract(services: FakeServices) -> None:
    data = services.as_workflow_data()
    assert set(data) == {"settings", "catalog", "indexer", "answer_service", "eligibility",
                         "feedback", "cv_reader"}
    assert isinstance(services.indexer, FakeIndexer)
    assert isinstance(services.answers, FakeAnswerService)
    assert make_settings(admin_ids="1, 2").admin_ids == [1, 2]


async def test_progress_message_ignores_late_and_too_frequent_lines(bot: MockedBot) -> None:
    from bot.progress import ProgressMessage

    now = [0.0]
    message = await bot.send_message(USER_ID, "started")
    progress = ProgressMessage(message, min_interval=1.0, clock=lambda: now[0])
    await progress.update("step 1")
    await progress.update("step 2")  # within the interval: skipped
    now[0] = 1.5
    await progress.update("step 3 <x>")
    await progress.finish("done")
    await progress.update("late line")  # arrives after the report: must not replace it
    assert [e.text for e in bot.of_type(EditMessageText)] == [
        "🔄 step 1", "🔄 step 3 &lt;x&gt;", "done"]


def test_main_refuses_to_start_without_a_token() -> None:
    from bot.app import main

    with pytest.raises(SystemExit, match="TELEGRAM_BOT_TOKEN"):
        main(make_settings(telegram_bot_token=""))
