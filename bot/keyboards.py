"""Inline keyboards and the callback-data factories behind their buttons.

Callback data is limited to 64 bytes, so postings travel as a short key: the posting id
when it is short enough, otherwise a hash of it that `resolve_posting` looks up.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.deep_links import posting_payload
from bot.formatting import SECTION_TITLES, Section, posting_button_label
from bot.i18n import N_, _

if TYPE_CHECKING:
    from retrieval.catalog import PostingCatalog
    from retrieval.models import Posting

# What a button too old (or forged) to act on answers when pressed.
STALE_BUTTON = N_("This button has expired. Send /postings or /help to start again.")
PAGE_SIZE = 6
_MAX_KEY_BYTES = 32
_HASH_PREFIX = "~"


class MenuAction(CallbackData, prefix="menu"):
    """Buttons under the welcome message."""

    action: str  # "browse" | "ask" | "eligibility"


class PostingsPage(CallbackData, prefix="pg"):
    page: int


class PostingView(CallbackData, prefix="pv"):
    key: str
    section: Section
    page: int = 0


def posting_key(posting_id: str) -> str:
    """A callback-safe key for a posting (no ':' and short enough for the 64-byte limit)."""
    if len(posting_id.encode()) <= _MAX_KEY_BYTES and ":" not in posting_id \
            and not posting_id.startswith(_HASH_PREFIX):
        return posting_id
    return _HASH_PREFIX + hashlib.sha1(posting_id.encode()).hexdigest()[:16]


def resolve_posting(catalog: PostingCatalog, key: str) -> Posting | None:
    """The posting a key names, or None when it is unknown (stale or forged button)."""
    if key.startswith(_HASH_PREFIX):
        return next((p for p in catalog.all() if posting_key(p.id) == key), None)
    return catalog.get(key)


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / page_size))


def welcome_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📋 Browse postings"), callback_data=MenuAction(action="browse"))
    builder.button(text=_("💬 Ask a question"), callback_data=MenuAction(action="ask"))
    builder.button(text=_("✅ Check eligibility"), callback_data=MenuAction(action="eligibility"))
    builder.adjust(1)
    return builder.as_markup()


def postings_keyboard(
    postings: Sequence[Posting], page: int, page_size: int = PAGE_SIZE
) -> InlineKeyboardMarkup:
    """One button per posting on `page`, plus ◀/▶ navigation when there are several pages."""
    pages = page_count(len(postings), page_size)
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for posting in postings[page * page_size:(page + 1) * page_size]:
        builder.row(InlineKeyboardButton(
            text=posting_button_label(posting),
            callback_data=PostingView(
                key=posting_key(posting.id), section=Section.CARD, page=page).pack(),
        ))
    if pages > 1:
        nav: list[InlineKeyboardButton] = []
        if page > 0:
            nav.append(InlineKeyboardButton(
                text=_("◀ Previous"), callback_data=PostingsPage(page=page - 1).pack()))
        nav.append(InlineKeyboardButton(
            text=f"{page + 1}/{pages}", callback_data=PostingsPage(page=page).pack()))
        if page < pages - 1:
            nav.append(InlineKeyboardButton(
                text=_("Next ▶"), callback_data=PostingsPage(page=page + 1).pack()))
        builder.row(*nav)
    return builder.as_markup()


def posting_keyboard(posting: Posting, section: Section, page: int) -> InlineKeyboardMarkup:
    """Section buttons for one posting; Back goes to the card from a section, else to the list."""
    key = posting_key(posting.id)
    builder = InlineKeyboardBuilder()
    for target, title in SECTION_TITLES.items():
        if target is not section:
            builder.button(text=_(title),
                           callback_data=PostingView(key=key, section=target, page=page))
    builder.adjust(2)
    # Share: Telegram opens a chat picker with "@bot <payload>" typed in, and inline mode
    # answers a payload with exactly this posting's card.
    builder.row(InlineKeyboardButton(text=_("📤 Share"),
                                     switch_inline_query=posting_payload(posting.id)))
    back = (
        PostingsPage(page=page).pack() if section is Section.CARD
        else PostingView(key=key, section=Section.CARD, page=page).pack()
    )
    builder.row(InlineKeyboardButton(text=_("⬅ Back"), callback_data=back))
    return builder.as_markup()


def link_keyboard(url: str) -> InlineKeyboardMarkup:
    """Under a shared card: one button opening the posting in the bot (its deep link)."""
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=_("🔎 Open in the bot"), url=url)]])


# --------------------------------------------------------------------------- compare


class CompareAction(CallbackData, prefix="cmp"):
    action: str  # "pick" (toggle `key`) | "page" | "go"
    key: str = ""
    page: int = 0


def compare_keyboard(postings: Sequence[Posting], picked: Sequence[str], page: int,
                     page_size: int = PAGE_SIZE) -> InlineKeyboardMarkup:
    """One toggle per posting on `page` (✔ when picked), ◀/▶ when there are several pages,
    and the Compare button."""
    pages = page_count(len(postings), page_size)
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for posting in postings[page * page_size:(page + 1) * page_size]:
        mark = "✔ " if posting.id in picked else ""
        builder.row(InlineKeyboardButton(
            text=mark + posting_button_label(posting),
            callback_data=CompareAction(action="pick", key=posting_key(posting.id),
                                        page=page).pack()))
    if pages > 1:
        nav: list[InlineKeyboardButton] = []
        if page > 0:
            nav.append(InlineKeyboardButton(
                text=_("◀ Previous"),
                callback_data=CompareAction(action="page", page=page - 1).pack()))
        if page < pages - 1:
            nav.append(InlineKeyboardButton(
                text=_("Next ▶"),
                callback_data=CompareAction(action="page", page=page + 1).pack()))
        builder.row(*nav)
    builder.row(InlineKeyboardButton(
        text=_("⚖️ Compare ({count})").format(count=len(picked)),
        callback_data=CompareAction(action="go", page=page).pack()))
    return builder.as_markup()


def comparison_keyboard(postings: Sequence[Posting], marks: Sequence[str]) -> InlineKeyboardMarkup:
    """Under a comparison: each compared posting's card, behind its number."""
    builder = InlineKeyboardBuilder()
    for mark, posting in zip(marks, postings, strict=False):
        builder.row(InlineKeyboardButton(
            text=f"{mark} {posting_button_label(posting)}",
            callback_data=PostingView(key=posting_key(posting.id), section=Section.CARD).pack()))
    return builder.as_markup()


# --------------------------------------------------------------------------- admin and feedback


class UploadAction(CallbackData, prefix="up"):
    """Confirm / Cancel under the preview of an uploaded posting."""

    action: str  # "ok" | "no"
    token: str  # names the pending upload (random, so a button cannot be guessed)


class RemoveAction(CallbackData, prefix="rm"):
    action: str  # "ok" | "no"
    key: str  # posting_key() of the posting


class AnswerRating(CallbackData, prefix="fb"):
    """👍/👎 under an answer; `answer_id` is the stored question's id."""

    answer_id: int
    rating: int  # 1 | -1


def upload_keyboard(token: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Add posting"), callback_data=UploadAction(action="ok", token=token))
    builder.button(text=_("✖ Cancel"), callback_data=UploadAction(action="no", token=token))
    return builder.as_markup()


def remove_keyboard(posting_id: str) -> InlineKeyboardMarkup:
    key = posting_key(posting_id)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🗑 Remove"), callback_data=RemoveAction(action="ok", key=key))
    builder.button(text=_("✖ Cancel"), callback_data=RemoveAction(action="no", key=key))
    return builder.as_markup()


def feedback_keyboard(answer_id: int, chosen: int | None = None) -> InlineKeyboardMarkup:
    """The two rating buttons; the one already chosen carries a tick (pressing the other
    changes the rating)."""
    builder = InlineKeyboardBuilder()
    for rating, label in ((1, "👍"), (-1, "👎")):
        builder.button(text=f"{label} ✓" if rating == chosen else label,
                       callback_data=AnswerRating(answer_id=answer_id, rating=rating))
    return builder.as_markup()
