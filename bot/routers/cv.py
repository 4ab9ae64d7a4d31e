"""Users send their CV as a document: the profile it shows is offered for confirmation.

A document from a user (an admin's goes to the uploads router first, which hands it here
when it reads as a CV) is checked (type, size), downloaded into a temporary folder, read by
the `CvReader` off the event loop, and deleted at once, whatever happens. The user sees the
profile with Confirm / Edit / Cancel; Edit takes corrections typed in free text (the profile
parser reads them, and what they state replaces what the CV said); Confirm stores the
profile — the only thing kept — and answers with every posting's verdict. Between the steps
the pending profile (never the CV's text) waits in the FSM storage, like the wizard's.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.cv_views import (
    CANCELLED,
    EDIT_NOT_UNDERSTOOD,
    EDIT_PROMPT,
    LOOKS_LIKE_POSTING,
    NOT_A_CV,
    CvStep,
    cancel_keyboard,
    cv_keyboard,
    format_cv_profile,
    format_refusal,
)
from bot.documents import download, refusal
from bot.eligibility_views import SAVED, format_profile, format_ranked_result
from bot.formatting import esc, format_download_failed
from bot.i18n import _
from bot.keyboards import STALE_BUTTON
from bot.replies import reply, show
from retrieval.cv import CvReading, CvRejected, corrected
from retrieval.loaders import SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from aiogram.types import Document

    from retrieval.cv import CvCheck, CvReader
    from retrieval.eligibility import EligibilityChecker
    from retrieval.settings import Settings
    from state.profiles import ProfileStore

_typed = F.text & ~F.text.startswith("/")


class CvUpload(StatesGroup):
    confirm = State()  # the profile is shown with Confirm / Edit / Cancel
    edit = State()  # waiting for a typed correction


def create_router() -> Router:
    router = Router(name="cv")
    router.message.register(document, F.document)
    router.message.register(cancel_command, Command("cancel"), StateFilter(CvUpload))
    router.message.register(type_correction, CvUpload.edit, _typed)
    router.callback_query.register(confirm, CvStep.filter(F.action == "confirm"),
                                   StateFilter(CvUpload))
    router.callback_query.register(edit, CvStep.filter(F.action == "edit"),
                                   StateFilter(CvUpload))
    router.callback_query.register(cancel, CvStep.filter(F.action == "cancel"),
                                   StateFilter(CvUpload))
    return router


async def read_document(message: Message, bot: Bot, settings: Settings,
                        cv_reader: CvReader) -> CvCheck | None:
    """The checked CV of a message's document, or None after replying why not. The
    downloaded file is gone when this returns."""
    assert message.document is not None
    document: Document = message.document
    name = document.file_name or _("the file")
    refused = refusal(document, settings.max_upload_bytes)
    if refused is not None:
        await reply(message, format_refusal(refused, name, limit=settings.max_upload_bytes,
                                            types=SUPPORTED_SUFFIXES))
        return None
    downloaded = await download(bot, document, name)
    if downloaded is None:
        await reply(message, format_download_failed(name))
        return None
    try:
        return await asyncio.to_thread(cv_reader.examine, downloaded.path, name)
    except CvRejected as exc:
        await reply(message, format_refusal(exc.reason, name, limit=settings.max_upload_bytes,
                                            types=SUPPORTED_SUFFIXES))
        return None
    finally:
        downloaded.discard()


async def document(message: Message, bot: Bot, settings: Settings, cv_reader: CvReader,
                   state: FSMContext) -> None:
    check = await read_document(message, bot, settings, cv_reader)
    if check is None:
        return
    name = esc(message.document.file_name if message.document and message.document.file_name
               else _("the file"))
    if check.kind == "posting" and check.looks_like_posting:
        await reply(message, _(LOOKS_LIKE_POSTING).format(name=name))
        return
    if not check.has_profile:
        await reply(message, _(NOT_A_CV).format(name=name))
        return
    await offer(message, state, check.reading)


async def offer(message: Message, state: FSMContext, reading: CvReading) -> None:
    """Show the profile read from a CV, to confirm, edit or cancel."""
    await state.clear()
    await state.set_state(CvUpload.confirm)
    await state.update_data(cv=reading.model_dump(mode="json"))
    await reply(message, format_cv_profile(reading), reply_markup=cv_keyboard())


async def _pending(state: FSMContext) -> CvReading | None:
    data = (await state.get_data()).get("cv")
    return CvReading.model_validate(data) if data is not None else None


async def confirm(callback: CallbackQuery, state: FSMContext, profiles: ProfileStore,
                  eligibility: EligibilityChecker) -> None:
    reading = await _pending(state)
    if reading is None:  # the state without its data (storage flushed): start again
        await state.clear()
        await callback.answer(_(STALE_BUTTON), show_alert=True)
        return
    await profiles.save(callback.from_user.id, reading.profile)
    await state.clear()
    ranked = await asyncio.to_thread(eligibility.rank, reading.profile)
    await show(callback, f"{_(SAVED)}\n{format_profile(reading.profile)}\n\n"
                         f"{format_ranked_result(ranked, reading.profile)}")
    await callback.answer()


async def edit(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(CvUpload.edit)
    await show(callback, _(EDIT_PROMPT), reply_markup=cancel_keyboard())
    await callback.answer()


async def type_correction(message: Message, state: FSMContext, cv_reader: CvReader) -> None:
    reading = await _pending(state)
    if reading is None:
        await state.clear()
        await reply(message, _(STALE_BUTTON))
        return
    correction = cv_reader.correction(message.text or "")
    if not correction.has_facts():
        await reply(message, _(EDIT_NOT_UNDERSTOOD), reply_markup=cancel_keyboard())
        return
    reading = reading.model_copy(update={"profile": corrected(reading.profile, correction)})
    await offer(message, state, reading)


async def cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(callback, _(CANCELLED))
    await callback.answer()


async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await reply(message, _(CANCELLED))
