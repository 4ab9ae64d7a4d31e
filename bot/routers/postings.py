"""/postings: a paginated list of postings; each opens a card with section buttons.
`/start <payload>` (a posting's deep link, bot/deep_links.py) opens one card directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from bot.deep_links import resolve_payload
from bot.formatting import (
    Section,
    format_link_problem,
    format_posting_list,
    format_posting_section,
    format_welcome,
)
from bot.i18n import N_, _
from bot.keyboards import (
    MenuAction,
    PostingsPage,
    PostingView,
    page_count,
    posting_keyboard,
    postings_keyboard,
    resolve_posting,
    welcome_keyboard,
)
from bot.replies import reply, send_to_callback_chat, show

if TYPE_CHECKING:
    from retrieval.catalog import PostingCatalog

NO_POSTINGS = N_("No postings are indexed yet. An admin can load them with /reindex.")
STALE_POSTING = N_("This posting is no longer available. Send /postings for the current list.")


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="postings")
    router.message.register(list_postings, Command("postings"))
    # Before qa's plain /start: only a /start with a payload comes here.
    router.message.register(open_linked_posting, CommandStart(deep_link=True))
    router.callback_query.register(browse_button, MenuAction.filter(F.action == "browse"))
    router.callback_query.register(turn_page, PostingsPage.filter())
    router.callback_query.register(view_posting, PostingView.filter())
    return router


def _list_text(catalog: PostingCatalog, page: int) -> tuple[str, int]:
    """The list header for `page` (clamped into range, since callback data can be stale)."""
    total = len(catalog)
    pages = page_count(total)
    page = min(max(page, 0), pages - 1)
    return format_posting_list(total, page, pages), page


async def list_postings(message: Message, catalog: PostingCatalog) -> None:
    postings = catalog.all()
    if not postings:
        await reply(message, _(NO_POSTINGS))
        return
    text, page = _list_text(catalog, 0)
    await reply(message, text, reply_markup=postings_keyboard(postings, page))


async def browse_button(callback: CallbackQuery, catalog: PostingCatalog) -> None:
    postings = catalog.all()
    if postings:
        text, page = _list_text(catalog, 0)
        await send_to_callback_chat(callback, text, reply_markup=postings_keyboard(postings, page))
    else:
        await send_to_callback_chat(callback, _(NO_POSTINGS))
    await callback.answer()


async def turn_page(
    callback: CallbackQuery, callback_data: PostingsPage, catalog: PostingCatalog
) -> None:
    postings = catalog.all()
    if not postings:
        await callback.answer(_(NO_POSTINGS), show_alert=True)
        return
    text, page = _list_text(catalog, callback_data.page)
    await show(callback, text, postings_keyboard(postings, page))
    await callback.answer()


async def view_posting(
    callback: CallbackQuery, callback_data: PostingView, catalog: PostingCatalog
) -> None:
    posting = resolve_posting(catalog, callback_data.key)
    if posting is None:
        await callback.answer(_(STALE_POSTING), show_alert=True)
        return
    await show(
        callback,
        format_posting_section(posting, callback_data.section),
        posting_keyboard(posting, callback_data.section, callback_data.page),
    )
    await callback.answer()


async def open_linked_posting(message: Message, command: CommandObject,
                              catalog: PostingCatalog) -> None:
    target = resolve_payload(catalog, command.args or "")
    if target.posting is None:
        # Say what is wrong with the link, then welcome as a plain /start does: whoever
        # followed it still lands somewhere useful.
        first_name = message.from_user.first_name if message.from_user else ""
        await reply(message, format_link_problem(target.status) + "\n\n"
                    + format_welcome(first_name, len(catalog), catalog.last_indexed),
                    reply_markup=welcome_keyboard())
        return
    await reply(message, format_posting_section(target.posting, Section.CARD),
                reply_markup=posting_keyboard(target.posting, Section.CARD, 0))
