"""Small sending helpers shared by the routers: multi-part replies and in-place edits."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyParameters

from bot.formatting import split_message

# Telegram's reasons for refusing an edit where sending a fresh message is the right answer.
_NOT_EDITABLE = ("message can't be edited", "message to edit not found")


async def send_chunks(
    bot: Bot, chat_id: int, chunks: Sequence[str], *,
    reply_markup: InlineKeyboardMarkup | None = None,
    message_thread_id: int | None = None,
    reply_to_message_id: int | None = None,
) -> list[Message]:
    """Send each chunk as its own message; the keyboard goes on the last one, under the
    text it belongs to. In groups the first chunk replies to the question for context."""
    sent: list[Message] = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        sent.append(await bot.send_message(
            chat_id, chunk,
            reply_markup=reply_markup if last else None,
            message_thread_id=message_thread_id,
            reply_parameters=(
                ReplyParameters(message_id=reply_to_message_id, allow_sending_without_reply=True)
                if i == 0 and reply_to_message_id is not None else None
            ),
        ))
    return sent


async def reply(message: Message, text: str, *,
                reply_markup: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Answer a message in its chat (and thread), splitting long HTML safely."""
    in_group = message.chat.type in ("group", "supergroup")
    assert message.bot is not None  # aiogram binds every message it delivers to the bot
    return await send_chunks(
        message.bot, message.chat.id, split_message(text), reply_markup=reply_markup,
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=message.message_id if in_group else None,
    )


async def show(callback: CallbackQuery, text: str,
               reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the message the button was on with `text` (the first chunk if it is long;
    the rest follow as new messages). Falls back to sending when the message is too old
    to edit."""
    chunks = split_message(text)
    message = callback.message
    bot = callback.bot
    assert bot is not None
    if not isinstance(message, Message):
        # Inaccessible (very old) message: nothing to edit, so answer in the user's chat.
        chat_id = message.chat.id if message is not None else callback.from_user.id
        await send_chunks(bot, chat_id, chunks, reply_markup=reply_markup)
        return
    first, rest = chunks[0], chunks[1:]
    try:
        await message.edit_text(first, reply_markup=reply_markup)
    except TelegramBadRequest as exc:
        if "message is not modified" in exc.message:
            pass  # the same button pressed twice: the screen is already right
        elif any(reason in exc.message for reason in _NOT_EDITABLE):
            await send_chunks(bot, message.chat.id, chunks, reply_markup=reply_markup)
            return
        else:
            raise
    if rest:
        await send_chunks(bot, message.chat.id, rest)


async def send_to_callback_chat(callback: CallbackQuery, text: str, *,
                                reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Send a new message into the chat whose button was pressed (the user's private chat
    when that message is no longer accessible)."""
    bot = callback.bot
    assert bot is not None
    message = callback.message
    chat_id = message.chat.id if message is not None else callback.from_user.id
    thread_id = message.message_thread_id \
        if isinstance(message, Message) and message.is_topic_message else None
    await send_chunks(bot, chat_id, split_message(text), reply_markup=reply_markup,
                      message_thread_id=thread_id)
