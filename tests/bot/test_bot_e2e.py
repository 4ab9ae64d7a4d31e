"""End to end: the real bot, polling a fake Bot API server over HTTP, answering with the
real services over a copy of the corpus.

Gold items come from tests/bot/gold_telegram.jsonl, a verbatim selection of
tests/data/dev.jsonl (single-message field questions plus two follow-ups).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher

from bot.app import SOMETHING_WENT_WRONG
from bot.formatting import Section
from bot.keyboards import MenuAction, PostingsPage, PostingView
from bot.routers.admin import NOT_ALLOWED
from retrieval.settings import PROJECT_ROOT, Settings
from tests.servers import create_postgres_database
from tests.support.fake_bot_api import BOT_USERNAME, TOKEN, FakeBotAPI, Request
from tests.support.polling import polling_bot
from tests.support.telegram_html import check_html, html_to_text

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

ADMIN_ID = 2002
USER_ID = 1001
GOLD_FILE = Path(__file__).with_name("gold_telegram.jsonl")
GOLD = [json.loads(line) for line in GOLD_FILE.read_text().splitlines() if line.strip()]
SINGLE = [item for item in GOLD if isinstance(item["question"], str)]
FOLLOW_UPS = [item for item in GOLD if isinstance(item["question"], list)]


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def answer_part(html: str) -> str:
    """The answer as the user reads it, without the Sources list (titles there could
    otherwise satisfy a must_include by accident)."""
    return html_to_text(html.split("\n\n<b>Sources</b>")[0])


@pytest.fixture(scope="session", params=["embedded", "servers"])
def real_services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                  shared_embeddings: Any) -> Any:
    """Own services (not tests/conftest.py's `indexed_services`, whose corpus other tests may
    change), sharing the loaded embedding model.

    The whole suite runs twice: with the embedded Chroma store, in-memory bot state and
    SQLite, then as a scaled-out deployment runs — Chroma in client/server mode (`chroma
    run`), Redis for the FSM, throttling and conversation memory, and PostgreSQL for profiles,
    ratings and language choices (all started by tests/servers.py)."""
    from retrieval.services import build_services

    backends: dict[str, Any] = {}
    if request.param == "servers":
        host, port = request.getfixturevalue("chroma_server")
        redis = request.getfixturevalue("redis_server")
        database = create_postgres_database(request.getfixturevalue("postgres_server"))
        backends = {"chroma_host": host, "chroma_port": port, "collection": "e2e",
                    "redis_url": f"{redis}/1",  # the ops tests flush database 0
                    "state_db_url": database}
    corpus = tmp_path_factory.mktemp("corpus")
    for path in (PROJECT_ROOT / "corpus").iterdir():
        if path.is_file():
            shutil.copy(path, corpus / path.name)
    settings = Settings(
        _env_file=None, data_dir=tmp_path_factory.mktemp("data"), corpus_dir=corpus,
        admin_ids=[ADMIN_ID], throttle_seconds=0, telegram_bot_token=TOKEN, **backends,
    )
    # Indexes the corpus; conversation memory in Redis when configured, as in `jpo-bot run`.
    services = build_services(settings, embeddings=shared_embeddings, share_conversations=True)
    services.warm_up()
    yield services
    asyncio.run(services.aclose())


class Telegram:
    """The test's side of the chat: the fake server plus conveniences."""

    def __init__(self, api: FakeBotAPI, bot: Bot, dp: Dispatcher) -> None:
        self.api = api
        self.bot = bot
        self.dp = dp

    async def ask(self, text: str, user_id: int, chat_id: int | None = None) -> list[Request]:
        chat_id = chat_id if chat_id is not None else user_id
        mark = await self.api.send_text(text, user_id=user_id, chat_id=chat_id)
        return await self.api.replies(chat_id, since=mark)

    async def press(self, message: dict[str, Any], data: str, user_id: int) -> Request:
        """Press a button and wait until the bot has answered the callback."""
        mark, callback_id = await self.api.press(message, data, user_id=user_id)
        await self.api.wait_for(
            lambda r: r.method == "answerCallbackQuery" and r["callback_query_id"] == callback_id,
            since=mark)
        edits = [r for r in self.api.requests[mark:] if r.method == "editMessageText"]
        sends = [r for r in self.api.requests[mark:] if r.method == "sendMessage"]
        return (edits or sends)[-1]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def telegram(real_services: Any) -> AsyncIterator[Telegram]:
    api = FakeBotAPI()
    base = await api.start()
    settings = real_services.settings.model_copy(update={"telegram_api_base": base})
    try:
        async with polling_bot(api, real_services, settings, polling_timeout=2) as (bot, dp):
            yield Telegram(api, bot, dp)
    finally:
        await api.stop()


def assert_clean(replies: list[Request]) -> None:
    for reply in replies:
        check_html(reply["text"])
        assert SOMETHING_WENT_WRONG not in reply["text"]


# --------------------------------------------------------------------------- startup


async def test_startup_publishes_commands_and_drops_webhook(telegram: Telegram) -> None:
    methods = [r.method for r in telegram.api.requests]
    assert "deleteWebhook" in methods
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    commands = [r for r in telegram.api.requests if r.method == "setMyCommands"]
    default = next(r for r in commands if not r.get("scope"))
    names = [c["command"] for c in default["commands"]]
    assert names == ["start", "postings", "compare", "eligibility", "profile", "alerts",
                     "reset", "language", "help"]
    admin = next(r for r in commands if r.get("scope"))
    assert admin["scope"] == {"type": "chat", "chat_id": ADMIN_ID}
    assert "reindex" in [c["command"] for c in admin["commands"]]
    updates = next(r for r in telegram.api.requests if r.method == "getUpdates")
    assert "callback_query" in updates["allowed_updates"]


# --------------------------------------------------------------------------- questions


@pytest.mark.parametrize("item", SINGLE, ids=[item["id"] for item in SINGLE])
async def test_gold_question(telegram: Telegram, item: dict[str, Any]) -> None:
    chat_id = 10_000 + GOLD.index(item)  # a fresh conversation per item
    replies = await telegram.ask(item["question"], user_id=chat_id)
    assert_clean(replies)
    answer = _norm(answer_part(replies[0]["text"]))
    for needle in item["must_include"]:
        assert _norm(needle) in answer, f"{item['id']}: {needle!r} missing from {answer!r}"
    for needle in item.get("must_not_include", []):
        assert _norm(needle) not in answer, f"{item['id']}: {needle!r} in {answer!r}"


@pytest.mark.parametrize("item", FOLLOW_UPS, ids=[item["id"] for item in FOLLOW_UPS])
async def test_follow_up(telegram: Telegram, item: dict[str, Any]) -> None:
    chat_id = 20_000 + GOLD.index(item)
    replies: list[Request] = []
    for question in item["question"]:
        replies = await telegram.ask(question, user_id=chat_id)
        assert_clean(replies)
    answer = _norm(answer_part(replies[0]["text"]))
    for needle in item["must_include"]:
        assert _norm(needle) in answer


async def test_reset_forgets_the_posting(telegram: Telegram) -> None:
    chat_id = 30_001
    await telegram.ask("Tell me about the responsible business posting", user_id=chat_id)
    (done,) = await telegram.ask("/reset", user_id=chat_id)
    assert "forgotten" in done["text"]
    replies = await telegram.ask("Who would supervise me there?", user_id=chat_id)
    assert_clean(replies)


async def test_answers_cite_sources(telegram: Telegram) -> None:
    replies = await telegram.ask("Who supervises the JPO in Standards Policy and Development?",
                                 user_id=30_002)
    text = replies[-1]["text"]
    assert "<b>Sources</b>" in text
    assert re.search(r"• .+ — .+", text)


async def test_very_long_question_gets_a_clear_reply(telegram: Telegram) -> None:
    question = ("Who supervises the AI post? " * 200)[:5000]
    (reply,) = await telegram.ask(question, user_id=30_003)
    assert "5,000 characters" in reply["text"] and "2,000" in reply["text"]
    assert_clean([reply])


async def test_markup_in_messages_is_escaped(telegram: Telegram) -> None:
    question = "Who supervises the <b>AI</b> & innovation post?"
    replies = await telegram.ask(question, user_id=30_004)
    assert_clean(replies)  # the server accepted every reply as valid Telegram HTML
    assert "Adviser to the Deputy Director-General" in answer_part(replies[0]["text"])
    # The unknown-command reply names the command back: user text, so it must be escaped.
    (echo,) = await telegram.ask("/weird<b>cmd</b>&co now", user_id=30_004)
    assert_clean([echo])
    assert "the command /weird&lt;b&gt;cmd&lt;/b&gt;&amp;co." in echo["text"]
    shown = telegram.api.last_message(30_004)["text"]
    assert "/weird<b>cmd</b>&co" in shown  # …and the user sees exactly what they typed


# --------------------------------------------------------------------------- browsing


async def test_browse_postings_with_buttons(telegram: Telegram) -> None:
    user = 30_005
    (welcome,) = await telegram.ask("/start", user_id=user)
    assert "<b>5</b> postings" in welcome["text"]
    assert "last indexed:" in welcome["text"]
    welcome_msg = telegram.api.last_message(user)
    buttons = [b["callback_data"] for row in welcome["reply_markup"]["inline_keyboard"]
               for b in row]
    assert buttons == [MenuAction(action=a).pack() for a in ("browse", "ask", "eligibility")]

    listing = await telegram.press(welcome_msg, MenuAction(action="browse").pack(), user)
    assert listing.method == "sendMessage" and "5 JPO postings" in listing["text"]
    rows = listing["reply_markup"]["inline_keyboard"]
    assert len(rows) == 5  # one page: no navigation row
    first = rows[0][0]
    assert first["callback_data"] == PostingView(
        key="000_6199014678cf9c64", section=Section.CARD).pack()
    assert "(Geneva)" in first["text"]
    list_msg = telegram.api.last_message(user)

    card = await telegram.press(list_msg, first["callback_data"], user)
    assert card.method == "editMessageText"
    assert int(card["message_id"]) == list_msg["message_id"]
    text = html_to_text(card["text"])
    assert "innovation and artificial intelligence" in text.lower()
    for label in ("Department / unit:", "Grade:", "Duration:", "Duty station:", "Supervisor:"):
        assert label in text
    assert "2 years" in text and "Geneva" in text
    assert "Adviser to the Deputy Director-General" in text
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Duties", "Requirements", "Languages", "Supervisor & contact",
                      "Learning", "📤 Share", "⬅ Back"]

    msg = telegram.api.message(user, list_msg["message_id"])
    langs = await telegram.press(msg, PostingView(key="000_6199014678cf9c64",
                                                  section=Section.LANGUAGES).pack(), user)
    assert "English" in html_to_text(langs["text"])
    msg = telegram.api.message(user, list_msg["message_id"])
    back = await telegram.press(msg, PostingView(key="000_6199014678cf9c64",
                                                 section=Section.CARD).pack(), user)
    assert "Duty station:" in html_to_text(back["text"])
    msg = telegram.api.message(user, list_msg["message_id"])
    again = await telegram.press(msg, PostingsPage(page=0).pack(), user)
    assert "5 JPO postings" in again["text"]

    # A forged button gets an alert, not a crash.
    mark, callback_id = await telegram.api.press(msg, "pv:nope:card:0", user_id=user)
    alert = await telegram.api.wait_for(
        lambda r: r.method == "answerCallbackQuery" and r["callback_query_id"] == callback_id,
        since=mark)
    assert alert["show_alert"] is True
    assert_clean([r for r in telegram.api.requests
                  if r.method in ("sendMessage", "editMessageText")
                  and r.get("chat_id") == user])


# --------------------------------------------------------------------------- admin


async def test_reindex_refused_for_non_admin(telegram: Telegram, real_services: Any) -> None:
    (reply,) = await telegram.ask("/reindex", user_id=USER_ID)
    assert reply["text"] == NOT_ALLOWED
    assert not real_services.indexer.running


async def test_reindex_as_admin(telegram: Telegram) -> None:
    api = telegram.api
    mark = await api.send_text("/reindex", user_id=ADMIN_ID)
    started = await api.wait_for(
        lambda r: r.method == "sendMessage" and int(r["chat_id"]) == ADMIN_ID, since=mark)
    assert "Reindexing started" in started["text"]
    final = await api.wait_for(
        lambda r: r.method == "editMessageText" and "Reindex finished" in r["text"],
        since=mark, timeout=120)
    edits = [r for r in api.requests[mark:] if r.method == "editMessageText"]
    assert len({int(r["message_id"]) for r in edits}) == 1  # one message, edited in place
    assert len(edits) >= 2  # at least one progress line before the report
    assert edits[-1] is final
    text = html_to_text(final["text"])
    assert "Postings: 5" in text
    assert re.search(r"Chunks: \d+", text)
    assert re.search(r"finished in \d+\.\d s", text)
    for label in ("Added:", "Updated:", "Removed:"):
        assert label in text
    # Answers keep working after the swap.
    replies = await telegram.ask("What grade is the due diligence JPO post?", user_id=30_006)
    assert "P2" in answer_part(replies[0]["text"])


async def test_group_messages_need_a_mention(telegram: Telegram) -> None:
    api = telegram.api
    group = -100_777
    mark = await api.send_text("Who supervises the AI post?", user_id=USER_ID, chat_id=group)
    await asyncio.sleep(0.5)
    assert not [r for r in api.requests[mark:] if r.get("chat_id") == group]
    replies = await telegram.ask(f"@{BOT_USERNAME} where is the creative sectors JPO based?",
                                 user_id=USER_ID, chat_id=group)
    assert "Geneva" in answer_part(replies[0]["text"])
