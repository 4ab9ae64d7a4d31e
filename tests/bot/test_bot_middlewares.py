"""Throttling, group addressing, flood control and bot construction."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.client.default import Default
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, SendMessage

from bot.app import create_bot, create_dispatcher
from bot.keyboards import MenuAction
from bot.middlewares import SLOW_DOWN, RetryAfterMiddleware, ThrottlingMiddleware
from tests.support.fakes import (
    GROUP_ID,
    USER_ID,
    FakeServices,
    callback_update,
    message_update,
)
from tests.support.mocked_bot import BOT_ID, BOT_USERNAME, MockedBot, sent_texts


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --------------------------------------------------------------------------- throttling


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def throttled_dp(services: FakeServices, clock: FakeClock) -> Dispatcher:
    services.settings.throttle_seconds = 2.0
    dp = create_dispatcher(services)  # type: ignore[arg-type]
    for observer in (dp.message, dp.callback_query):
        for middleware in observer.outer_middleware:
            if isinstance(middleware, ThrottlingMiddleware):
                middleware.clock = clock
    return dp


async def test_throttling_warns_once_per_window(
    throttled_dp: Dispatcher, bot: MockedBot, services: FakeServices, clock: FakeClock
) -> None:
    dp = throttled_dp
    await dp.feed_update(bot, message_update("q1"))
    clock.now += 0.5
    await dp.feed_update(bot, message_update("q2"))
    clock.now += 0.5
    await dp.feed_update(bot, message_update("q3"))
    assert [q for q, _ in services.answers.calls] == ["q1"]
    assert sent_texts(bot)[1:] == [SLOW_DOWN]  # one warning, not two
    clock.now += 2.0
    await dp.feed_update(bot, message_update("q4"))
    assert [q for q, _ in services.answers.calls] == ["q1", "q4"]
    # Other users are not affected.
    await dp.feed_update(bot, message_update("q5", user_id=7))
    assert [q for q, _ in services.answers.calls] == ["q1", "q4", "q5"]


async def test_throttled_callbacks_are_still_answered(
    throttled_dp: Dispatcher, bot: MockedBot, clock: FakeClock
) -> None:
    data = MenuAction(action="ask").pack()
    updates = [callback_update(data) for _ in range(3)]
    for update in updates:
        await throttled_dp.feed_update(bot, update)
        clock.now += 0.1
    answers = {a.callback_query_id: a for a in bot.of_type(AnswerCallbackQuery)}
    assert set(answers) == {u.callback_query.id for u in updates}  # type: ignore[union-attr]
    assert answers[updates[1].callback_query.id].text == SLOW_DOWN  # type: ignore[union-attr]
    assert answers[updates[2].callback_query.id].text is None  # type: ignore[union-attr]
    assert len(bot.of_type(SendMessage)) == 1  # only the first press did anything


async def test_throttling_memory_is_bounded(clock: FakeClock) -> None:
    middleware = ThrottlingMiddleware(1.0, clock=clock, max_users=10)

    async def handler(event: Any, data: dict[str, Any]) -> str:
        return "ok"

    class U:
        def __init__(self, i: int) -> None:
            self.id = i

    for i in range(50):
        clock.now += 2
        assert await middleware(handler, object(), {"event_from_user": U(i)}) == "ok"  # type: ignore[arg-type]
    assert len(middleware._users) <= 11


# --------------------------------------------------------------------------- groups


def group_update(text: str, **kwargs: Any) -> Any:
    return message_update(text, chat_type="supergroup", **kwargs)


async def test_group_chatter_is_ignored(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await dp.feed_update(bot, group_update("Who supervises the AI post?"))
    await dp.feed_update(bot, group_update("/help@other_bot"))
    await dp.feed_update(bot, group_update("/unknown@other_bot"))
    sticker = {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 1,
               "height": 1, "is_animated": False, "is_video": False}
    await dp.feed_update(bot, message_update(None, chat_type="supergroup", sticker=sticker))
    await dp.feed_update(bot, group_update(
        "reply to someone else", reply_to_message={
            "message_id": 1, "date": 1, "chat": {"id": GROUP_ID, "type": "supergroup"},
            "from": {"id": 5, "is_bot": False, "first_name": "Bob"}, "text": "hi"}))
    assert bot.requests == []
    assert services.answers.calls == []


async def test_group_commands_mentions_and_replies_are_answered(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await dp.feed_update(bot, group_update("/help"))
    await dp.feed_update(bot, group_update(f"/help@{BOT_USERNAME}"))
    assert len(sent_texts(bot)) == 2 and all("How to use me" in t for t in sent_texts(bot))

    text = f"@{BOT_USERNAME} who supervises the AI post?"
    await dp.feed_update(bot, group_update(
        text, entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}]))
    await dp.feed_update(bot, group_update(
        "and the languages?", reply_to_message={
            "message_id": 77, "date": 1, "chat": {"id": GROUP_ID, "type": "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "JPO"}, "text": "…"}))
    assert services.answers.calls == [
        ("who supervises the AI post?", f"tg:{GROUP_ID}"),
        ("and the languages?", f"tg:{GROUP_ID}"),
    ]
    # In groups, answers reply to the question so the thread stays readable.
    answers = bot.of_type(SendMessage)[-2:]
    assert all(a.reply_parameters is not None for a in answers)
    assert all(a.chat_id == GROUP_ID for a in answers)


async def test_group_unknown_command_for_us(dp: Dispatcher, bot: MockedBot) -> None:
    await dp.feed_update(bot, group_update(f"/nope@{BOT_USERNAME}"))
    assert sent_texts(bot) == [f"Sorry, I don't know the command /nope@{BOT_USERNAME}. "
                               "See /help for what I can do."]


async def test_mention_only_asks_for_a_question(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    text = f"@{BOT_USERNAME}"
    await dp.feed_update(bot, group_update(
        text, entities=[{"type": "mention", "offset": 0, "length": len(text)}]))
    assert services.answers.calls == []
    assert "Ask me a question" in sent_texts(bot)[0]


async def test_private_chat_needs_no_mention(
    dp: Dispatcher, bot: MockedBot, services: FakeServices
) -> None:
    await dp.feed_update(bot, message_update("plain question"))
    assert services.answers.calls == [("plain question", f"tg:{USER_ID}")]
    assert bot.of_type(SendMessage)[-1].reply_parameters is None


# --------------------------------------------------------------------------- flood control


async def test_retry_after_is_retried(bot: MockedBot) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    bot.session.middleware(RetryAfterMiddleware(sleep=sleep))
    method = SendMessage(chat_id=1, text="x")
    bot.session.queue(SendMessage, TelegramRetryAfter(method=method, message="Too Many Requests",
                                                      retry_after=3))
    message = await bot.send_message(1, "hello")
    assert message.text == "hello"
    assert slept == [3]
    assert len(bot.of_type(SendMessage)) == 2


async def test_retry_after_gives_up(bot: MockedBot) -> None:
    async def sleep(seconds: float) -> None:
        return None

    bot.session.middleware(RetryAfterMiddleware(max_retries=2, sleep=sleep))
    method = SendMessage(chat_id=1, text="x")
    for _ in range(3):
        bot.session.queue(SendMessage, TelegramRetryAfter(method=method, message="flood",
                                                          retry_after=1))
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(1, "hello")
    assert len(bot.of_type(SendMessage)) == 3

    bot.session.queue(SendMessage, TelegramRetryAfter(method=method, message="flood",
                                                      retry_after=3600))
    with pytest.raises(TelegramRetryAfter):  # an hour's wait is not worth holding a reply
        await bot.send_message(1, "hello")


# --------------------------------------------------------------------------- construction


async def test_create_bot_uses_api_base_html_and_flood_control(services: FakeServices) -> None:
    services.settings.telegram_api_base = "http://127.0.0.1:8081/"
    bot = create_bot(services.settings)
    try:
        assert bot.session.api.api_url(bot.token, "getMe") == \
            "http://127.0.0.1:8081/bot42:TEST/getMe"
        assert bot.default["parse_mode"] == "HTML"
        assert any(isinstance(m, RetryAfterMiddleware) for m in bot.session.middleware)
        method = SendMessage(chat_id=1, text="x")
        assert isinstance(method.parse_mode, Default)  # resolved from the bot default
    finally:
        await bot.session.close()
