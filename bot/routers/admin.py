"""/reindex for admins: rebuilds the index while the old one keeps answering, reporting
progress by editing a single message."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import Message, User

from bot.formatting import esc, split_message
from bot.i18n import N_, _
from bot.replies import reply, send_chunks
from retrieval.indexer import ReindexBusy

if TYPE_CHECKING:
    from retrieval.indexer import Indexer, IndexReport
    from retrieval.settings import Settings

logger = logging.getLogger(__name__)

NOT_ALLOWED = N_("Sorry, /reindex is only available to the bot's administrators.")
BUSY = N_("A reindex is already running — I'll keep answering from the current index. "
          "Please try again when it has finished.")
STARTED = N_("🔄 Reindexing started…")
# Telegram rate-limits edits of one message; intermediate progress lines may be skipped.
PROGRESS_EDIT_INTERVAL = 1.0


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="admin")
    router.message.register(reindex, Command("reindex"))
    return router


def is_admin(message: Message, settings: Settings) -> bool:
    return is_admin_user(message.from_user, settings)


def is_admin_user(user: User | None, settings: Settings) -> bool:
    # Read from settings on every call, so a changed admin list applies at once.
    return user is not None and user.id in settings.admin_ids


async def reindex(message: Message, settings: Settings, indexer: Indexer) -> None:
    if not is_admin(message, settings):
        await reply(message, _(NOT_ALLOWED))
        return
    if indexer.running:
        await reply(message, _(BUSY))
        return
    sent = await reply(message, _(STARTED))
    progress = ProgressMessage(sent[0])
    try:
        report = await indexer.areindex(progress.update)
    except ReindexBusy:
        await progress.finish(_(BUSY))
        return
    except Exception as exc:
        logger.exception("Reindex failed")
        await progress.finish(
            _("❌ Reindex failed; the previous index keeps answering.") + "\n"
            f"<code>{esc(type(exc).__name__)}: {esc(str(exc)[:500])}</code>")
        return
    await progress.finish(format_report(report))


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


def _ids(ids: list[str]) -> str:
    return ", ".join(esc(i) for i in ids) if ids else _("none")


def format_report(report: IndexReport) -> str:
    lines = [
        _("✅ Reindex finished in {seconds} s").format(seconds=f"{report.seconds:.1f}"),
        _("Postings: <b>{count}</b>").format(count=report.postings),
        _("Chunks: <b>{count}</b>").format(count=report.chunks),
        _("Added: {ids}").format(ids=_ids(report.added)),
        _("Updated: {ids}").format(ids=_ids(report.updated)),
        _("Removed: {ids}").format(ids=_ids(report.removed)),
    ]
    if getattr(report, "unchanged", False):
        lines.append(_("Nothing changed; the current index stays."))
    if report.skipped:
        lines.append("\n" + _("⚠️ Skipped files:"))
        lines.extend(f"• {esc(msg)}" for msg in report.skipped)
    return "\n".join(lines)
