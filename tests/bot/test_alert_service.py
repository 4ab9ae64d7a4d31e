"""AlertService and its sender without the dispatcher: catching up after a restart, stale
events and stale queue rows, and Telegram's flood control — against the local Bot API server
with the real stores on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.alert_sender import AlertSender
from bot.alerts import AlertService
from bot.app import create_bot
from bot.i18n import create_i18n
from retrieval.alert_matching import AlertMatcher
from retrieval.eligibility import EligibilityChecker
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from state.alerts import AlertStore, Subscription
from state.profiles import ProfileStore
from tests.conftest import CORPUS
from tests.support.fake_bot_api import TOKEN, FakeBotAPI
from tests.support.fakes import FakeCatalog, make_settings
from tests.support.posting_files import SOCIAL_PROTECTION, markdown_posting

USER = 4711
PROFILE = ("I have a master's degree in economics, 3 years of experience, and speak fluent "
           "Spanish and English.")


def lima(text_suffix: str = "") -> Posting:
    text = markdown_posting(SOCIAL_PROTECTION).decode() + text_suffix
    return PostingParser().parse(text, posting_id="lima")


@pytest_asyncio.fixture(loop_scope="function")
async def world(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    api = FakeBotAPI()
    base = await api.start()
    settings = make_settings(data_dir=tmp_path, telegram_bot_token=TOKEN,
                             telegram_api_base=base, alerts_poll_seconds=0.1)
    catalog = FakeCatalog([PostingParser().parse(p.read_text(), posting_id=p.stem)
                           for p in sorted(CORPUS.glob("*.txt"))])
    store, profiles = AlertStore(tmp_path / "s.db"), ProfileStore(tmp_path / "s.db")
    checker = EligibilityChecker(catalog)
    service = AlertService(settings, store, profiles, catalog, AlertMatcher(checker),
                           create_i18n(tmp_path))
    await profiles.save(USER, checker.parse_profile(PROFILE))
    await store.save(Subscription(user_id=USER, chat_id=USER))
    bot = create_bot(settings)
    yield {"api": api, "service": service, "catalog": catalog, "bot": bot, "store": store}
    await service.stop()
    await bot.session.close()
    await store.close()
    await profiles.close()
    await api.stop()


async def test_first_start_is_the_baseline_then_unseen_versions_are_matched(
        world: dict[str, Any]) -> None:
    service, catalog, store = world["service"], world["catalog"], world["store"]
    assert await service.catch_up() == 0  # the postings already there alert nobody
    assert await store.counts() == {}
    catalog._postings.append(lima())  # e.g. `jpo-bot index` while the bot was down
    assert await service.catch_up() == 1
    assert await service.catch_up() == 0  # matched once


async def test_an_event_for_a_version_the_catalog_no_longer_has_queues_nothing(
        world: dict[str, Any]) -> None:
    service, catalog = world["service"], world["catalog"]
    catalog._postings.append(lima())
    assert await service.postings_changed({"lima": "an-older-hash"}) == 0
    assert await service.postings_changed({"lima": catalog.get("lima").content_hash}) == 1


async def test_a_posting_replaced_after_queuing_is_not_sent_stale(
        world: dict[str, Any]) -> None:
    service, catalog, store, api = (world["service"], world["catalog"], world["store"],
                                    world["api"])
    catalog._postings.append(lima())
    await service.postings_changed({"lima": catalog.get("lima").content_hash})
    catalog._postings[-1] = lima("\nNote: the post was re-advertised.\n")
    assert await service.sender.drain_once(world["bot"])
    assert await store.counts() == {"skipped": 1} and api.calls("sendMessage") == []


@pytest.mark.slow
async def test_flood_control_holds_the_sender_and_the_alert_goes_once(
        world: dict[str, Any]) -> None:
    service, catalog, store, api = (world["service"], world["catalog"], world["store"],
                                    world["api"])
    # More 429s than the session's own retries (bot/middlewares.py): the sender gets the
    # RetryAfter, puts the alert back with its delay and holds every send meanwhile.
    api.fail("sendMessage", "flood", times=4, retry_after=1)
    catalog._postings.append(lima())
    await service.postings_changed({"lima": catalog.get("lima").content_hash})
    assert await service.sender.drain_once(world["bot"])
    assert await store.counts() == {"pending": 1}
    while (await store.counts()).get("sent") != 1:
        await service.sender.drain_once(world["bot"])
    sends = api.calls("sendMessage")
    assert len(sends) == 5 and await store.deliveries(USER) == [
        (USER, "lima", catalog.get("lima").content_hash)]
    assert "New posting that fits your profile" in sends[-1]["text"]


class _SwallowingStore:
    """An outbox whose read swallows a cancellation, as a database driver caught mid-query
    can: the sending loop must still stop."""

    def __init__(self) -> None:
        self.reads = 0
        self.reading = asyncio.Event()

    async def claim(self, batch: int, lease_seconds: float) -> list[Any]:
        self.reads += 1
        self.reading.set()
        with suppress(asyncio.CancelledError):  # swallowed
            await asyncio.sleep(0.2)
        return []


async def test_the_sender_stops_even_when_a_read_swallows_its_cancellation() -> None:
    store = _SwallowingStore()

    async def render(item: Any) -> None:
        return None

    async def blocked(item: Any) -> None:
        return None

    sender = AlertSender(store, render, blocked, poll_seconds=0.01)  # type: ignore[arg-type]
    sender.start(None)  # type: ignore[arg-type]
    await store.reading.wait()
    await asyncio.wait_for(sender.stop(), 10)
    reads = store.reads
    await asyncio.sleep(0.1)
    assert store.reads == reads  # no longer polling
