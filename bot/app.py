"""Assembling and running the Telegram bot.

`create_bot` and `create_dispatcher` are separate so tests can run the real dispatcher
against a fake Bot API server (or a recording session); services reach handlers through
the dispatcher's workflow data, by argument name.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand, BotCommandScopeChat, ErrorEvent

from bot.alerts import AlertService
from bot.i18n import N_, SUPPORTED_LOCALES, UserLocaleMiddleware, create_i18n
from bot.metrics import Metrics
from bot.middlewares import GroupAddressMiddleware, RetryAfterMiddleware, ThrottlingMiddleware
from bot.observability import (
    RedactingRequestMiddleware,
    Redactor,
    UpdateLogMiddleware,
    configure_logging,
    install_answer_hook,
)
from bot.routers import all_routers
from bot.startup import StartupCalls
from bot.storage import FailSafeRedisStorage
from bot.web import WebServer, create_web_app, start_web

if TYPE_CHECKING:
    from aiogram.utils.i18n import I18n

    from retrieval.indexer import Indexer
    from retrieval.services import Services
    from retrieval.settings import Settings
    from state.preferences import LanguageStore

logger = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = N_("Something went wrong, please try again.")
FSM_TTL = timedelta(days=7)
# Seconds in-flight updates get at shutdown; under Docker's default 10 s stop timeout.
SHUTDOWN_GRACE = 8.0
REDIS_TIMEOUT = 2.0  # seconds, for connecting and for each command

USER_COMMANDS = [
    BotCommand(command="start", description=N_("Welcome and main menu")),
    BotCommand(command="postings", description=N_("Browse the JPO postings")),
    BotCommand(command="compare", description=N_("Compare two or three postings")),
    BotCommand(command="eligibility", description=N_("Check which postings fit your profile")),
    BotCommand(command="profile", description=N_("Show, set or delete your saved profile")),
    BotCommand(command="alerts", description=N_("Hear about new postings that fit you")),
    BotCommand(command="reset", description=N_("Forget this conversation")),
    BotCommand(command="language", description=N_("Choose the bot's language")),
    BotCommand(command="help", description=N_("How to ask, with examples")),
]
ADMIN_COMMANDS = [
    *USER_COMMANDS,
    BotCommand(command="reindex", description=N_("Rebuild the index from the corpus (admins)")),
    BotCommand(command="remove", description=N_("Remove a posting (admins)")),
    BotCommand(command="stats", description=N_("Usage, ratings, unanswered questions (admins)")),
]


def create_bot(settings: Settings) -> Bot:
    # A configurable API base lets the bot talk to a local Bot API server (or a test fake).
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    session.middleware(RetryAfterMiddleware())
    session.middleware(RedactingRequestMiddleware(Redactor.from_settings(settings)))
    return Bot(
        token=settings.telegram_bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_storage(settings: Settings) -> BaseStorage:
    """FSM storage: Redis when configured (wizard state survives restarts and is shared by
    replicas), else in memory."""
    if not settings.redis_url:
        return MemoryStorage()
    # Fail-safe: while Redis is unreachable the state is kept in memory (bot/storage.py), and
    # short timeouts keep an unreachable Redis from stalling every update.
    return FailSafeRedisStorage.from_url(
        settings.redis_url, key_builder=DefaultKeyBuilder(prefix="jpo:fsm", with_bot_id=True),
        connection_kwargs={"socket_connect_timeout": REDIS_TIMEOUT,
                           "socket_timeout": REDIS_TIMEOUT},
        # Abandoned wizards expire instead of piling up.
        state_ttl=FSM_TTL, data_ttl=FSM_TTL)


def create_dispatcher(services: Services, *, storage: BaseStorage | None = None,
                      metrics: Metrics | None = None) -> Dispatcher:
    settings = services.settings
    storage = storage or create_storage(settings)
    dp = Dispatcher(storage=storage)
    dp.workflow_data.update(services.as_workflow_data())
    # The bot's own texts follow the user's language (bot/i18n.py); the catalogs are compiled
    # into the data folder, since the source tree may be read-only.
    i18n = create_i18n(settings.data_dir)
    locales = UserLocaleMiddleware(i18n)
    dp.workflow_data.update(i18n=i18n, i18n_middleware=locales)
    # Outer update middlewares run in order of registration, after aiogram's own (errors,
    # user context, FSM): the log line sees the user and every exception.
    dp.update.outer_middleware(UpdateLogMiddleware(metrics))
    # Every handler and message middleware (the throttling warning too) runs in the locale.
    dp.update.outer_middleware(locales)
    install_answer_hook(services.answers)
    # Order matters: first drop group chatter not meant for us, then throttle what is left.
    dp.message.outer_middleware(GroupAddressMiddleware())
    # With Redis storage the throttle windows go to the same Redis: one window per user
    # across all replicas.
    redis = storage.redis if isinstance(storage, RedisStorage) else None
    throttling = ThrottlingMiddleware(settings.throttle_seconds, redis=redis)
    dp.message.outer_middleware(throttling)
    dp.callback_query.outer_middleware(throttling)
    dp.include_routers(*all_routers())
    dp.errors.register(on_error)
    # The dispatcher's own shutdown handlers run before the routers' (which close stores).
    dp.shutdown.register(finish_in_flight_updates)
    if getattr(services, "alert_store", None) is not None:  # test doubles may have no state
        dp.workflow_data["alerts"] = AlertService(
            settings, services.alert_store, services.profiles, services.catalog,
            services.alert_matcher, i18n)
        dp.startup.register(start_alerts)
        dp.shutdown.register(stop_alerts)
    return dp


async def start_alerts(bot: Bot, alerts: AlertService, indexer: Indexer) -> None:
    """Alerts follow this dispatcher: index changes reach them while it serves, and its
    replica delivers the queue (bot/alerts.py)."""
    indexer.on_postings_changed.append(alerts.on_postings_changed)
    await alerts.start(bot)


async def stop_alerts(alerts: AlertService, indexer: Indexer) -> None:
    if alerts.on_postings_changed in indexer.on_postings_changed:
        indexer.on_postings_changed.remove(alerts.on_postings_changed)
    await alerts.stop()
    await alerts.store.close()


async def finish_in_flight_updates(dispatcher: Dispatcher | None = None) -> None:
    """On shutdown, let the updates being handled finish before the session and stores close.

    aiogram confirms an update to Telegram (getUpdates offset) as soon as it has started
    handling it, and `start_polling` stops without waiting for its handler tasks: a reply
    still being prepared at SIGTERM would be cancelled when the process exits — an update
    confirmed but never answered."""
    if dispatcher is None:  # a shutdown emitted by hand (tests), not by polling
        return
    current = asyncio.current_task()
    tasks = [t for t in getattr(dispatcher, "_handle_update_tasks", ()) if t is not current]
    if not tasks:
        return
    logger.info("Shutting down: finishing %d update(s) in progress", len(tasks))
    _done, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
    if pending:
        logger.warning("%d update(s) still running after %.0f s; stopping anyway",
                       len(pending), SHUTDOWN_GRACE)


async def on_error(event: ErrorEvent, bot: Bot,
                   i18n_middleware: UserLocaleMiddleware | None = None,
                   languages: LanguageStore | None = None) -> bool:
    """Log the failure with the update id and tell the user, instead of going silent."""
    update = event.update
    logger.error("Update %s failed: %r", update.update_id, event.exception,
                 exc_info=event.exception)
    # Errors are handled outside the handler's locale context: look the locale up again.
    message = SOMETHING_WENT_WRONG
    if i18n_middleware is not None:
        user = (update.message.from_user if update.message is not None
                else update.callback_query.from_user if update.callback_query is not None
                else None)
        locale = await i18n_middleware.locale_for(user, languages)
        message = i18n_middleware.i18n.gettext(SOMETHING_WENT_WRONG, locale=locale)
    chat_id: int | None = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        # The button may already have been answered; then this fails and that is fine.
        with suppress(TelegramAPIError):
            await query.answer(message)
    if chat_id is not None:
        with suppress(TelegramAPIError):
            await bot.send_message(chat_id, message)
    return True


def translated_commands(commands: list[BotCommand], i18n: I18n, locale: str) -> list[BotCommand]:
    return [BotCommand(command=c.command, description=i18n.gettext(c.description, locale=locale))
            for c in commands]


async def set_commands(bot: Bot, settings: Settings, i18n: I18n | None = None) -> None:
    """Publish the command menu (in English, and in French/Spanish for users whose Telegram
    speaks those); admins also see /reindex in their private chat."""
    i18n = i18n or create_i18n(settings.data_dir)
    # English first: it is the menu for every other language.
    for locale in SUPPORTED_LOCALES:
        language_code = None if locale == "en" else locale
        await bot.set_my_commands(translated_commands(USER_COMMANDS, i18n, locale),
                                  language_code=language_code)
    for admin_id in settings.admin_ids:
        # Fails when the admin has never opened a chat with the bot; the menu is a nicety.
        for locale in SUPPORTED_LOCALES:
            with suppress(TelegramAPIError):
                await bot.set_my_commands(translated_commands(ADMIN_COMMANDS, i18n, locale),
                                          scope=BotCommandScopeChat(chat_id=admin_id),
                                          language_code=None if locale == "en" else locale)


async def run_polling(
    services: Services, *, bot: Bot | None = None, dispatcher: Dispatcher | None = None,
    handle_signals: bool = True, startup: StartupCalls | None = None, **polling_kwargs: Any,
) -> None:
    """Run the bot until stopped. `bot`/`dispatcher` may be passed in so a caller (a test)
    can stop polling with `dispatcher.stop_polling()`; `startup` sets how the start-up calls
    are retried (bot/startup.py)."""
    bot = bot or create_bot(services.settings)
    dp = dispatcher or create_dispatcher(services)
    startup = startup or StartupCalls()
    # Until aiogram's polling takes SIGINT/SIGTERM over, they end the start-up calls' retries.
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    polling = False
    try:
        if not await startup.required("getMe", bot.me, stop):
            return
        # Polling and a webhook are exclusive; pending updates are kept so nothing is lost.
        # Should this fail, getUpdates is refused (409) and aiogram retries it with backoff
        # while deleteWebhook is retried here.
        await startup.side_call(
            "deleteWebhook", lambda: bot.delete_webhook(drop_pending_updates=False), stop)
        await startup.side_call(
            "setMyCommands", lambda: set_commands(bot, services.settings,
                                                  dp.workflow_data.get("i18n")), stop)
        if stop.is_set():
            return
        polling = True
        # Its shutdown hooks close the state stores; the session is closed below, after the
        # retries that may still use it.
        await dp.start_polling(bot, handle_signals=handle_signals, close_bot_session=False,
                               allowed_updates=dp.resolve_used_update_types(),
                               **polling_kwargs)
    finally:
        await startup.aclose()
        if handle_signals and not polling:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        await bot.session.close()


async def run_webhook(services: Services, bot: Bot, dp: Dispatcher,
                      stop: asyncio.Event, startup: StartupCalls | None = None) -> None:
    """Register the webhook and serve until `stop` is set (the server runs already).

    Every replica registers the same URL and secret, so restarts/scale-outs are idempotent;
    the webhook is not deleted on shutdown because other replicas may still be serving."""
    settings = services.settings
    startup = startup or StartupCalls()
    try:
        await startup.side_call(
            "setMyCommands", lambda: set_commands(bot, settings, dp.workflow_data.get("i18n")))
        await bot.set_webhook(settings.webhook_full_url,
                              secret_token=settings.webhook_secret.get_secret_value(),
                              allowed_updates=dp.resolve_used_update_types(),
                              drop_pending_updates=False)
        logger.info("Webhook mode: Telegram posts to %s", settings.webhook_full_url)
        await stop.wait()
    finally:
        await startup.aclose()


async def serve(services: Services, *, bot: Bot | None = None,
                dispatcher: Dispatcher | None = None, metrics: Metrics | None = None,
                stop: asyncio.Event | None = None, handle_signals: bool = True,
                startup: StartupCalls | None = None, **polling_kwargs: Any) -> None:
    """Run the bot with its HTTP server (/healthz, /metrics, and the webhook in webhook mode)
    until stopped: by SIGINT/SIGTERM, by `stop` (webhook mode) or `stop_polling()` (polling)."""
    settings = services.settings
    metrics = metrics or Metrics()
    bot = bot or create_bot(settings)
    dp = dispatcher or create_dispatcher(services, metrics=metrics)
    webhook = settings.webhook_enabled
    app = create_web_app(services, metrics, bot=bot if webhook else None,
                         dispatcher=dp if webhook else None)
    server: WebServer | None = None
    try:
        server = await start_web(app, settings.web_host, settings.web_port)
    except OSError as exc:
        if webhook:
            raise
        # Polling works without the server (e.g. `make run` with port 8080 taken); only
        # /healthz and /metrics are missing.
        logger.warning("HTTP server not started on %s:%s (%s); polling without /healthz "
                       "and /metrics", settings.web_host, settings.web_port, exc)
    metrics.bind(services)
    try:
        if webhook:
            stop = stop or asyncio.Event()
            if handle_signals:
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(sig, stop.set)
            await run_webhook(services, bot, dp, stop, startup)
        else:
            await run_polling(services, bot=bot, dispatcher=dp, handle_signals=handle_signals,
                              startup=startup, **polling_kwargs)
    finally:
        # In webhook mode this also closes the bot session and the FSM storage.
        if server is not None:
            await server.stop()
        metrics.unbind()


def main(settings: Settings) -> None:
    """Entry point of `jpo-bot run`."""
    if not settings.telegram_bot_token.get_secret_value():
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set; put it in the environment or .env.")
    if settings.webhook_enabled and not settings.webhook_secret.get_secret_value():
        raise SystemExit("WEBHOOK_URL is set but WEBHOOK_SECRET is not; set both (see "
                         ".env.example) or neither for long polling.")
    configure_logging(settings)
    # Loading takes seconds; until the event loop takes the signals over, SIGTERM stops it the
    # way Ctrl+C does (below), instead of killing the process mid-load.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        services = _load_services(settings)
        logger.info("Starting the Telegram bot (%d postings, %s)", len(services.catalog),
                    "webhook" if settings.webhook_enabled else "long polling")
        asyncio.run(_serve_then_close(services))
    except KeyboardInterrupt:
        pass  # Ctrl+C or SIGTERM while loading: a normal way to stop
    logger.info("Stopped")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _load_services(settings: Settings) -> Services:
    # Imported here so that building a dispatcher (as tests do) needn't load the whole core.
    from retrieval.services import build_services
    from retrieval.store import IndexUnavailableError

    logger.info("Loading services…")
    try:
        services = build_services(settings, share_conversations=True)  # Redis memory, if set
        services.warm_up()  # load the model now, not while the first user waits
    except IndexUnavailableError as exc:
        raise SystemExit(f"{exc}\nIs Chroma running? Check JPO_CHROMA_HOST and "
                         "JPO_CHROMA_PORT (empty host = the embedded index).") from exc
    return services


async def _serve_then_close(services: Services) -> None:
    try:
        await serve(services)
    finally:
        # Also when serving never started (stopped during start-up): no store left open.
        await services.aclose()
