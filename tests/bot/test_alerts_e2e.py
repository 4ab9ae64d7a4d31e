"""/alerts end to end: the real bot polling the local Bot API server (tests/support/
fake_bot_api.py) over real services on a copy of the corpus (vectors from a hashing embedder,
no model), state in SQLite or PostgreSQL.

A user saves a profile and subscribes; an admin uploads a posting that fits the profile and
one that does not: exactly one alert arrives, for the fitting one. Then: the queue survives a
restart (a replica that does not deliver queues it, the next start sends it, once); two
replicas sharing PostgreSQL send each alert once; a user who blocked the bot (403) gets their
subscription paused.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher

from bot.alert_views import AlertAction
from bot.alerts import AlertService
from bot.app import create_bot, create_dispatcher, run_polling
from state.alerts import AlertStore, Subscription
from tests.servers import create_postgres_database
from tests.support.fake_bot_api import TOKEN, FakeBotAPI, Request
from tests.support.fakes import ADMIN_ID, USER_ID, corpus_copy_settings
from tests.support.hash_embeddings import HashEmbeddings
from tests.support.polling import sent_to
from tests.support.posting_files import SAFETY, SOCIAL_PROTECTION, docx_posting
from tests.support.telegram_html import check_html, html_to_text

pytestmark = pytest.mark.slow

# Fits SOCIAL_PROTECTION (Lima: an advanced degree in economics, Spanish and English); SAFETY
# (Nairobi) wants a degree in occupational safety, engineering or public health.
ECONOMIST = ("I have a master's degree in economics, 3 years of experience in social "
             "security, and speak fluent Spanish and English.")
FITS = "New posting that fits your profile"


class App:
    """One bot process: a dispatcher polling the fake server, or (`poll=False`) a replica
    that serves no updates here — as a webhook replica behind another — but delivers."""

    def __init__(self, api: FakeBotAPI, services: Any, *, poll: bool = True,
                 **settings: Any) -> None:
        self.api = api
        self.services = dataclasses.replace(
            services, settings=services.settings.model_copy(
                update={"telegram_api_base": api.base_url, **settings}))
        self.poll = poll
        self.bot: Bot = create_bot(self.services.settings)
        self.dp: Dispatcher = create_dispatcher(self.services)
        self.task: asyncio.Task[None] | None = None

    @property
    def alerts(self) -> AlertService:
        return self.dp.workflow_data["alerts"]

    async def start(self) -> App:
        if self.poll:
            mark = len(self.api.requests)
            self.task = asyncio.create_task(run_polling(
                self.services, bot=self.bot, dispatcher=self.dp, handle_signals=False,
                polling_timeout=1))
            started = asyncio.ensure_future(self.api.wait_for(
                lambda r: r.method == "getUpdates", since=mark, timeout=30))
            await asyncio.wait([started, self.task], return_when=asyncio.FIRST_COMPLETED)
            if self.task.done():  # polling ended before serving: show why
                started.cancel()
                self.task.result()
                raise AssertionError("polling stopped at start-up")
            await started
        else:
            await self.dp.emit_startup(bot=self.bot, **self.dp.workflow_data)
        return self

    async def stop(self) -> None:
        if self.task is not None:
            await self.dp.stop_polling()
            await asyncio.wait_for(self.task, 15)
        else:
            await self.dp.emit_shutdown(bot=self.bot, **self.dp.workflow_data)
            await self.bot.session.close()


def alerts_to(api: FakeBotAPI, chat: int) -> list[Request]:
    return [r for r in api.calls("sendMessage") if int(r["chat_id"]) == chat
            and "New posting that" in r["text"]]


def button(request: Request | dict[str, Any], label: str) -> str:
    return next(b["callback_data"] for row in request["reply_markup"]["inline_keyboard"]
                for b in row
                if label in b["text"])


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    async def poll() -> None:
        while not await check():
            await asyncio.sleep(0.05)
    await asyncio.wait_for(poll(), timeout)


async def settled(store: AlertStore) -> bool:
    counts = await store.counts()
    return bool(counts) and not counts.get("pending") and not counts.get("sending")


async def save_profile(api: FakeBotAPI, user: int) -> None:
    mark = await api.send_text(f"/profile {ECONOMIST}", user_id=user)
    shown = await api.wait_for(sent_to(user, "This is what I understood"), since=mark)
    mark, _ = await api.press(api.last_message(user), button(shown, "Confirm"), user_id=user)
    await api.wait_for(sent_to(user, "Profile saved"), since=mark)


async def subscribe(api: FakeBotAPI, user: int) -> None:
    mark = await api.send_text("/alerts", user_id=user)
    offer = await api.wait_for(sent_to(user, "Alerts"), since=mark)
    mark, _ = await api.press(api.last_message(user), button(offer, "🔔 Subscribe"),
                              user_id=user)
    await api.wait_for(sent_to(user, "You are subscribed"), since=mark)


async def upload(api: FakeBotAPI, spec: dict[str, Any]) -> None:
    mark = await api.send_document(docx_posting(spec), f"{spec['post_number']}.docx",
                                   user_id=ADMIN_ID)
    preview = await api.wait_for(sent_to(ADMIN_ID, "New posting"), since=mark, timeout=60)
    mark, _ = await api.press(api.last_message(ADMIN_ID), button(preview, "Add posting"),
                              user_id=ADMIN_ID)
    await api.wait_for(sent_to(ADMIN_ID, "✅ Added"), since=mark, timeout=120)


@pytest.fixture(params=["sqlite", "postgresql"])
def services(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    from retrieval.services import build_services

    backend: dict[str, Any] = {}
    if request.param == "postgresql":
        backend["state_db_url"] = create_postgres_database(
            request.getfixturevalue("postgres_server"))
    settings = corpus_copy_settings(tmp_path, telegram_bot_token=TOKEN, alerts_poll_seconds=0.2,
                                    **backend)
    services = build_services(settings, embeddings=HashEmbeddings())  # type: ignore[arg-type]
    yield services
    asyncio.run(services.aclose())


@pytest_asyncio.fixture(loop_scope="function")  # the test's own loop, as the server's
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


async def test_one_alert_for_the_fitting_upload_only(api: FakeBotAPI, services: Any) -> None:
    app = await App(api, services).start()
    try:
        mark = await api.send_text("/alerts", user_id=USER_ID)
        (no_profile,) = await api.replies(USER_ID, since=mark)
        assert "no saved profile yet" in no_profile["text"] and "/eligibility" in no_profile["text"]
        await save_profile(api, USER_ID)
        await subscribe(api, USER_ID)
        await upload(api, SOCIAL_PROTECTION)
        await upload(api, SAFETY)
        await until(lambda: settled(services.alert_store))
        (alert,) = alerts_to(api, USER_ID)
        text = html_to_text(alert["text"])
        check_html(alert["text"])
        assert FITS in text and SOCIAL_PROTECTION["title"] in text and "Lima, Peru" in text
        assert "appear to meet all minimum requirements" in text and "economics" in text
        assert "Nairobi" not in text
        labels = [b["text"] for row in alert["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == ["🔎 Open", "✅ Eligibility details", "🔕 Unsubscribe"]
        deliveries = await services.alert_store.deliveries()
        assert [(u, p) for u, p, _ in deliveries] == [(USER_ID, alert_posting(services))]

        # The buttons under the alert: details, then unsubscribe.
        message = api.last_message(USER_ID)
        mark, _ = await api.press(message, button(alert, "Eligibility details"),
                                  user_id=USER_ID)
        details = await api.wait_for(sent_to(USER_ID, "Education"), since=mark)
        assert "✅" in details["text"]
        mark, _ = await api.press(message, button(alert, "Unsubscribe"), user_id=USER_ID)
        await api.wait_for(sent_to(USER_ID, "subscription has been deleted"), since=mark)
        assert await services.alert_store.get(USER_ID) is None
    finally:
        await app.stop()


def alert_posting(services: Any) -> str:
    """The id the fitting upload got in the corpus."""
    return next(p.id for p in services.catalog.all()
                if p.post_number == SOCIAL_PROTECTION["post_number"])


async def test_queued_alert_is_sent_once_after_a_restart(api: FakeBotAPI,
                                                         services: Any) -> None:
    # This replica queues but does not deliver; it stops with the alert still queued.
    first = await App(api, services, alerts_deliver=False).start()
    try:
        await save_profile(api, USER_ID)
        await subscribe(api, USER_ID)
        await upload(api, SOCIAL_PROTECTION)
        await until(lambda: has_status(services.alert_store, "pending", 1))
    finally:
        await first.stop()
    assert alerts_to(api, USER_ID) == []

    second = await App(api, services).start()  # the restart
    try:
        await until(lambda: settled(services.alert_store))
        assert len(alerts_to(api, USER_ID)) == 1
    finally:
        await second.stop()

    third = await App(api, services).start()  # and again: nothing left to send
    try:
        assert not await third.alerts.sender.drain_once(third.bot)
        assert await services.alert_store.counts() == {"sent": 1}
        assert len(alerts_to(api, USER_ID)) == 1
    finally:
        await third.stop()


async def has_status(store: AlertStore, status: str, count: int) -> bool:
    return (await store.counts()).get(status, 0) == count


SUBSCRIBERS = range(5001, 5013)


@pytest.mark.parametrize("services", ["postgresql"], indirect=True)
async def test_two_replicas_sharing_postgresql_send_each_alert_once(
        api: FakeBotAPI, services: Any) -> None:
    profile = services.eligibility.parse_profile(ECONOMIST)
    for user in SUBSCRIBERS:
        await services.profiles.save(user, profile)
        await services.alert_store.save(Subscription(user_id=user, chat_id=user))
    # Replica B has its own connections to the same database and its own sender; it serves
    # no updates here (a webhook replica would get them from Telegram).
    replica_b = dataclasses.replace(services, alert_store=AlertStore(
        services.settings.state_target))
    a = await App(api, services).start()
    b = await App(api, replica_b, poll=False).start()
    try:
        await upload(api, SOCIAL_PROTECTION)
        # B hears of the same posting version too (a catch-up): nothing more is queued.
        posting = next(p for p in services.catalog.all()
                       if p.post_number == SOCIAL_PROTECTION["post_number"])
        assert await b.alerts.postings_changed({posting.id: posting.content_hash}) == 0
        await until(lambda: has_status(services.alert_store, "sent", len(SUBSCRIBERS)))
        for user in SUBSCRIBERS:
            assert len(alerts_to(api, user)) == 1, user
        deliveries = await services.alert_store.deliveries()
        assert sorted(u for u, _, _ in deliveries) == list(SUBSCRIBERS)
        assert a.alerts.sender.sent + b.alerts.sender.sent == len(SUBSCRIBERS)
    finally:
        await b.stop()
        await a.stop()


async def test_a_user_who_blocked_the_bot_gets_the_subscription_paused(
        api: FakeBotAPI, services: Any) -> None:
    blocker = USER_ID + 1
    app = await App(api, services).start()
    try:
        for user in (USER_ID, blocker):
            await save_profile(api, user)
            await subscribe(api, user)
        api.block(blocker)
        await upload(api, SOCIAL_PROTECTION)
        await until(lambda: settled(services.alert_store))
        assert len(alerts_to(api, USER_ID)) == 1
        assert await services.alert_store.counts() == {"sent": 1, "blocked": 1}
        paused = await services.alert_store.get(blocker)
        assert paused is not None and (paused.status, paused.paused_reason) == ("paused",
                                                                                "blocked")
        # Unblocked, the user sees why and can resume.
        api.blocked.clear()
        mark = await api.send_text("/alerts", user_id=blocker)
        (shown,) = await api.replies(blocker, since=mark)
        assert "bot was blocked" in shown["text"]
        mark, _ = await api.press(api.last_message(blocker), button(shown, "Resume"),
                                  user_id=blocker)
        await api.wait_for(sent_to(blocker, "Your alerts are on"), since=mark)
        resumed = await services.alert_store.get(blocker)
        assert resumed is not None and resumed.status == "active"
        assert AlertAction(action="resume").pack() == button(shown, "Resume")
    finally:
        await app.stop()
