"""Index changes reported in one edited message (/reindex, an uploaded or removed posting),
and what an admin is told while another change is still running."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Message

from bot.formatting import esc, split_message
from bot.i18n import N_
from bot.replies import send_chunks

BUSY = N_("A reindex is already running — I'll keep answering from the current index. "
          "Please try again when it has finished.")
# Telegram rate-limits edits of one message; intermediate progress lines may be skipped.
PROGRESS_EDIT_INTERVAL = 1.0


class ProgressMessage:
    """Edits one message with progress lines. The indexer reports from a worker thread, so
    updates may arrive late or overlap: edits are serialised, and once `finish` has run no
    late progress line can overwrite the final report."""

    def __init__(self, message: Message, min_interval: float = PROGRESS_EDIT_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.message = message
        self.min_interval = min_interval
        self.clock = clock
        self._lock = asyncio.Lock()
        self._closed = False
        self._text = ""
        self._edited_at: float | None = None

    async def update(self, line: str) -> None:
        async with self._lock:
            now = self.clock()
            if self._closed or (self._edited_at is not None
                                and now - self._edited_at < self.min_interval):
                return
            await self._edit(f"🔄 {esc(line)}")
            self._edited_at = now

    async def finish(self, text: str) -> None:
        async with self._lock:
            self._closed = True
            first, *rest = split_message(text)
            await self._edit(first)
            if rest and self.message.bot is not None:
                # A long report (many skipped files) continues in new messages.
                await send_chunks(self.message.bot, self.message.chat.id, rest)

    async def _edit(self, text: str) -> None:
        if text == self._text:
            return
        try:
            await self.message.edit_text(text)
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise
        self._text = text
