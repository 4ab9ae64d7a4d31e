"""Questions and answers: /start, /help, /reset and every plain text message.

Over-long questions are refused with a clear message rather than truncated: answering
the first N characters of a question could silently answer a different question.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.chat_action import ChatActionSender

from bot.answer_records import record_answer
from bot.formatting import format_too_long, format_welcome
from bot.i18n import N_, _
from bot.keyboards import MenuAction, welcome_keyboard
from bot.replies import reply, send_to_callback_chat
from bot.routers.compare import answer_formatter
from bot.streaming import stream_answer
from state.profiles import wants_stored_profile, with_stored_profile

if TYPE_CHECKING:
    from retrieval.answering import AnswerService
    from retrieval.catalog import PostingCatalog
    from retrieval.compare import PostingComparer
    from retrieval.models import Answer
    from retrieval.settings import Settings
    from state.feedback import FeedbackStore
    from state.profiles import ProfileStore

# English msgids (bot/i18n.py), shown through _() in the user's locale.
EXAMPLE_QUESTIONS = (
    N_("Who supervises the JPO in Standards Policy and Development?"),
    N_("Where is the creative sectors and digital economy JPO based?"),
    N_("What languages are required for the vulnerable work JPO?"),
    N_("Which postings require a law degree?"),
    N_("I have a master's in law, 3 years experience, fluent English — which postings fit me?"),
)
HELP_COMMANDS = (
    N_("/postings — browse the postings"),
    N_("/compare — compare two or three postings side by side"),
    N_("/eligibility — check which postings fit your profile"),
    N_("/profile — show, set or delete your saved profile"),
    N_("/reset — forget this conversation and start afresh"),
    N_("/language — English, français or español"),
    N_("/help — this message"),
)
ASK_PROMPT = N_("Type your question in a message, for example:\n<i>{example}</i>")
RESET_DONE = N_("Done — I've forgotten our conversation. Ask me anything about the postings.")
EMPTY_QUESTION = N_(
    "Ask me a question about the JPO postings, e.g. <i>Where are the postings based?</i>"
)


def help_text() -> str:
    return (
        f"<b>{_('How to use me')}</b>\n\n"
        + _("Just type a question about the JPO postings. Follow-up questions work too — "
            "after asking about a posting you can say <i>and the languages?</i>")
        + f"\n\n<b>{_('Examples')}</b>\n"
        + "\n".join(f"• {_(q)}" for q in EXAMPLE_QUESTIONS)
        + f"\n\n<b>{_('Commands')}</b>\n"
        + "\n".join(_(line) for line in HELP_COMMANDS)
    )


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="qa")
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    router.message.register(reset, Command("reset"))
    router.callback_query.register(ask_button, MenuAction.filter(F.action == "ask"))
    # Anything starting with "/" that no router claimed is an unknown command (fallback).
    router.message.register(question, F.text, ~F.text.startswith("/"))
    return router


def conversation_id(chat_id: int) -> str:
    """One conversation per chat, so follow-ups resolve against what was asked before."""
    return f"tg:{chat_id}"


async def start(message: Message, catalog: PostingCatalog) -> None:
    first_name = message.from_user.first_name if message.from_user else ""
    text = format_welcome(first_name, len(catalog), catalog.last_indexed)
    await reply(message, text, reply_markup=welcome_keyboard())


async def help_command(message: Message) -> None:
    await reply(message, help_text())


async def reset(message: Message, answer_service: AnswerService) -> None:
    answer_service.reset(conversation_id(message.chat.id))
    await reply(message, _(RESET_DONE))


async def ask_button(callback: CallbackQuery) -> None:
    await send_to_callback_chat(callback, _(ASK_PROMPT).format(example=_(EXAMPLE_QUESTIONS[0])))
    await callback.answer()


async def question(
    message: Message, bot: Bot, settings: Settings, answer_service: AnswerService,
    feedback: FeedbackStore | None = None, profiles: ProfileStore | None = None,
    catalog: PostingCatalog | None = None, comparer: PostingComparer | None = None,
) -> None:
    text = await _strip_own_mention(message.text or "", bot)
    if not text:
        await reply(message, _(EMPTY_QUESTION))
        return
    if len(text) > settings.max_question_chars:
        await reply(message, format_too_long(len(text), settings.max_question_chars))
        return
    thread_id = message.message_thread_id if message.is_topic_message else None
    asked = text
    if profiles is not None and message.from_user is not None and wants_stored_profile(text):
        # "Which postings fit me?": answer with the saved profile (facts in the message win).
        asked = with_stored_profile(text, await profiles.get(message.from_user.id))
    started = time.perf_counter()
    # "compare NORMES and SECTOR" is shown as a comparison laid out for a phone, with ✅/❌.
    formatter = await answer_formatter(text, message.from_user.id if message.from_user else None,
                                       catalog, comparer, profiles)

    async def rating_buttons(answer: Answer) -> InlineKeyboardMarkup | None:
        # Stored for /stats; the answer gets 👍/👎 buttons carrying the stored question's id.
        return await record_answer(feedback, message, text, answer,
                                   time.perf_counter() - started)

    async with ChatActionSender.typing(bot=bot, chat_id=message.chat.id,
                                       message_thread_id=thread_id):
        if settings.llm_enabled:
            # The reply is edited as the model's tokens arrive, then finished with sources.
            await stream_answer(message, answer_service, conversation_id(message.chat.id),
                                formatter, question=asked, markup=rating_buttons)
            return
        answer = await answer_service.ask(asked, conversation_id(message.chat.id))
    await reply(message, formatter(answer), reply_markup=await rating_buttons(answer))


async def _strip_own_mention(text: str, bot: Bot) -> str:
    """In groups the question often starts with "@our_bot"; that is not part of it."""
    me = await bot.me()
    if me.username:
        text = re.sub(rf"@{re.escape(me.username)}\b", " ", text, flags=re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", text).strip()
