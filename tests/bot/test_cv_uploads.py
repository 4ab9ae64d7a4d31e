"""CV uploads through the real dispatcher with a recording bot, over real services (CV reader,
eligibility checker, profile store, indexer) on a copy of the corpus; vectors from a hashing
embedder, so no model is loaded. The end-to-end run over the local Bot API server is in
test_cv_e2e.py."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetFile, SendMessage
from aiogram.types import InlineKeyboardMarkup, Update

from bot.cv_views import CANCELLED, EDIT_NOT_UNDERSTOOD, EDIT_PROMPT
from tests.bot.conftest import UPLOAD_LIMIT as LIMIT
from tests.support.fakes import (
    ADMIN_ID,
    USER_ID,
    callback_update,
    document_update,
    message_update,
)
from tests.support.mocked_bot import MockedBot, callback_answer
from tests.support.posting_files import (
    BINARY_TXT,
    BROKEN_PDF,
    NOT_A_POSTING,
    SAFETY,
    markdown_posting,
)
from tests.support.telegram_html import check_html, html_to_text

CVS = Path(__file__).resolve().parents[1] / "data" / "cvs"
# What CV 08 says, none of which may be stored (its profile may: economics, languages)
CV08_WORDS = ["TOM BECKER", "Bundesbank", "Goethe University", "OECD Directorate",
              "University of Mannheim", "Part-time Lecturer", "2021–2023", "Frankfurt"]


_file_ids = iter(range(1, 10_000))


async def send(dp: Dispatcher, bot: MockedBot, content: bytes, name: str | None, *,
               user_id: int = USER_ID, announced: int | None = -1) -> SendMessage:
    file_id = f"cv{next(_file_ids)}"
    bot.session.add_file(file_id, content)
    size = len(content) if announced == -1 else announced
    mark = len(bot.of_type(SendMessage))
    await dp.feed_update(bot, document_update(file_id, name, size, user_id=user_id))
    replies = bot.of_type(SendMessage)[mark:]
    assert len(replies) == 1, [r.text for r in replies]
    check_html(replies[0].text)
    return replies[0]


async def press(dp: Dispatcher, bot: MockedBot, data: str, *,
                user_id: int = USER_ID) -> Update:
    update = callback_update(data, user_id=user_id, message_id=1000)
    await dp.feed_update(bot, update)
    callback_answer(bot, update)  # every button press is answered exactly once
    return update


def buttons(markup: Any) -> dict[str, str]:
    assert isinstance(markup, InlineKeyboardMarkup)
    return {b.text: b.callback_data or "" for row in markup.inline_keyboard for b in row}


def stored_bytes(real: Any) -> bytes:
    """Every byte the state database and the data folder hold."""
    return b"".join(p.read_bytes() for p in real.settings.data_dir.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", ["08_one_line_en.docx", "12_table_en.pdf",
                                  "02_one_line_fr.txt"])
async def test_cv_is_shown_confirmed_stored_and_answered_with_verdicts(
    rdp: Dispatcher, bot: MockedBot, real: Any, name: str
) -> None:
    preview = await send(rdp, bot, (CVS / name).read_bytes(), name)
    shown = html_to_text(preview.text)
    assert "Read from your CV" in shown and "Degree:" in shown and "Languages:" in shown
    assert "your CV and its text are not stored" in shown
    assert list(buttons(preview.reply_markup)) == ["✅ Confirm", "✏️ Edit", "✖ Cancel"]
    assert await real.profiles.get(USER_ID) is None  # nothing before the user confirms

    await press(rdp, bot, buttons(preview.reply_markup)["✅ Confirm"])
    final = html_to_text(bot.of_type(EditMessageText)[-1].text)
    assert "Profile saved" in final
    assert "How your profile fits the postings" in final
    assert final.count("\n• ") == len(real.catalog.all()) == 5  # every posting's verdict
    profile = await real.profiles.get(USER_ID)
    assert profile is not None and profile.has_degree and profile.languages


async def test_nothing_of_the_cv_is_persisted(rdp: Dispatcher, bot: MockedBot,
                                              real: Any) -> None:
    content = (CVS / "08_one_line_en.docx").read_bytes()
    corpus = sorted(p.name for p in real.settings.corpus_dir.iterdir())
    temporary = set(Path(tempfile.gettempdir()).glob("jpo-upload-*"))
    preview = await send(rdp, bot, content, "08.docx")
    assert set(Path(tempfile.gettempdir()).glob("jpo-upload-*")) == temporary  # file gone
    assert "3 years" in html_to_text(preview.text)
    # the pending profile waits in the FSM storage: no line of the CV there either
    pending = repr(rdp.storage.storage).lower()  # type: ignore[attr-defined]
    assert not [w for w in CV08_WORDS if w.lower() in pending]
    await press(rdp, bot, buttons(preview.reply_markup)["✅ Confirm"])
    saved = stored_bytes(real)
    assert b"economics" in saved  # the profile itself is there …
    assert not [w for w in CV08_WORDS if w.encode() in saved]  # … and no word of the CV
    assert content[:200] not in saved
    assert sorted(p.name for p in real.settings.corpus_dir.iterdir()) == corpus


async def test_edit_takes_typed_corrections(rdp: Dispatcher, bot: MockedBot,
                                            real: Any) -> None:
    preview = await send(rdp, bot, (CVS / "08_one_line_en.docx").read_bytes(), "cv.docx")
    await press(rdp, bot, buttons(preview.reply_markup)["✏️ Edit"])
    assert bot.of_type(EditMessageText)[-1].text == EDIT_PROMPT
    bot.clear()
    await rdp.feed_update(bot, message_update("hmm", user_id=USER_ID))
    assert [m.text for m in bot.of_type(SendMessage)] == [EDIT_NOT_UNDERSTOOD]
    bot.clear()
    await rdp.feed_update(bot, message_update(
        "I have 5 years of experience and fluent French", user_id=USER_ID))
    (again,) = bot.of_type(SendMessage)
    shown = html_to_text(again.text)
    assert "5 years" in shown and "French (fluent)" in shown and "German (native)" in shown
    await press(rdp, bot, buttons(again.reply_markup)["✅ Confirm"])
    profile = await real.profiles.get(USER_ID)
    assert profile is not None
    assert profile.years_experience == 5 and profile.languages["fr"] == "fluent"
    assert profile.degree_field == "economics"  # what the correction did not state stays


async def test_cancel_stores_nothing(rdp: Dispatcher, bot: MockedBot, real: Any) -> None:
    preview = await send(rdp, bot, (CVS / "01_chronological_en.txt").read_bytes(), "cv.txt")
    await press(rdp, bot, buttons(preview.reply_markup)["✖ Cancel"])
    assert bot.of_type(EditMessageText)[-1].text == CANCELLED
    update = await press(rdp, bot, buttons(preview.reply_markup)["✅ Confirm"])
    assert update.callback_query is not None  # a stale button: answered, nothing saved
    assert await real.profiles.get(USER_ID) is None


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("cv.pdf", BROKEN_PDF, "I could not read cv.pdf: the file is damaged"),
    ("cv.txt", BINARY_TXT, "I could not read cv.txt"),
    ("cv.txt", b"  \n\n", "cv.txt has no text I can read"),
    ("shopping.txt", NOT_A_POSTING, "I found no degree, dated work experience or languages"),
    ("osh.md", markdown_posting(SAFETY), "looks like a vacancy announcement"),
])
async def test_bad_files_get_a_clear_reply(rdp: Dispatcher, bot: MockedBot, real: Any,
                                           name: str, content: bytes, expected: str) -> None:
    reply = await send(rdp, bot, content, name)
    assert expected in html_to_text(reply.text)
    assert reply.reply_markup is None
    assert await real.profiles.get(USER_ID) is None


async def test_wrong_type_and_too_large_are_refused_before_downloading(
    rdp: Dispatcher, bot: MockedBot
) -> None:
    reply = await send(rdp, bot, b"MZ\x90\x00", "cv.exe")
    assert "can't read cv.exe: send your CV as a .txt, .md, .pdf, .docx file" in reply.text
    reply = await send(rdp, bot, b"x", "cv.pdf", announced=LIMIT + 1)
    assert f"cv.pdf is too large: files may be up to {LIMIT:,} bytes" in reply.text
    assert not bot.of_type(GetFile) and not bot.session.downloads
    # sent without a size: refused after the download, with the same limit
    big = (CVS / "01_chronological_en.txt").read_bytes() + b"\nfiller " * (LIMIT // 7)
    reply = await send(rdp, bot, big, "big.txt", announced=None)
    assert "big.txt is too large" in reply.text


async def test_an_admins_cv_is_not_taken_for_a_posting(rdp: Dispatcher, bot: MockedBot,
                                                       real: Any) -> None:
    before = sorted(p.name for p in real.settings.corpus_dir.iterdir())
    preview = await send(rdp, bot, (CVS / "10_europass_fr.pdf").read_bytes(), "cv.pdf",
                         user_id=ADMIN_ID)
    assert "Read from your CV" in html_to_text(preview.text)
    assert "Add posting" not in str(preview.reply_markup)
    await press(rdp, bot, buttons(preview.reply_markup)["✅ Confirm"], user_id=ADMIN_ID)
    assert sorted(p.name for p in real.settings.corpus_dir.iterdir()) == before
    assert len(real.catalog.all()) == 5
    assert await real.profiles.get(ADMIN_ID) is not None


AMBIGUOUS = markdown_posting(SAFETY) + (
    b"\nExperience\n2019 - 2022 Analyst, Ministry of Labour\n"
    b"Education\nMSc in Economics, 2018\nLanguages\nEnglish: fluent\n")


async def test_an_ambiguous_document_from_an_admin_is_asked_about(
    rdp: Dispatcher, bot: MockedBot, real: Any
) -> None:
    question = await send(rdp, bot, AMBIGUOUS, "doc.md", user_id=ADMIN_ID)
    assert "could be a CV or a vacancy announcement" in question.text
    choices = buttons(question.reply_markup)
    assert list(choices) == ["👤 A CV: check eligibility", "📋 A posting: add it"]
    # a user cannot answer for the admin
    update = await press(rdp, bot, choices["📋 A posting: add it"], user_id=USER_ID)
    assert update.callback_query is not None
    mark = len(bot.of_type(SendMessage))
    await press(rdp, bot, choices["👤 A CV: check eligibility"], user_id=ADMIN_ID)
    (profile,) = bot.of_type(SendMessage)[mark:]
    assert "Read from your CV" in html_to_text(profile.text)
    assert "3 years" in html_to_text(profile.text)
    # the same document again, this time a posting: the card to confirm
    question = await send(rdp, bot, AMBIGUOUS, "doc.md", user_id=ADMIN_ID)
    mark = len(bot.of_type(SendMessage))
    await press(rdp, bot, buttons(question.reply_markup)["📋 A posting: add it"],
                user_id=ADMIN_ID)
    (card,) = bot.of_type(SendMessage)[mark:]
    assert SAFETY["title"] in html_to_text(card.text) and "Add posting" in str(card.reply_markup)
    # a choice pressed twice has expired
    update = await press(rdp, bot, buttons(question.reply_markup)["📋 A posting: add it"],
                         user_id=ADMIN_ID)
    answer = next(a for a in bot.of_type(AnswerCallbackQuery)
                  if update.callback_query and a.callback_query_id == update.callback_query.id)
    assert answer.text and "expired" in answer.text


@pytest.mark.parametrize(("code", "name", "expected"), [
    ("fr", "02_one_line_fr.txt", ["📄 Lu dans votre CV", "Seul ce profil est conservé",
                                  "✅ Confirmer", "Votre profil face aux postes"]),
    ("es", "03_europass_es.txt", ["📄 Leído en su CV", "Solo se guarda este perfil",
                                  "✅ Confirmar", "Cómo encaja su perfil con los puestos"]),
])
async def test_cv_flow_in_french_and_spanish(rdp: Dispatcher, bot: MockedBot, code: str,
                                             name: str, expected: list[str]) -> None:
    user = {"id": USER_ID, "is_bot": False, "first_name": "U", "language_code": code}
    content = (CVS / name).read_bytes()
    bot.session.add_file("fr-es", content)
    await rdp.feed_update(bot, document_update("fr-es", name, len(content), user_id=USER_ID,
                                               **{"from": user}))
    (preview,) = bot.of_type(SendMessage)
    labels = buttons(preview.reply_markup)
    assert expected[0] in preview.text and expected[1] in preview.text
    assert expected[2] in labels
    data = callback_update(labels[expected[2]], user_id=USER_ID, message_id=1000).model_dump(
        by_alias=True, exclude_none=True)
    data["callback_query"]["from"]["language_code"] = code
    await rdp.feed_update(bot, Update.model_validate(data))
    assert expected[3] in bot.of_type(EditMessageText)[-1].text
    reply = await send(rdp, bot, BROKEN_PDF, "cv.pdf", user_id=USER_ID)
    assert "I could not read" in reply.text  # no language code on this one: English
