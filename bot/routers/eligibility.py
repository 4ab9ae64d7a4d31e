"""/eligibility — placeholder until the eligibility wizard exists: explain how to ask."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.keyboards import MenuAction
from bot.replies import reply, send_to_callback_chat

ELIGIBILITY_HELP = (
    "<b>Check your eligibility</b>\n\n"
    "Describe your profile in one message and I will compare it with the postings' "
    "minimum requirements, for example:\n\n"
    "<i>I have a master's in law, 3 years experience, fluent English — "
    "which postings fit me?</i>\n\n"
    "You can also name a posting: <i>Am I eligible for the creative sectors JPO?</i>"
)


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="eligibility")
    router.message.register(eligibility_command, Command("eligibility"))
    router.callback_query.register(eligibility_button, MenuAction.filter(F.action == "eligibility"))
    return router


async def eligibility_command(message: Message) -> None:
    await reply(message, ELIGIBILITY_HELP)


async def eligibility_button(callback: CallbackQuery) -> None:
    await send_to_callback_chat(callback, ELIGIBILITY_HELP)
    await callback.answer()
