"""👍/👎 under answers, and /stats for admins (usage, ratings, unanswered questions).

The answered questions are recorded by the QA router (`bot.answer_records`); without a
feedback store a rating is answered as expired and /stats says it is unavailable.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.filters import IsAdmin
from bot.formatting import format_stats
from bot.i18n import N_, _
from bot.keyboards import AnswerRating, feedback_keyboard
from bot.replies import reply

if TYPE_CHECKING:
    from retrieval.catalog import PostingCatalog
    from state.feedback import FeedbackStore, Rating

logger = logging.getLogger(__name__)

STATS_NOT_ALLOWED = N_("Sorry, /stats is only available to the bot's administrators.")
STATS_UNAVAILABLE = N_("Statistics are not available: no feedback store is configured.")
THANKS = {1: N_("Thanks! Glad it helped."), -1: N_("Thanks — this helps us improve the answers.")}
RATING_EXPIRED = N_("This answer can no longer be rated.")


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="feedback")
    router.message.register(stats, Command("stats"), IsAdmin())
    router.message.register(refuse_stats, Command("stats"))
    router.callback_query.register(rate, AnswerRating.filter())
    router.shutdown.register(close_feedback)
    return router


async def rate(callback: CallbackQuery, callback_data: AnswerRating,
               feedback: FeedbackStore | None = None) -> None:
    rating: Rating = 1 if callback_data.rating > 0 else -1
    if feedback is None or not await feedback.rate(callback_data.answer_id,
                                                   callback.from_user.id, rating):
        await callback.answer(_(RATING_EXPIRED))
        return
    await callback.answer(_(THANKS[rating]))
    if isinstance(callback.message, Message):
        # Tick the chosen button, so the user sees the rating was taken (and can change it).
        try:
            await callback.message.edit_reply_markup(
                reply_markup=feedback_keyboard(callback_data.answer_id, rating))
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                logger.warning("Could not mark the rating: %s", exc.message)


async def refuse_stats(message: Message) -> None:
    await reply(message, _(STATS_NOT_ALLOWED))


async def stats(message: Message, catalog: PostingCatalog,
                feedback: FeedbackStore | None = None) -> None:
    if feedback is None:
        await reply(message, _(STATS_UNAVAILABLE))
        return
    await reply(message, format_stats(await feedback.stats(), len(catalog)))


async def close_feedback(feedback: FeedbackStore | None = None) -> None:
    if feedback is not None:
        await feedback.close()
