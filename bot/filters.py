"""Filters the routers share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

if TYPE_CHECKING:
    from retrieval.settings import Settings


class IsAdmin(Filter):
    """The update comes from one of the bot's administrators (`ADMIN_IDS`).

    Read from the settings on every update, so a changed admin list applies at once. A router
    registers its admin handler with this filter and, after it, the same trigger without it
    for the polite refusal."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        return user is not None and user.id in settings.admin_ids
