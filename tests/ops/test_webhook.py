"""Webhook mode end to end: the real bot behind its aiohttp server, Telegram played by the
test (incoming POSTs) and by the fake Bot API server (the bot's outgoing calls)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Dispatcher
from pydantic import SecretStr

from bot.app import create_bot, create_dispatcher, serve
from bot.metrics import Metrics
from bot.web import SECRET_HEADER
from tests.servers import free_port
from tests.support.fake_bot_api import TOKEN, FakeBotAPI

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

SECRET = "ops-test-secret_42"
PUBLIC_URL = "https://jpo.example.test/"
_ids = itertools.count(9000)


def message_update(text: str, user_id: int) -> dict[str, Any]:
    update_id = next(_ids)
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": f"User{user_id}"},
        "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
        "text": text}}


@dataclasses.dataclass
class WebhookBot:
    api: FakeBotAPI
    url: str
    path: str
    metrics: Metrics
    services: Any
    http: aiohttp.ClientSession

    async def post(self, update: dict[str, Any], secret: str | None) -> aiohttp.ClientResponse:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with self.http.post(self.url + self.path, json=update, headers=headers) as resp:
            await resp.read()
            return resp


def with_settings(services: Any, **changes: Any) -> Any:
    """The same services under other settings (the answering core is shared)."""
    return dataclasses.replace(services, settings=services.settings.model_copy(update=changes))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def webhook_bot(indexed_services: Any) -> AsyncIterator[WebhookBot]:
    api = FakeBotAPI()
    base = await api.start()
    port = free_port()
    services = with_settings(
        indexed_services, telegram_bot_token=SecretStr(TOKEN), telegram_api_base=base,
        webhook_url=PUBLIC_URL, webhook_secret=SecretStr(SECRET), web_host="127.0.0.1",
        web_port=port, throttle_seconds=0)
    metrics = Metrics()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(services, metrics=metrics, stop=stop, handle_signals=False))
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    try:
        await api.wait_for(lambda r: r.method == "setWebhook", timeout=30)
        yield WebhookBot(api, f"http://127.0.0.1:{port}", services.settings.webhook_path,
                         metrics, services, http)
    finally:
        await http.close()
        stop.set()
        await asyncio.wait_for(task, 10)
        await api.stop()


async def test_startup_registers_the_webhook(webhook_bot: WebhookBot) -> None:
    methods = [r.method for r in webhook_bot.api.requests]
    assert "getUpdates" not in methods and "deleteWebhook" not in methods
    (request,) = [r for r in webhook_bot.api.requests if r.method == "setWebhook"]
    assert request["url"] == "https://jpo.example.test/telegram"
    assert request["secret_token"] == SECRET
    assert "message" in request["allowed_updates"]
    assert "callback_query" in request["allowed_updates"]
    assert "setMyCommands" in methods


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
async def test_webhook_refuses_requests_without_the_secret(webhook_bot: WebhookBot,
                                                           secret: str | None) -> None:
    mark = len(webhook_bot.api.requests)
    resp = await webhook_bot.post(message_update("Where is the AI post based?", 601), secret)
    assert resp.status == 403
    await asyncio.sleep(0.3)
    assert not [r for r in webhook_bot.api.requests[mark:] if r.method == "sendMessage"]


async def test_webhook_processes_an_update(webhook_bot: WebhookBot) -> None:
    mark = len(webhook_bot.api.requests)
    update = message_update("Who supervises the JPO in Standards Policy and Development?", 602)
    resp = await webhook_bot.post(update, SECRET)
    assert resp.status == 200
    (reply,) = await webhook_bot.api.replies(602, since=mark)
    assert "Lisa Tortell" in reply["text"]


async def test_healthz(webhook_bot: WebhookBot) -> None:
    async with webhook_bot.http.get(webhook_bot.url + "/healthz") as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body == {"status": "ok", "postings": len(webhook_bot.services.catalog),
                    "mode": "webhook"}
    assert body["postings"] >= 5


async def test_container_healthcheck_passes(webhook_bot: WebhookBot,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import healthcheck

    monkeypatch.setenv("JPO_WEB_PORT", webhook_bot.url.rsplit(":", 1)[1])
    assert await asyncio.to_thread(healthcheck.main) == 0  # blocking urllib: off the loop


async def test_metrics_count_questions(webhook_bot: WebhookBot) -> None:
    def questions() -> float:
        value = webhook_bot.metrics.registry.get_sample_value(
            "jpo_questions_total", {"mode": "extractive"})
        return value or 0.0

    before = questions()
    mark = len(webhook_bot.api.requests)
    await webhook_bot.post(message_update("Where is the creative sectors JPO based?", 603), SECRET)
    await webhook_bot.api.replies(603, since=mark)
    assert questions() == before + 1
    async with webhook_bot.http.get(webhook_bot.url + "/metrics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        text = await resp.text()
    assert f'jpo_questions_total{{mode="extractive"}} {before + 1}' in text
    assert "jpo_answer_latency_seconds_count" in text
    for name in ("jpo_fallbacks_total", "jpo_reindex_duration_seconds_count",
                 'jpo_errors_total{kind="update"}'):
        assert name in text


async def test_metrics_are_per_process_objects() -> None:
    # No module-level collectors: two Metrics never clash, nor share counts.
    a, b = Metrics(), Metrics()
    a.errors.labels(kind="update").inc()
    assert b.registry.get_sample_value("jpo_errors_total", {"kind": "update"}) == 0.0


async def test_polling_mode_serves_health_too(indexed_services: Any) -> None:
    api = FakeBotAPI()
    base = await api.start()
    port = free_port()
    services = with_settings(indexed_services, telegram_bot_token=SecretStr(TOKEN),
                             telegram_api_base=base, web_host="127.0.0.1", web_port=port)
    bot = create_bot(services.settings)
    dp: Dispatcher = create_dispatcher(services)
    task = asyncio.create_task(serve(services, bot=bot, dispatcher=dp, handle_signals=False,
                                     polling_timeout=1))
    try:
        await api.wait_for(lambda r: r.method == "getUpdates", timeout=30)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
                assert (await resp.json())["mode"] == "polling"
            async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
                assert resp.status == 200
            async with http.post(f"http://127.0.0.1:{port}/telegram", json={}) as resp:
                assert resp.status in (404, 405)  # no webhook route in polling mode
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 10)
        await api.stop()


async def test_webhook_mode_requires_a_secret(indexed_services: Any) -> None:
    services = with_settings(indexed_services, webhook_url=PUBLIC_URL,
                             webhook_secret=SecretStr(""), telegram_bot_token=SecretStr(TOKEN))
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        await serve(services, handle_signals=False)


async def test_polling_survives_a_busy_http_port(indexed_services: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    api = FakeBotAPI()
    base = await api.start()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    services = with_settings(indexed_services, telegram_bot_token=SecretStr(TOKEN),
                             telegram_api_base=base, web_host="127.0.0.1",
                             web_port=blocker.getsockname()[1])
    bot = create_bot(services.settings)
    dp = create_dispatcher(services)
    task = asyncio.create_task(serve(services, bot=bot, dispatcher=dp, handle_signals=False,
                                     polling_timeout=1))
    try:
        await api.wait_for(lambda r: r.method == "getUpdates", timeout=30)
        assert not task.done()
        assert "HTTP server not started" in caplog.text
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 10)
        await api.stop()
        blocker.close()
