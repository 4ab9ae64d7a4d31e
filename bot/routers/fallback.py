"""Last router: whatever nobody else handled gets a helpful reply instead of silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.formatting import format_unknown_command
from bot.i18n import N_, _
from bot.keyboards import STALE_BUTTON
from bot.replies import reply

TEXT_ONLY = N_(
    "I can only read text questions. Please type your question, e.g. "
    "<i>Where is the AI JPO based?</i>"
)


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(not_text, ~F.text)
    router.callback_query.register(stale_button)
    return router


async def unknown_command(message: Message) -> None:
    command = (message.text or "/").split(maxsplit=1)[0]
    await reply(message, format_unknown_command(command))


async def not_text(message: Message) -> None:
    await reply(message, _(TEXT_ONLY))


async def stale_button(callback: CallbackQuery) -> None:
    # Old keyboards (from a previous version) or forged data: answer, never leave it spinning.
    await callback.answer(_(STALE_BUTTON), show_alert=True)
