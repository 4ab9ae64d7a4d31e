"""/reindex for admins: rebuilds the index while the old one keeps answering, reporting
progress by editing a single message."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.filters import IsAdmin
from bot.formatting import esc
from bot.i18n import N_, _
from bot.progress import BUSY, ProgressMessage
from bot.replies import reply
from retrieval.indexer import ReindexBusy

if TYPE_CHECKING:
    from retrieval.indexer import Indexer, IndexReport

logger = logging.getLogger(__name__)

NOT_ALLOWED = N_("Sorry, /reindex is only available to the bot's administrators.")
STARTED = N_("🔄 Reindexing started…")


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="admin")
    router.message.register(reindex, Command("reindex"), IsAdmin())
    router.message.register(not_allowed, Command("reindex"))
    return router


async def not_allowed(message: Message) -> None:
    await reply(message, _(NOT_ALLOWED))


async def reindex(message: Message, indexer: Indexer) -> None:
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
