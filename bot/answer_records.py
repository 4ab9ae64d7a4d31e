"""Each answered question goes into the feedback store, and the 👍/👎 keyboard for it under
the answer (the QA router records, the feedback router takes the ratings and shows /stats).

The bot still answers when the store is missing (tests with fake services) or failing (a full
disk must not stop answers): the answer then goes out without rating buttons.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram.types import InlineKeyboardMarkup, Message

from bot.keyboards import feedback_keyboard

if TYPE_CHECKING:
    from retrieval.models import Answer
    from state.feedback import FeedbackStore

logger = logging.getLogger(__name__)


async def record_answer(feedback: FeedbackStore | None, message: Message, question: str,
                        answer: Answer, seconds: float) -> InlineKeyboardMarkup | None:
    """Store the answered question; the 👍/👎 keyboard for it, or None without a store."""
    if feedback is None or message.from_user is None:
        return None
    try:
        answer_id = await feedback.record(message.from_user.id, question, answer, seconds)
    except Exception:
        logger.exception("Recording a question failed; answering without rating buttons")
        return None
    return feedback_keyboard(answer_id)
