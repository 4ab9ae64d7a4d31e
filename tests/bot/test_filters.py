"""IsAdmin: who counts as an administrator, for messages and button presses alike."""

from __future__ import annotations

from aiogram.types import Message

from bot.filters import IsAdmin
from tests.support.fakes import ADMIN_ID, USER_ID, callback_update, make_settings, message_update


async def test_is_admin_for_messages_and_buttons() -> None:
    settings = make_settings()  # ADMIN_IDS = [ADMIN_ID]
    is_admin = IsAdmin()
    assert await is_admin(message_update("/reindex", user_id=ADMIN_ID).message, settings)
    assert not await is_admin(message_update("/reindex", user_id=USER_ID).message, settings)
    assert await is_admin(callback_update("up:ok:x", user_id=ADMIN_ID).callback_query, settings)
    assert not await is_admin(callback_update("up:ok:x", user_id=USER_ID).callback_query,
                              settings)


async def test_is_admin_reads_the_current_admin_list_and_needs_a_sender() -> None:
    settings = make_settings()
    message = message_update("/stats", user_id=USER_ID).message
    assert not await IsAdmin()(message, settings)
    settings.admin_ids.append(USER_ID)  # a changed list applies to the next update
    assert await IsAdmin()(message, settings)
    anonymous = Message.model_validate({  # e.g. a post in a channel: no sender
        "message_id": 1, "date": 1_700_000_000, "chat": {"id": -1001, "type": "channel"},
        "text": "/stats"})
    assert not await IsAdmin()(anonymous, settings)
