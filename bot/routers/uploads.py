"""Admins manage postings from the chat: send a posting file to add it, /remove to drop one.

An upload is checked before anything changes: its type and Telegram's announced size first
(before downloading), then it is downloaded into a private temporary folder, parsed and
compared with the corpus (duplicates are refused). The admin sees the parsed posting card and
confirms; only then is the file copied into the corpus (under a name derived from the posting,
never the uploader's file name) and indexed incrementally, with progress in one edited
message. Every refusal says why and changes nothing.

Whether the document is a posting at all is decided by its content first (`CvReader`): an
admin's CV goes to the CV flow (bot/routers/cv.py) and is never indexed; when the content is
ambiguous the admin is asked, with two buttons, which it is.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.cv_views import NOT_A_CV, WHICH_KIND, which_kind_keyboard
from bot.documents import download, refusal
from bot.filters import IsAdmin
from bot.formatting import (
    esc,
    format_download_failed,
    format_file_too_large,
    format_index_failed,
    format_posting_added,
    format_posting_removed,
    format_remove_confirm,
    format_remove_failed,
    format_remove_usage,
    format_unknown_posting,
    format_unsupported_upload,
    format_upload_preview,
    format_upload_rejected,
)
from bot.i18n import N_, _
from bot.keyboards import (
    RemoveAction,
    UploadAction,
    remove_keyboard,
    resolve_posting,
    upload_keyboard,
)
from bot.progress import BUSY, ProgressMessage
from bot.replies import reply, show
from bot.routers.cv import offer as offer_cv
from retrieval.cv import CvRejected
from retrieval.indexer import ReindexBusy, UnknownPosting, UploadRejected
from retrieval.loaders import SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from retrieval.catalog import PostingCatalog
    from retrieval.cv import CvCheck, CvReader
    from retrieval.indexer import Indexer
    from retrieval.models import Posting
    from retrieval.settings import Settings

logger = logging.getLogger(__name__)

REMOVE_NOT_ALLOWED = N_("Sorry, /remove is only available to the bot's administrators.")
NOT_ALLOWED_ALERT = N_("Only the bot's administrators can do this.")
UPLOAD_EXPIRED = N_(
    "This upload has expired or was already handled; please send the file again.")
UPLOAD_CANCELLED = N_("Upload cancelled; nothing was added.")
REMOVE_CANCELLED = N_("Nothing was removed.")
REMOVE_GONE = N_("That posting is no longer indexed; send /remove to see the current ones.")
ADDING = N_("Adding the posting")  # as in "❌ Adding the posting failed; …"
REMOVING = N_("Removing the posting")
# confirm, cancel, and for an undecided document "a CV" / "a posting": anything else is a
# stale or forged button
_ACTIONS = ("ok", "no", "cv", "post")
PENDING_TTL = 3600.0  # an unconfirmed upload (and its temporary copy) lives this long

def create_router() -> Router:
    # A fresh router per dispatcher (a Router can have only one parent); pending uploads live
    # with it, so two dispatchers in one process never see each other's uploads.
    handlers = UploadHandlers()
    router = Router(name="uploads")
    # Users' documents (CVs) go on to the cv router.
    router.message.register(handlers.document, F.document, IsAdmin())
    router.message.register(handlers.remove, Command("remove"), IsAdmin())
    router.message.register(refuse_remove, Command("remove"))
    router.callback_query.register(handlers.confirm_upload,
                                   UploadAction.filter(F.action == "ok"), IsAdmin())
    router.callback_query.register(handlers.cancel_upload,
                                   UploadAction.filter(F.action == "no"), IsAdmin())
    router.callback_query.register(handlers.choose_kind,
                                   UploadAction.filter(F.action.in_(("cv", "post"))), IsAdmin())
    router.callback_query.register(handlers.confirm_remove,
                                   RemoveAction.filter(F.action == "ok"), IsAdmin())
    router.callback_query.register(handlers.cancel_remove,
                                   RemoveAction.filter(F.action == "no"), IsAdmin())
    router.callback_query.register(refuse_button,
                                   or_f(UploadAction.filter(F.action.in_(_ACTIONS)),
                                        RemoveAction.filter(F.action.in_(_ACTIONS))))
    router.shutdown.register(handlers.discard_all)
    return router


async def refuse_remove(message: Message) -> None:
    await reply(message, _(REMOVE_NOT_ALLOWED))


async def refuse_button(callback: CallbackQuery) -> None:
    await callback.answer(_(NOT_ALLOWED_ALERT), show_alert=True)


@dataclass
class PendingUpload:
    user_id: int
    path: Path  # alone in its own temporary folder
    display_name: str
    posting: Posting | None  # None while the admin is asked whether it is a CV
    created: float = field(default_factory=time.monotonic)

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


class UploadHandlers:
    def __init__(self, ttl: float = PENDING_TTL) -> None:
        self.pending: dict[str, PendingUpload] = {}
        self.undecided: dict[str, PendingUpload] = {}  # CV or posting? asked the admin
        self.ttl = ttl

    # ---- uploads -------------------------------------------------------------------------------

    async def document(self, message: Message, bot: Bot, settings: Settings,
                       indexer: Indexer, cv_reader: CvReader, state: FSMContext) -> None:
        assert message.document is not None and message.from_user is not None
        document = message.document
        name = document.file_name or _("the file")
        limit = settings.max_upload_bytes
        refused = refusal(document, limit)
        if refused == "type":
            await reply(message, format_unsupported_upload(name, SUPPORTED_SUFFIXES))
            return
        if refused == "size" and document.file_size is not None:
            # Telegram tells the size up front: no need to download what would be refused.
            await reply(message, format_file_too_large(name, document.file_size, limit))
            return
        self._expire()
        downloaded = await download(bot, document, name)
        if downloaded is None:
            await reply(message, format_download_failed(name))
            return
        try:
            # A CV sent by an admin is not a posting: decided by content, asked when unsure.
            kind = await asyncio.to_thread(self._kind, cv_reader, downloaded.path, name)
            if kind is not None and kind.kind == "cv" and kind.has_profile:
                downloaded.discard()
                await offer_cv(message, state, kind.reading)
                return
            if kind is not None and kind.kind == "unsure":
                token = secrets.token_urlsafe(9)
                self.undecided[token] = PendingUpload(message.from_user.id, downloaded.path,
                                                      name, None)
                await reply(message, _(WHICH_KIND).format(name=esc(name)),
                            reply_markup=which_kind_keyboard(
                                UploadAction(action="cv", token=token).pack(),
                                UploadAction(action="post", token=token).pack()))
                return
            await self._preview(message, downloaded.path, name, indexer, message.from_user.id)
        except BaseException:
            downloaded.discard()
            raise

    @staticmethod
    def _kind(cv_reader: CvReader, path: Path, name: str) -> CvCheck | None:
        try:
            return cv_reader.examine(path, name)
        except CvRejected:
            return None  # unreadable: the posting checks say why, as for any upload

    async def _preview(self, message: Message, path: Path, name: str, indexer: Indexer,
                       user_id: int) -> None:
        """Parse the downloaded file as a posting and show its card to confirm."""
        try:
            # Parsing a PDF or DOCX takes a while: off the event loop.
            posting = await asyncio.to_thread(indexer.check_file, path, name)
        except UploadRejected as exc:
            shutil.rmtree(path.parent, ignore_errors=True)
            await reply(message, format_upload_rejected(str(exc)))
            return
        token = secrets.token_urlsafe(9)
        self.pending[token] = PendingUpload(user_id, path, name, posting)
        await reply(message, format_upload_preview(posting, name),
                    reply_markup=upload_keyboard(token))

    async def choose_kind(self, callback: CallbackQuery, callback_data: UploadAction,
                          indexer: Indexer, cv_reader: CvReader, state: FSMContext) -> None:
        """The admin said whether an undecided document is a CV or a posting."""
        upload = self.undecided.pop(callback_data.token, None)
        message = callback.message
        if upload is None or not isinstance(message, Message):
            if upload is not None:
                upload.discard()
            await callback.answer(_(UPLOAD_EXPIRED), show_alert=True)
            return
        await callback.answer()
        if callback_data.action == "post":
            await self._preview(message, upload.path, upload.display_name, indexer,
                                callback.from_user.id)
            return
        try:
            check = await asyncio.to_thread(self._kind, cv_reader, upload.path,
                                            upload.display_name)
        finally:
            upload.discard()
        if check is None or not check.has_profile:
            await reply(message, _(NOT_A_CV).format(name=esc(upload.display_name)))
            return
        await offer_cv(message, state, check.reading)

    async def confirm_upload(self, callback: CallbackQuery, callback_data: UploadAction,
                             indexer: Indexer) -> None:
        upload = self.pending.pop(callback_data.token, None)
        if upload is None:
            await callback.answer(_(UPLOAD_EXPIRED), show_alert=True)
            return
        if indexer.running:
            self.pending[callback_data.token] = upload  # keep it: the admin can press again
            await callback.answer(_(BUSY), show_alert=True)
            return
        await callback.answer()
        progress = await self._progress(
            callback, _("Adding {name}…").format(name=upload.display_name))
        try:
            report = await indexer.aadd_file(upload.path, upload.display_name, progress.update)
        except ReindexBusy:
            self.pending[callback_data.token] = upload
            await progress.finish(_(BUSY))
            return
        except UploadRejected as exc:  # e.g. a duplicate that arrived since the preview
            upload.discard()
            await progress.finish(format_upload_rejected(str(exc)))
            return
        except Exception as exc:
            upload.discard()
            logger.exception("Adding %r failed", upload.display_name)
            await progress.finish(format_index_failed(ADDING, exc))
            return
        upload.discard()
        assert upload.posting is not None  # only previewed postings reach this button
        await progress.finish(format_posting_added(upload.posting, report))

    async def cancel_upload(self, callback: CallbackQuery, callback_data: UploadAction) -> None:
        upload = self.pending.pop(callback_data.token, None)
        if upload is not None:
            upload.discard()
        await show(callback, _(UPLOAD_CANCELLED))
        await callback.answer()

    def _expire(self) -> None:
        now = time.monotonic()
        for pending in (self.pending, self.undecided):
            for token, upload in list(pending.items()):
                if now - upload.created > self.ttl:
                    del pending[token]
                    upload.discard()

    async def discard_all(self) -> None:
        for upload in [*self.pending.values(), *self.undecided.values()]:
            upload.discard()
        self.pending.clear()
        self.undecided.clear()

    # ---- removal -------------------------------------------------------------------------------

    async def remove(self, message: Message, command: CommandObject,
                     catalog: PostingCatalog) -> None:
        postings = catalog.all()
        query = (command.args or "").strip()
        if not query:
            await reply(message, format_remove_usage(postings))
            return
        posting = find_posting(postings, query)
        if posting is None:
            await reply(message, format_unknown_posting(query, postings))
            return
        await reply(message, format_remove_confirm(posting),
                    reply_markup=remove_keyboard(posting.id))

    async def confirm_remove(self, callback: CallbackQuery, callback_data: RemoveAction,
                             indexer: Indexer, catalog: PostingCatalog) -> None:
        posting = resolve_posting(catalog, callback_data.key)
        if posting is None:
            await callback.answer(_(REMOVE_GONE), show_alert=True)
            return
        if indexer.running:
            await callback.answer(_(BUSY), show_alert=True)
            return
        await callback.answer()
        progress = await self._progress(
            callback, _("Removing {id}…").format(id=posting.id))
        try:
            report = await indexer.aremove_posting(posting.id, progress.update)
        except ReindexBusy:
            await progress.finish(_(BUSY))
            return
        except UnknownPosting as exc:
            await progress.finish(format_remove_failed(str(exc)))
            return
        except Exception as exc:
            logger.exception("Removing %s failed", posting.id)
            await progress.finish(format_index_failed(REMOVING, exc))
            return
        await progress.finish(format_posting_removed(posting, report))

    async def cancel_remove(self, callback: CallbackQuery) -> None:
        await show(callback, _(REMOVE_CANCELLED))
        await callback.answer()

    @staticmethod
    async def _progress(callback: CallbackQuery, first_line: str) -> ProgressMessage:
        """Progress goes into the message whose button was pressed (its buttons disappear
        with the first edit), or a new one when that message is too old to edit."""
        message = callback.message
        if not isinstance(message, Message):
            assert callback.bot is not None
            chat_id = message.chat.id if message is not None else callback.from_user.id
            message = await callback.bot.send_message(chat_id, _("🔄 Working…"))
        progress = ProgressMessage(message)
        await progress.update(first_line)
        return progress


def find_posting(postings: list[Posting], query: str) -> Posting | None:
    """A posting by id, or by post number ("2040", "post 2040")."""
    query = query.strip()
    by_id = next((p for p in postings if p.id == query), None)
    if by_id is not None:
        return by_id
    number = " ".join(query.casefold().removeprefix("post").split()).lstrip("#: ")
    return next((p for p in postings
                 if number and " ".join(p.post_number.casefold().split()) == number), None)
