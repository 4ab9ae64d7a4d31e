"""Redis: FSM state and throttling shared by two dispatchers (two replicas of the bot)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Dispatcher
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.retry import Retry as SyncRetry

from bot.app import create_dispatcher
from bot.middlewares import SLOW_DOWN, ThrottlingMiddleware
from state.shared_memory import RedisConversationMemory
from tests.support.fakes import USER_ID, FakeServices, fake_services, make_settings, message_update
from tests.support.mocked_bot import BOT_ID, MockedBot, sent_texts


@pytest_asyncio.fixture(loop_scope="function")
async def two_replicas(redis_url: str) -> AsyncIterator[tuple[Dispatcher, Dispatcher,
                                                             FakeServices, FakeServices]]:
    services_a = fake_services(redis_url=redis_url, throttle_seconds=0.5)
    services_b = fake_services(redis_url=redis_url, throttle_seconds=0.5)
    dp_a = create_dispatcher(services_a)  # type: ignore[arg-type]
    dp_b = create_dispatcher(services_b)  # type: ignore[arg-type]
    try:
        yield dp_a, dp_b, services_a, services_b
    finally:
        await dp_a.fsm.storage.close()
        await dp_b.fsm.storage.close()


def test_storage_follows_the_settings(redis_url: str) -> None:
    assert isinstance(create_dispatcher(fake_services()).fsm.storage,  # type: ignore[arg-type]
                      MemoryStorage)
    dp = create_dispatcher(fake_services(redis_url=redis_url))  # type: ignore[arg-type]
    assert isinstance(dp.fsm.storage, RedisStorage)


async def test_replicas_share_fsm_state(two_replicas) -> None:
    dp_a, dp_b, _, _ = two_replicas
    bot = MockedBot()
    # The wizard starts on replica A…
    await dp_a.feed_update(bot, message_update("/eligibility"))
    key = StorageKey(bot_id=BOT_ID, chat_id=USER_ID, user_id=USER_ID)
    state_b = await dp_b.fsm.storage.get_state(key)
    # …and replica B, which would receive the user's next update, sees where it stands.
    assert state_b is not None and state_b.startswith("Wizard:")
    await dp_b.fsm.storage.update_data(key, {"degree": "master"})
    assert (await dp_a.fsm.storage.get_data(key))["degree"] == "master"
    # /cancel-style clearing on B is seen by A too.
    await dp_b.fsm.storage.set_state(key, None)
    assert await dp_a.fsm.storage.get_state(key) is None


async def test_replicas_throttle_a_user_once(two_replicas) -> None:
    dp_a, dp_b, services_a, services_b = two_replicas
    bot_a, bot_b = MockedBot(), MockedBot()
    await dp_a.feed_update(bot_a, message_update("q1"))
    await dp_b.feed_update(bot_b, message_update("q2"))  # same user, other replica
    await dp_a.feed_update(bot_a, message_update("q3"))
    calls = [q for q, _ in services_a.answers.calls + services_b.answers.calls]
    assert calls == ["q1"]
    # One warning per window across replicas: B warned, A stays silent.
    assert sent_texts(bot_b) == [SLOW_DOWN]
    assert SLOW_DOWN not in sent_texts(bot_a)
    # Other users have their own window.
    await dp_b.feed_update(bot_b, message_update("q4", user_id=7))
    assert [q for q, _ in services_b.answers.calls] == ["q4"]
    # When the window has passed, the user gets through again, on either replica.
    await asyncio.sleep(0.6)
    await dp_b.feed_update(bot_b, message_update("q5"))
    assert [q for q, _ in services_b.answers.calls] == ["q4", "q5"]


async def test_throttling_fails_open_without_redis() -> None:
    # Nothing listens on port 1: the bot must keep answering rather than go silent.
    redis = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                  retry=Retry(NoBackoff(), 0))  # fail at once, keep the test fast
    middleware = ThrottlingMiddleware(10.0, redis=redis)
    try:
        assert await middleware._check(USER_ID) == (True, False)
        assert await middleware._check(USER_ID) == (True, False)
    finally:
        await redis.aclose()


# --------------------------------------------------------------------------- conversations


@pytest.mark.slow
def test_follow_up_on_another_replica(redis_url: str, indexed_services: Any) -> None:
    """Question on replica A, follow-up on replica B: B knows the posting from Redis."""
    from retrieval.answering import AnswerService

    settings = indexed_services.settings
    replica_a, replica_b = (
        AnswerService(settings, indexed_services.store, indexed_services.eligibility,
                      memory=RedisConversationMemory.from_url(redis_url))
        for _ in range(2))
    replica_a.answer("Tell me about the responsible business posting", "tg:77")
    follow_up = replica_b.answer("Who would supervise me there?", "tg:77")
    assert "Githa Roelans" in follow_up.text
    assert len(replica_a.memory.get("tg:77").turns) == 2
    replica_b.reset("tg:77")
    assert replica_a.memory.get("tg:77").turns == []


def test_the_bot_keeps_conversations_in_redis_the_terminal_does_not(
        redis_url: str, tmp_path: Any) -> None:
    from retrieval.answering import ConversationMemory
    from retrieval.services import build_services

    settings = make_settings(redis_url=redis_url, data_dir=tmp_path, conversation_turns=3)
    bot_services = build_services(settings, ensure_index=False, share_conversations=True)
    memory = bot_services.answers.memory
    assert isinstance(memory, RedisConversationMemory) and memory.max_turns == 3
    cli_services = build_services(settings, ensure_index=False)
    assert isinstance(cli_services.answers.memory, ConversationMemory)
    without_redis = build_services(make_settings(data_dir=tmp_path), ensure_index=False,
                                   share_conversations=True)
    assert isinstance(without_redis.answers.memory, ConversationMemory)


def test_memory_keeps_the_last_turns_and_survives_redis_outage(redis_url: str) -> None:
    import redis as redis_sync

    from retrieval.answering import Turn

    memory = RedisConversationMemory(redis_sync.Redis.from_url(redis_url), max_turns=2)
    for i in range(3):
        memory.add("c", Turn(f"q{i}", [f"p{i}"], f"a{i}"))
    assert [t.question for t in memory.get("c").turns] == ["q1", "q2"]
    assert memory.get("c").last_postings == ["p2"]
    down = RedisConversationMemory(redis_sync.Redis(host="127.0.0.1", port=1,
                                                    socket_connect_timeout=0.2,
                                                    retry=SyncRetry(NoBackoff(), 0)))
    assert down.get("c").turns == []  # no memory, but no failure either
    down.add("c", Turn("q", [], ""))
    down.reset("c")
