"""Admin uploads, /remove, 👍/👎 feedback and /stats, through the real dispatcher with a
recording bot, over real services (indexer, catalog, answers, feedback store) on a copy of
the corpus. Vectors come from a tiny hashing embedder, so no model is loaded."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    SendMessage,
)
from aiogram.types import Update

from bot.keyboards import AnswerRating, RemoveAction, UploadAction
from bot.routers.feedback import RATING_EXPIRED, STATS_NOT_ALLOWED, THANKS
from bot.routers.uploads import (
    NOT_ALLOWED_ALERT,
    REMOVE_CANCELLED,
    REMOVE_NOT_ALLOWED,
    UPLOAD_CANCELLED,
    UPLOAD_EXPIRED,
)
from retrieval.indexer import IndexBuildError
from tests.bot.conftest import UPLOAD_LIMIT as LIMIT
from tests.conftest import CORPUS
from tests.support.fakes import (
    ADMIN_ID,
    USER_ID,
    callback_update,
    corpus_copy_settings,
    document_update,
    message_update,
)
from tests.support.mocked_bot import (
    MockedBot,
    assert_html_valid,
    button_pairs,
    callback_answer,
    sent_texts,
)
from tests.support.polling import polling_bot, sent_to
from tests.support.posting_files import (
    BINARY_TXT,
    BROKEN_PDF,
    NOT_A_POSTING,
    SAFETY,
    SOCIAL_PROTECTION,
    docx_posting,
    markdown_posting,
    pdf_posting,
)
from tests.support.telegram_html import check_html, html_to_text


def corpus_names(real: Any) -> set[str]:
    return {p.name for p in real.settings.corpus_dir.iterdir()}


_file_ids = iter(range(1, 10_000))


async def upload(dp: Dispatcher, bot: MockedBot, content: bytes, name: str | None, *,
                 user_id: int = ADMIN_ID, announced: int | None = -1,
                 mime_type: str | None = None) -> SendMessage:
    """Send `content` as a document; returns the bot's (single) reply."""
    file_id = f"f{next(_file_ids)}"
    bot.session.add_file(file_id, content)
    size = len(content) if announced == -1 else announced
    mark = len(bot.of_type(SendMessage))
    await dp.feed_update(bot, document_update(file_id, name, size, user_id=user_id,
                                              mime_type=mime_type))
    replies = bot.of_type(SendMessage)[mark:]
    assert len(replies) == 1, [r.text for r in replies]
    return replies[0]


async def press(dp: Dispatcher, bot: MockedBot, data: str, *, user_id: int = ADMIN_ID,
                message_id: int = 1000) -> Update:
    update = callback_update(data, user_id=user_id, message_id=message_id)
    await dp.feed_update(bot, update)
    callback_answer(bot, update)  # every button press is answered exactly once
    return update


def button_data(reply: SendMessage, label: str) -> str:
    return next(data for text, data in button_pairs(reply.reply_markup) if label in text)


# --------------------------------------------------------------------------- uploads


GOOD_FILES = [
    pytest.param("social_protection.md", lambda: markdown_posting(SOCIAL_PROTECTION),
                 SOCIAL_PROTECTION, "Rosa Quispe", id="markdown"),
    pytest.param("Social Protection (final).docx", lambda: docx_posting(SOCIAL_PROTECTION),
                 SOCIAL_PROTECTION, "Rosa Quispe", id="docx"),
    pytest.param("osh-nairobi.pdf", lambda: pdf_posting(SAFETY), SAFETY, "Peter Mwangi",
                 id="pdf"),
]


@pytest.mark.parametrize(("name", "make", "spec", "supervisor"), GOOD_FILES)
async def test_good_upload_preview_confirm_then_answered(
    rdp: Dispatcher, bot: MockedBot, real: Any, name: str, make: Any, spec: dict,
    supervisor: str,
) -> None:
    before = corpus_names(real)
    preview = await upload(rdp, bot, make(), name)
    text = html_to_text(preview.text)
    assert name in text
    assert spec["title"] in text and spec["fields"][0][1] in text  # the card: title, station
    assert f"Post number: {spec['post_number']}" in text
    assert supervisor in text
    assert [label for label, _ in button_pairs(preview.reply_markup)] == ["✅ Add posting",
                                                                     "✖ Cancel"]
    assert corpus_names(real) == before  # nothing changes before the admin confirms
    assert len(bot.of_type(GetFile)) == 1

    await press(rdp, bot, button_data(preview, "Add posting"))
    edits = bot.of_type(EditMessageText)
    assert {e.message_id for e in edits} == {1000}  # progress edits the preview in place
    assert "Adding" in edits[0].text
    final = html_to_text(edits[-1].text)
    assert "✅ Added" in final and spec["title"] in final and "newly embedded" in final
    added = corpus_names(real) - before
    (new_file,) = added
    assert new_file.startswith(f"post-{spec['post_number']}-") and \
        new_file.endswith(Path(name).suffix)
    new_id = Path(new_file).stem
    assert real.catalog.get(new_id) is not None
    answer = await real.answers.ask(f"Who supervises the {spec['title']}?", "t")
    assert supervisor in answer.text
    assert_html_valid(bot)


async def test_upload_name_is_never_used_as_a_path(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    preview = await upload(rdp, bot, markdown_posting(SAFETY), "../../../etc/<evil>.md")
    assert "&lt;evil&gt;" in preview.text  # echoed, escaped
    await press(rdp, bot, button_data(preview, "Add posting"))
    corpus = real.settings.corpus_dir
    new = [p for p in corpus.iterdir() if p.name.startswith("post-6160-")]
    assert len(new) == 1 and new[0].parent == corpus
    assert not (corpus.parent.parent / "etc").exists()
    assert not list(corpus.glob(".*"))  # no partial or hidden leftovers


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("report.pdf", BROKEN_PDF, "report.pdf: not a readable PDF file"),
    ("notes.txt", BINARY_TXT, "notes.txt: looks like a binary file"),
    ("shopping.txt", NOT_A_POSTING, "shopping.txt: no posting sections recognised"),
    ("empty.md", b"  \n\n", "empty.md: contains no text"),
])
async def test_bad_files_are_refused_and_change_nothing(
    rdp: Dispatcher, bot: MockedBot, real: Any, name: str, content: bytes, expected: str
) -> None:
    before = corpus_names(real)
    active = real.store.pointer()["active"]
    reply = await upload(rdp, bot, content, name)
    assert expected in html_to_text(reply.text)
    assert "Nothing was changed" in reply.text
    assert reply.reply_markup is None
    assert corpus_names(real) == before
    assert real.store.pointer()["active"] == active
    assert_html_valid(bot)


async def test_too_large_is_refused_before_downloading(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    reply = await upload(rdp, bot, markdown_posting(SAFETY), "big.md", announced=LIMIT + 1)
    assert f"big.md is {LIMIT + 1:,} bytes; the limit is {LIMIT:,} bytes" in reply.text
    assert not bot.of_type(GetFile) and not bot.session.downloads


async def test_too_large_without_announced_size_is_refused_after_download(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    content = markdown_posting(SAFETY) + b"\nfiller " * (LIMIT // 7)
    reply = await upload(rdp, bot, content, "big.md", announced=None)
    assert f"is over the limit of {LIMIT:,}" in reply.text and "big.md" in reply.text
    assert corpus_names(real) == {p.name for p in CORPUS.iterdir()}


@pytest.mark.parametrize("name", ["posting.doc", "posting.exe", "posting", "posting.md.zip"])
async def test_unsupported_types_are_refused_before_downloading(
    rdp: Dispatcher, bot: MockedBot, name: str
) -> None:
    reply = await upload(rdp, bot, markdown_posting(SAFETY), name)
    assert "I can't read" in reply.text and ".pdf" in reply.text and ".docx" in reply.text
    assert not bot.of_type(GetFile)


async def test_nameless_document_is_typed_by_its_mime_type(
    rdp: Dispatcher, bot: MockedBot
) -> None:
    reply = await upload(rdp, bot, pdf_posting(SAFETY), None, mime_type="application/pdf")
    assert SAFETY["title"] in html_to_text(reply.text)


async def test_duplicates_are_refused_naming_the_existing_posting(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    same = (CORPUS / "002_bd34980e9eece061.txt").read_bytes()
    reply = await upload(rdp, bot, same, "normes copy.txt")
    assert "already in the corpus as 002_bd34980e9eece061" in reply.text
    # Re-exported with other line breaks: still the same posting.
    reflowed = re.sub(rb"\n+", b"\n\n", same)
    reply = await upload(rdp, bot, reflowed, "normes.md")
    assert "already in the corpus as 002_bd34980e9eece061" in reply.text
    # Another text with the post number of an existing posting.
    edited = (CORPUS / "003_7dab671c5908fb3f.txt").read_text().replace(
        "Claire Hobden", "Someone Else")
    reply = await upload(rdp, bot, edited.encode(), "vulnerable v2.txt")
    assert "post number 2040 is already used by 003_7dab671c5908fb3f" in reply.text
    assert corpus_names(real) == {p.name for p in CORPUS.iterdir()}


async def test_duplicate_arriving_after_the_preview_is_refused_on_confirm(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    first = await upload(rdp, bot, markdown_posting(SAFETY), "a.md")
    second = await upload(rdp, bot, markdown_posting(SAFETY), "b.md")
    await press(rdp, bot, button_data(first, "Add posting"))
    assert "✅ Added" in bot.of_type(EditMessageText)[-1].text
    await press(rdp, bot, button_data(second, "Add posting"), message_id=1001)
    final = html_to_text(bot.of_type(EditMessageText)[-1].text)
    assert "b.md: the same posting is already in the corpus as post-6160-" in final
    assert len([p for p in corpus_names(real) if p.startswith("post-6160-")]) == 1


async def test_failed_download_gets_a_clear_reply(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    from aiogram.exceptions import TelegramBadRequest
    from aiogram.methods import GetFile as GetFileMethod

    bot.session.queue(GetFile, TelegramBadRequest(method=GetFileMethod(file_id="x"),
                                                  message="Bad Request: file is too big"))
    reply = await upload(rdp, bot, markdown_posting(SAFETY), "osh.md")
    assert "could not download osh.md" in reply.text
    assert not _pending(rdp)
    assert corpus_names(real) == {p.name for p in CORPUS.iterdir()}


async def test_non_admin_postings_are_refused(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    # A user's document is read as a CV (tests/bot/test_cv_uploads.py); a posting is not one.
    reply = await upload(rdp, bot, markdown_posting(SAFETY), "osh.md", user_id=USER_ID)
    assert "looks like a vacancy announcement" in reply.text
    assert "only admins can add postings" in reply.text
    assert reply.reply_markup is None and not _pending(rdp)
    assert corpus_names(real) == {p.name for p in CORPUS.iterdir()}


async def test_cancel_discards_the_upload(rdp: Dispatcher, bot: MockedBot, real: Any) -> None:
    preview = await upload(rdp, bot, markdown_posting(SAFETY), "osh.md")
    (pending,) = _pending(rdp).values()
    assert pending.path.exists()
    # A non-admin cannot press the admin's buttons (e.g. forwarded into a group).
    update = await press(rdp, bot, button_data(preview, "Cancel"), user_id=USER_ID)
    assert callback_answer(bot, update).text == NOT_ALLOWED_ALERT
    assert _pending(rdp)
    await press(rdp, bot, button_data(preview, "Cancel"))
    assert bot.of_type(EditMessageText)[-1].text == UPLOAD_CANCELLED
    assert not _pending(rdp) and not pending.path.parent.exists()
    update = await press(rdp, bot, button_data(preview, "Add posting"))
    assert callback_answer(bot, update).text == UPLOAD_EXPIRED
    assert corpus_names(real) == {p.name for p in CORPUS.iterdir()}


async def test_confirm_by_non_admin_and_forged_token(rdp: Dispatcher, bot: MockedBot) -> None:
    preview = await upload(rdp, bot, markdown_posting(SAFETY), "osh.md")
    update = await press(rdp, bot, button_data(preview, "Add posting"), user_id=USER_ID)
    assert callback_answer(bot, update).text == NOT_ALLOWED_ALERT
    update = await press(rdp, bot, UploadAction(action="ok", token="forged").pack())
    assert callback_answer(bot, update).text == UPLOAD_EXPIRED
    assert not bot.of_type(EditMessageText)


def _pending(dp: Dispatcher) -> dict[str, Any]:
    router = next(r for r in dp.sub_routers if r.name == "uploads")
    handler = router.message.handlers[0].callback
    return handler.__self__.pending  # type: ignore[attr-defined]  # a bound method


# --------------------------------------------------------------------------- /remove


async def test_remove_refused_for_non_admins(rdp: Dispatcher, bot: MockedBot) -> None:
    await rdp.feed_update(bot, message_update("/remove 2040"))
    assert sent_texts(bot) == [REMOVE_NOT_ALLOWED]


async def test_remove_without_argument_lists_ids(rdp: Dispatcher, bot: MockedBot) -> None:
    await rdp.feed_update(bot, message_update("/remove", user_id=ADMIN_ID))
    (reply,) = sent_texts(bot)
    assert "Usage" in reply and "<code>003_7dab671c5908fb3f</code> — post 2040" in reply
    assert_html_valid(bot)


async def test_remove_unknown_posting(rdp: Dispatcher, bot: MockedBot) -> None:
    await rdp.feed_update(bot, message_update("/remove <b>9999</b>", user_id=ADMIN_ID))
    (reply,) = sent_texts(bot)
    assert "I don't know a posting with the id or post number" in reply
    assert "&lt;b&gt;9999&lt;/b&gt;" in reply and "/postings" in reply
    assert "002_bd34980e9eece061" in reply
    assert_html_valid(bot)


async def test_remove_by_post_number_after_confirmation(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    await rdp.feed_update(bot, message_update("/remove 2040", user_id=ADMIN_ID))
    (confirm,) = bot.of_type(SendMessage)
    assert "vulnerable work" in html_to_text(confirm.text) and "Remove this posting" in \
        confirm.text
    assert (real.settings.corpus_dir / "003_7dab671c5908fb3f.txt").exists()
    await press(rdp, bot, button_data(confirm, "Remove"))
    final = html_to_text(bot.of_type(EditMessageText)[-1].text)
    assert "🗑 Removed" in final and "003_7dab671c5908fb3f" in final
    assert not (real.settings.corpus_dir / "003_7dab671c5908fb3f.txt").exists()
    assert real.catalog.get("003_7dab671c5908fb3f") is None and len(real.catalog) == 4
    # Pressing the button again: the posting is gone, the admin is told so.
    update = await press(rdp, bot, button_data(confirm, "Remove"))
    assert "no longer indexed" in (callback_answer(bot, update).text or "")


async def test_remove_by_id_cancelled(rdp: Dispatcher, bot: MockedBot, real: Any) -> None:
    await rdp.feed_update(bot, message_update("/remove 002_bd34980e9eece061",
                                              user_id=ADMIN_ID))
    (confirm,) = bot.of_type(SendMessage)
    await press(rdp, bot, button_data(confirm, "Cancel"))
    assert bot.of_type(EditMessageText)[-1].text == REMOVE_CANCELLED
    assert len(real.catalog) == 5


async def test_remove_failing_reindex_restores_the_file(
    rdp: Dispatcher, bot: MockedBot, real: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise IndexBuildError("probe <query> found nothing")

    monkeypatch.setattr(real.indexer, "_validate", broken)
    key = RemoveAction(action="ok", key="003_7dab671c5908fb3f").pack()
    await press(rdp, bot, key)
    final = bot.of_type(EditMessageText)[-1].text
    assert "Removing the posting failed" in final and "probe &lt;query&gt;" in final
    assert (real.settings.corpus_dir / "003_7dab671c5908fb3f.txt").exists()
    assert not list(real.settings.corpus_dir.glob(".*"))
    assert len(real.catalog) == 5


# --------------------------------------------------------------------------- feedback, /stats


async def ask(dp: Dispatcher, bot: MockedBot, question: str, user_id: int) -> SendMessage:
    mark = len(bot.of_type(SendMessage))
    await dp.feed_update(bot, message_update(question, user_id=user_id))
    return bot.of_type(SendMessage)[mark:][-1]


async def test_answers_carry_rating_buttons_and_ratings_are_stored(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    answer = await ask(rdp, bot, "Who supervises the JPO in Standards Policy and Development?",
                       USER_ID)
    assert "Lisa Tortell" in answer.text
    labels = button_pairs(answer.reply_markup)
    assert [label for label, _ in labels] == ["👍", "👎"]
    data = AnswerRating.unpack(labels[0][1])
    update = await press(rdp, bot, labels[0][1], user_id=USER_ID)
    assert callback_answer(bot, update).text == THANKS[1]
    (marked,) = bot.of_type(EditMessageReplyMarkup)
    assert [b.text for row in marked.reply_markup.inline_keyboard  # type: ignore[union-attr]
            for b in row] == ["👍 ✓", "👎"]
    stats = await real.feedback.stats()
    assert (stats.thumbs_up, stats.thumbs_down) == (1, 0)
    # Changing one's mind replaces the rating rather than adding one.
    await press(rdp, bot, AnswerRating(answer_id=data.answer_id, rating=-1).pack(),
                user_id=USER_ID)
    stats = await real.feedback.stats()
    assert (stats.thumbs_up, stats.thumbs_down) == (0, 1)
    update = await press(rdp, bot, AnswerRating(answer_id=99_999, rating=1).pack())
    assert callback_answer(bot, update).text == RATING_EXPIRED


async def test_stats_for_admins(rdp: Dispatcher, bot: MockedBot, real: Any) -> None:
    await ask(rdp, bot, "Where is the creative sectors and digital economy JPO based?", 501)
    await ask(rdp, bot, "What is the salary for the <b>creative</b> sectors JPO?", 502)
    rated = await ask(rdp, bot, "What grade is the due diligence JPO post?", 501)
    await press(rdp, bot, button_pairs(rated.reply_markup)[0][1], user_id=501)
    bot.clear()
    await rdp.feed_update(bot, message_update("/stats", user_id=ADMIN_ID))
    (reply,) = sent_texts(bot)
    shown = html_to_text(reply)
    assert "Postings indexed: 5" in shown
    assert "Distinct users: 2" in shown
    assert "Questions today (UTC): 3" in shown
    assert "Answered: 2 · unanswered: 1" in shown
    assert "👍 1 · 👎 0" in shown
    assert "What is the salary for the <b>creative</b> sectors JPO?" in shown
    assert "&lt;b&gt;creative&lt;/b&gt;" in reply  # user text is escaped
    assert_html_valid(bot)


async def test_stats_refused_for_non_admins(rdp: Dispatcher, bot: MockedBot) -> None:
    await rdp.feed_update(bot, message_update("/stats", user_id=USER_ID))
    assert sent_texts(bot) == [STATS_NOT_ALLOWED]


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
async def test_e2e_admin_uploads_a_posting_and_users_ask_about_it(
    tmp_path: Path, shared_embeddings: Any
) -> None:
    """The real bot polling the fake Bot API server over HTTP: the admin sends a DOCX, sees
    the card, confirms; a user then asks about the new posting and rates the answer."""
    from retrieval.services import build_services
    from tests.support.fake_bot_api import TOKEN, FakeBotAPI

    api = FakeBotAPI()
    base = await api.start()
    settings = corpus_copy_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_base=base)
    services = build_services(settings, embeddings=shared_embeddings)
    try:
        async with polling_bot(api, services):
            # A user's posting file is read, found to be no CV, and refused.
            mark = await api.send_document(docx_posting(SOCIAL_PROTECTION), "sp.docx",
                                           user_id=USER_ID)
            await api.wait_for(sent_to(USER_ID, "only admins can add postings"), since=mark)

            mark = await api.send_document(docx_posting(SOCIAL_PROTECTION),
                                           "Social Protection (final).docx", user_id=ADMIN_ID)
            preview = await api.wait_for(sent_to(ADMIN_ID, "New posting"), since=mark, timeout=30)
            assert any(r.method == "getFile" for r in api.requests[mark:])
            card = html_to_text(preview["text"])
            assert SOCIAL_PROTECTION["title"] in card and "Lima, Peru" in card
            assert "Rosa Quispe" in card
            confirm = next(b["callback_data"] for row in preview["reply_markup"]["inline_keyboard"]
                           for b in row if "Add posting" in b["text"])
            message = api.last_message(ADMIN_ID)
            mark, _ = await api.press(message, confirm, user_id=ADMIN_ID)
            done = await api.wait_for(sent_to(ADMIN_ID, "✅ Added"), since=mark, timeout=120)
            assert done.method == "editMessageText"
            assert int(done["message_id"]) == message["message_id"]  # the preview, edited
            assert len(services.catalog) == 6

            mark = await api.send_text("Who supervises the JPO in Social Protection Floors?",
                                       user_id=USER_ID)
            (answer,) = await api.replies(USER_ID, since=mark)
            assert "Rosa Quispe" in html_to_text(answer["text"].split("<b>Sources</b>")[0])
            rating = answer["reply_markup"]["inline_keyboard"][0]
            assert [b["text"] for b in rating] == ["👍", "👎"]
            mark, callback_id = await api.press(api.last_message(USER_ID),
                                                rating[0]["callback_data"], user_id=USER_ID)
            thanks = await api.wait_for(lambda r: r.method == "answerCallbackQuery"
                                        and r["callback_query_id"] == callback_id, since=mark)
            assert thanks["text"] == THANKS[1]
            await api.wait_for(lambda r: r.method == "editMessageReplyMarkup", since=mark)

            mark = await api.send_text("Where is the social protection floors JPO based?",
                                       user_id=USER_ID + 1)
            (answer,) = await api.replies(USER_ID + 1, since=mark)
            assert "Lima" in answer["text"]

            mark = await api.send_text("/stats", user_id=ADMIN_ID)
            (stats,) = await api.replies(ADMIN_ID, since=mark)
            shown = html_to_text(stats["text"])
            assert "Postings indexed: 6" in shown and "Distinct users: 2" in shown
            assert "👍 1 · 👎 0" in shown
            for request in api.requests:
                if request.method in ("sendMessage", "editMessageText"):
                    check_html(request["text"])
    finally:
        await api.stop()
        await services.feedback.close()
