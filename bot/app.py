"""Assembling and running the Telegram bot.

`create_bot` and `create_dispatcher` are separate so tests can run the real dispatcher
against a fake Bot API server (or a recording session); services reach handlers through
the dispatcher's workflow data, by argument name.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, ErrorEvent

from bot.middlewares import GroupAddressMiddleware, RetryAfterMiddleware, ThrottlingMiddleware
from bot.routers import all_routers

if TYPE_CHECKING:
    from retrieval.services import Services
    from retrieval.settings import Settings

logger = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Something went wrong, please try again."

USER_COMMANDS = [
    BotCommand(command="start", description="Welcome and main menu"),
    BotCommand(command="postings", description="Browse the JPO postings"),
    BotCommand(command="eligibility", description="Check which postings fit your profile"),
    BotCommand(command="reset", description="Forget this conversation"),
    BotCommand(command="help", description="How to ask, with examples"),
]
ADMIN_COMMANDS = [
    *USER_COMMANDS,
    BotCommand(command="reindex", description="Rebuild the index from the corpus (admins)"),
]


def create_bot(settings: Settings) -> Bot:
    # A configurable API base lets the bot talk to a local Bot API server (or a test fake).
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    session.middleware(RetryAfterMiddleware())
    return Bot(
        token=settings.telegram_bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(services: Services) -> Dispatcher:
    dp = Dispatcher()
    dp.workflow_data.update(services.as_workflow_data())
    # Order matters: first drop group chatter not meant for us, then throttle what is left.
    dp.message.outer_middleware(GroupAddressMiddleware())
    throttling = ThrottlingMiddleware(services.settings.throttle_seconds)
    dp.message.outer_middleware(throttling)
    dp.callback_query.outer_middleware(throttling)
    dp.include_routers(*all_routers())
    dp.errors.register(on_error)
    return dp


async def on_error(event: ErrorEvent, bot: Bot) -> bool:
    """Log the failure with the update id and tell the user, instead of going silent."""
    update = event.update
    logger.error("Update %s failed: %r", update.update_id, event.exception,
                 exc_info=event.exception)
    chat_id: int | None = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        # The button may already have been answered; then this fails and that is fine.
        with suppress(TelegramAPIError):
            await query.answer(SOMETHING_WENT_WRONG)
    if chat_id is not None:
        with suppress(TelegramAPIError):
            await bot.send_message(chat_id, SOMETHING_WENT_WRONG)
    return True


async def set_commands(bot: Bot, settings: Settings) -> None:
    """Publish the command menu; admins also see /reindex in their private chat."""
    await bot.set_my_commands(USER_COMMANDS)
    for admin_id in settings.admin_ids:
        # Fails when the admin has never opened a chat with the bot; the menu is a nicety.
        with suppress(TelegramAPIError):
            await bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeChat(chat_id=admin_id))


async def run_polling(
    services: Services, *, bot: Bot | None = None, dispatcher: Dispatcher | None = None,
    handle_signals: bool = True, **polling_kwargs: Any,
) -> None:
    """Run the bot until stopped. `bot`/`dispatcher` may be passed in so a caller (a test)
    can stop polling with `dispatcher.stop_polling()`."""
    bot = bot or create_bot(services.settings)
    dp = dispatcher or create_dispatcher(services)
    await set_commands(bot, services.settings)
    # Polling and a webhook are exclusive; pending updates are kept so nothing is lost.
    await bot.delete_webhook(drop_pending_updates=False)
    await dp.start_polling(bot, handle_signals=handle_signals,
                           allowed_updates=dp.resolve_used_update_types(), **polling_kwargs)


def main(settings: Settings) -> None:
    """Entry point of `jpo-bot run`."""
    if not settings.telegram_bot_token.get_secret_value():
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set; put it in the environment or .env.")
    # No-op when the caller has configured logging already.
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Imported here so that building a dispatcher (as tests do) needn't load the whole core.
    from retrieval.services import build_services

    logger.info("Loading services…")
    services = build_services(settings)
    services.warm_up()  # load the model now, not while the first user waits
    logger.info("Starting the Telegram bot (%d postings)", len(services.catalog))
    asyncio.run(run_polling(services))
