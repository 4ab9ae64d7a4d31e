"""Streaming LLM answers into Telegram: one reply, edited as the tokens arrive.

The first partial text is sent as soon as it exists; later ones replace it at most once per
`min_interval` seconds (Telegram rate-limits edits). When the answer is complete the message
is edited one last time into the final formatted text with its sources (split into further
messages if it is long). Without an LLM the service yields only the final answer, which is
then simply sent.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup, Message

from bot.formatting import esc, format_answer, split_message, tg_len
from bot.i18n import N_, _
from bot.replies import reply, send_chunks
from retrieval.models import Answer

log = logging.getLogger(__name__)

EDIT_INTERVAL = 1.0
CURSOR = " ▌"
PREVIEW_LIMIT = 3500  # a preview is one message; the final text is split properly
NO_ANSWER = N_("I have no answer to that.")


class StreamingAnswers(Protocol):
    def astream(self, question: str, conversation_id: str) -> AsyncIterator[str | Answer]: ...


def preview_text(partial: str, limit: int = PREVIEW_LIMIT) -> str:
    """A partial answer as safe HTML for one message, with a cursor showing it is not done."""
    text = partial.strip()
    if not text:
        return ""
    if tg_len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return esc(text) + CURSOR


async def stream_answer(
    message: Message,
    answer_service: StreamingAnswers,
    conversation_id: str,
    formatter: Callable[[Answer], str] = format_answer,
    *,
    question: str | None = None,
    markup: Callable[[Answer], Awaitable[InlineKeyboardMarkup | None]] | None = None,
    min_interval: float = EDIT_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
) -> Answer:
    """Answer `question` (default: the message text) in the chat, streaming the LLM's text.

    Returns the final `Answer`. Telegram errors while previewing never stop the answer: a
    rate limit postpones the next edit, any other error stops the previews and the final text
    is sent normally."""
    text = question if question is not None else (message.text or "")
    sent: Message | None = None
    shown = ""
    next_edit = -math.inf
    previews = True
    final: Answer | None = None
    async for item in answer_service.astream(text, conversation_id):
        if isinstance(item, Answer):
            final = item
            continue
        if not previews or clock() < next_edit:
            continue
        preview = preview_text(item)
        if not preview or preview == shown:
            continue
        try:
            if sent is None:
                sent = (await reply(message, preview))[0]
            else:
                await sent.edit_text(preview)
            shown = preview
            next_edit = clock() + min_interval
        except TelegramRetryAfter as exc:
            next_edit = clock() + float(exc.retry_after)
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                log.warning("streaming preview stopped: %s", exc.message)
                previews = False
    answer = final or Answer(text=_(NO_ANSWER), found=False)
    keyboard = await markup(answer) if markup is not None else None
    await _send_final(message, sent, split_message(formatter(answer)) or [esc(_(NO_ANSWER))],
                      keyboard)
    return answer


async def _send_final(message: Message, sent: Message | None, chunks: list[str],
                      keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Turn the preview into the final text (or send it, when nothing was previewed); the
    keyboard (👍/👎) goes under the last chunk."""
    if sent is not None and await _edit(sent, chunks[0], keyboard if len(chunks) == 1 else None):
        if len(chunks) > 1:
            await _reply_chunks(message, chunks[1:], as_reply=False, keyboard=keyboard)
        return
    await _reply_chunks(message, chunks, as_reply=True, keyboard=keyboard)


async def _edit(sent: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> bool:
    """Edit the preview; False when it cannot be edited (the answer is then sent anew)."""
    try:
        await sent.edit_text(text, reply_markup=keyboard)
    except TelegramRetryAfter as exc:
        log.warning("final edit rate-limited (%s s); sending the answer anew", exc.retry_after)
        return False
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            return True
        log.warning("final edit failed (%s); sending the answer anew", exc.message)
        return False
    return True


async def _reply_chunks(message: Message, chunks: list[str], *, as_reply: bool,
                        keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Send already split HTML chunks into the message's chat (and topic thread)."""
    assert message.bot is not None
    in_group = message.chat.type in ("group", "supergroup")
    await send_chunks(
        message.bot, message.chat.id, chunks, reply_markup=keyboard,
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=message.message_id if in_group and as_reply else None,
    )
