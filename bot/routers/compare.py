"""/compare: pick two or three postings with buttons, then one message compares them.

The picks live in the FSM data (per chat and user; buttons carry only a posting key), so
they survive paging and replicas. Compare questions typed as text are answered by the
extractive answerer (intent "compare"); `answer_formatter` renders them the same way here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.formatting import (
    COMPARE_MARKS,
    format_answer,
    format_compare_picker,
    format_comparison,
)
from bot.i18n import N_, _
from bot.keyboards import (
    CompareAction,
    compare_keyboard,
    comparison_keyboard,
    resolve_posting,
)
from bot.replies import reply, show
from retrieval.compare import MAX_COMPARED

if TYPE_CHECKING:
    from retrieval.catalog import PostingCatalog
    from retrieval.compare import PostingComparer
    from retrieval.models import Answer, Profile
    from state.profiles import ProfileStore

PICKED_KEY = "compare_picked"
TOO_FEW_POSTINGS = N_("Comparing needs at least two postings; only {count} is indexed.")
PICK_MORE = N_("Pick at least two postings first.")
AT_MOST = N_("You can compare up to three postings; untick one first.")


def create_router() -> Router:
    # A fresh router per dispatcher: a Router can have only one parent, and tests build many.
    router = Router(name="compare")
    router.message.register(start_compare, Command("compare"))
    router.callback_query.register(compare_button, CompareAction.filter())
    return router


async def _stored_profile(profiles: ProfileStore | None, user_id: int | None) -> Profile | None:
    if profiles is None or user_id is None:
        return None
    return await profiles.get(user_id)


async def start_compare(message: Message, state: FSMContext, catalog: PostingCatalog) -> None:
    postings = catalog.all()
    if len(postings) < 2:
        await reply(message, _(TOO_FEW_POSTINGS).format(count=len(postings)))
        return
    await state.update_data({PICKED_KEY: []})
    await reply(message, format_compare_picker(0),
                reply_markup=compare_keyboard(postings, [], 0))


async def compare_button(callback: CallbackQuery, callback_data: CompareAction,
                         state: FSMContext, catalog: PostingCatalog, comparer: PostingComparer,
                         profiles: ProfileStore | None = None) -> None:
    postings = catalog.all()
    # Postings removed since they were picked drop out.
    picked = [i for i in (await state.get_data()).get(PICKED_KEY, [])
              if catalog.get(i) is not None]
    if callback_data.action == "pick":
        posting = resolve_posting(catalog, callback_data.key)
        if posting is None:
            await callback.answer(_("This posting is no longer available."), show_alert=True)
            return
        if posting.id in picked:
            picked.remove(posting.id)
        elif len(picked) >= MAX_COMPARED:
            await callback.answer(_(AT_MOST), show_alert=True)
            return
        else:
            picked.append(posting.id)
    elif callback_data.action == "go":
        if len(picked) < 2:
            await callback.answer(_(PICK_MORE), show_alert=True)
            return
        profile = await _stored_profile(profiles, callback.from_user.id)
        comparison = comparer.compare([p for p in (catalog.get(i) for i in picked) if p],
                                      profile)
        await state.update_data({PICKED_KEY: []})
        await show(callback, format_comparison(comparison),
                   comparison_keyboard(comparison.postings, COMPARE_MARKS))
        await callback.answer()
        return
    await state.update_data({PICKED_KEY: picked})
    await show(callback, format_compare_picker(len(picked)),
               compare_keyboard(postings, picked, callback_data.page))
    await callback.answer()


def comparison_formatter(question: str, catalog: PostingCatalog, comparer: PostingComparer,
                         stored: Profile | None) -> Callable[[Answer], str]:
    """Formats an answer as the bot shows it: a comparison (intent "compare") laid out for a
    phone with ✅/❌ from a profile stated in the question, else the stored one; any other
    answer as usual."""
    def render(answer: Answer) -> str:
        postings = [p for p in (catalog.get(i) for i in answer.posting_ids) if p is not None]
        if answer.intent != "compare" or not answer.found or len(postings) < 2:
            return format_answer(answer)
        profile = comparer.question_profile(question) or stored
        return format_comparison(comparer.compare(postings, profile))
    return render


async def answer_formatter(question: str, user_id: int | None, catalog: PostingCatalog | None,
                           comparer: PostingComparer | None,
                           profiles: ProfileStore | None) -> Callable[[Answer], str]:
    """The formatter for a typed question's answer; the stored profile is read only for
    comparison questions (one database read saved on every other question)."""
    if catalog is None or comparer is None or not comparer.asks_comparison(question):
        return format_answer
    stored = await _stored_profile(profiles, user_id)
    return comparison_formatter(question, catalog, comparer, stored)
