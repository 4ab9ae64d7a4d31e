"""Inline mode: "@bot <words>" in any chat lists matching postings; the chosen one is sent
as its card with a button opening it in the bot (its deep link).

Answered from `PostingSearch` (lexical, no embedding call), so it stays well within
Telegram's inline timeout; Telegram may reuse an answer for `inline_cache_seconds`. Results
are personal because the cards are in the asking user's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.types import InlineQuery, InlineQueryResultArticle, InputTextMessageContent

from bot.deep_links import posting_link, posting_payload, resolve_payload
from bot.formatting import (
    format_inline_description,
    format_shared_card,
    posting_title,
    split_message,
)
from bot.keyboards import link_keyboard

if TYPE_CHECKING:
    from retrieval.catalog import PostingCatalog
    from retrieval.models import Posting
    from retrieval.posting_search import PostingSearch
    from retrieval.settings import Settings

MAX_RESULTS = 50  # Telegram's limit per answer


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="inline")
    router.inline_query.register(inline_postings)
    return router


def _article(posting: Posting, bot_username: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=posting_payload(posting.id),  # ≤ 64 bytes, unique per posting
        title=posting_title(posting),
        description=format_inline_description(posting),
        input_message_content=InputTextMessageContent(
            message_text=split_message(format_shared_card(posting))[0],
            parse_mode=ParseMode.HTML, link_preview_options=None),
        reply_markup=link_keyboard(posting_link(bot_username, posting.id)),
    )


async def inline_postings(query: InlineQuery, bot: Bot, settings: Settings,
                          catalog: PostingCatalog, posting_search: PostingSearch) -> None:
    # The Share button types a posting's payload: that posting alone.
    shared = resolve_payload(catalog, query.query)
    found = ([shared.posting] if shared.posting is not None
             else posting_search.search(query.query))
    page_size = min(max(settings.inline_results, 1), MAX_RESULTS)
    offset = int(query.offset) if query.offset.isdigit() else 0
    page = found[offset:offset + page_size]
    more = offset + page_size < len(found)
    me = await bot.me()
    await query.answer(
        [_article(p, me.username or "") for p in page],
        cache_time=settings.inline_cache_seconds, is_personal=True,
        next_offset=str(offset + page_size) if more else "")
