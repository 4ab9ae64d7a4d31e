"""The bot's HTTP server (aiohttp): GET /healthz and GET /metrics in both modes, plus the
Telegram webhook in webhook mode."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.metrics import Metrics

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

SERVICES_KEY = web.AppKey("services", object)
METRICS_KEY = web.AppKey("metrics", Metrics)
MODE_KEY = web.AppKey("mode", str)


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, answering a missing or wrong secret with 403 (aiogram says 401)."""

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            logger.warning("Webhook request without the right secret from %s", request.remote)
            return web.Response(status=403, text="Forbidden")
        return await super().handle(request)

    __call__ = handle


async def healthz(request: web.Request) -> web.Response:
    """200 with the number of indexed postings; 503 when no index can be read (e.g. the
    Chroma server is down and nothing is loaded), so orchestrators restart or stop routing to
    this replica.

    When the Chroma server goes away after the index was loaded, the bot keeps answering from
    memory with keyword search only: still 200 (taking every replica out would answer no one),
    but "degraded", so monitoring sees it."""
    services: Any = request.app[SERVICES_KEY]
    store = getattr(services, "store", None)
    try:
        # Both may talk to a Chroma server: keep that off the event loop.
        postings = await asyncio.to_thread(len, services.catalog)
        reachable = await asyncio.to_thread(store.reachable) if store is not None else True
    except Exception as exc:
        logger.warning("Health check failed: %r", exc)
        return web.json_response({"status": "error", "error": type(exc).__name__}, status=503)
    body: dict[str, Any] = {"status": "ok" if reachable else "degraded", "postings": postings,
                            "mode": request.app[MODE_KEY]}
    if not reachable:
        body["index"] = "unreachable; answering from the index in memory (keyword search only)"
    return web.json_response(body)


async def metrics_view(request: web.Request) -> web.Response:
    metrics = request.app[METRICS_KEY]
    return web.Response(body=metrics.render(), headers={"Content-Type": metrics.content_type})


def create_web_app(services: Any, metrics: Metrics, *, bot: Bot | None = None,
                   dispatcher: Dispatcher | None = None) -> web.Application:
    """The HTTP app; with `bot` and `dispatcher` (webhook mode) it also takes Telegram's
    updates on `settings.webhook_path`, checking the secret token."""
    settings = services.settings
    app = web.Application()
    app[SERVICES_KEY] = services
    app[METRICS_KEY] = metrics
    app[MODE_KEY] = "webhook" if bot is not None else "polling"
    app.router.add_get(HEALTH_PATH, healthz)
    app.router.add_get(METRICS_PATH, metrics_view)
    if bot is not None and dispatcher is not None:
        secret = settings.webhook_secret.get_secret_value()
        if not secret:
            # Without a secret anyone who finds the URL could inject updates.
            raise ValueError("WEBHOOK_SECRET must be set in webhook mode")
        WebhookHandler(dispatcher, bot, secret_token=secret).register(
            app, path=settings.webhook_path)
        # Startup/shutdown hooks of the dispatcher (shutdown closes the FSM storage).
        setup_application(app, dispatcher, bot=bot)
    return app


@dataclass
class WebServer:
    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_web(app: web.Application, host: str, port: int) -> WebServer:
    """Serve `app` on host:port (port 0 = any free port) until `WebServer.stop()`."""
    runner = web.AppRunner(app, access_log=None)  # the update log line says enough
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = port
    for address in runner.addresses:
        if isinstance(address, tuple):
            bound = address[1]
            break
    logger.info("HTTP server on %s:%s (%s, %s)", host, bound, HEALTH_PATH, METRICS_PATH)
    return WebServer(runner, host, bound)
