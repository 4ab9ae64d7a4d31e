"""Security: admin checks on every call, secrets never in logs or replies, uploaded file names
never used as paths, size limits. The webhook secret is covered by tests/ops/test_webhook.py
(test_webhook_refuses_requests_without_the_secret, test_webhook_mode_requires_a_secret)."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import EditMessageText
from pydantic import SecretStr

from bot.app import SOMETHING_WENT_WRONG, create_dispatcher
from bot.cv_views import LOOKS_LIKE_POSTING
from bot.observability import configure_logging
from bot.routers.admin import NOT_ALLOWED
from bot.routers.feedback import STATS_NOT_ALLOWED
from bot.routers.uploads import REMOVE_NOT_ALLOWED
from retrieval.indexer import UploadRejected
from tests.support.fake_bot_api import TOKEN, FakeBotAPI
from tests.support.fakes import (
    ADMIN_ID,
    FakeIndexer,
    document_update,
    fake_services,
    message_update,
)
from tests.support.mocked_bot import MockedBot, sent_texts
from tests.support.polling import polling_bot
from tests.support.posting_files import SAFETY, markdown_posting

API_KEY = "sk-live-THISISASECRETKEY0123456789"
FAKE_TOKEN = "123456789:AAHfakeTokenFakeTokenFakeToken12345"


async def test_admin_removed_at_runtime_is_refused_on_the_next_call() -> None:
    # (tests/bot/test_bot_handlers.py::test_admin_list_is_read_on_every_call adds an admin.)
    services = fake_services()
    dp, bot = create_dispatcher(services), MockedBot()  # type: ignore[arg-type]
    await dp.feed_update(bot, message_update("/reindex", user_id=ADMIN_ID))
    assert services.indexer.calls == 1
    services.settings.admin_ids.remove(ADMIN_ID)  # e.g. settings reloaded without them
    bot.clear()
    for command in ("/reindex", "/stats", "/remove 000_ai"):
        await dp.feed_update(bot, message_update(command, user_id=ADMIN_ID))
    posting = markdown_posting(SAFETY)
    bot.session.add_file("f1", posting)
    await dp.feed_update(bot, document_update("f1", "x.md", len(posting), user_id=ADMIN_ID))
    # the document is now a user's: read as a CV, found to be a posting, refused
    assert sent_texts(bot) == [NOT_ALLOWED, STATS_NOT_ALLOWED, REMOVE_NOT_ALLOWED,
                           LOOKS_LIKE_POSTING.format(name="x.md")]
    assert services.indexer.calls == 1


async def test_secrets_never_reach_logs_or_replies() -> None:
    services = fake_services(llm_api_key=API_KEY, telegram_bot_token=FAKE_TOKEN)

    def boom(question: str) -> Any:
        raise RuntimeError(f"POST https://api.telegram.org/bot{FAKE_TOKEN}/sendMessage "
                           f"failed; Authorization: Bearer {API_KEY}; "
                           "redis://:hunter2pass@redis:6379/0")

    services.answers.respond = boom
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(services.settings, stream=stream)
    try:
        dp, bot = create_dispatcher(services), MockedBot()  # type: ignore[arg-type]
        await dp.feed_update(bot, message_update("hello"))
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    logged = stream.getvalue()
    assert "RuntimeError" in logged and "[REDACTED]" in logged  # the failure is logged…
    for secret in (FAKE_TOKEN, API_KEY, "hunter2pass", "AAHfakeToken"):
        assert secret not in logged  # …without its secrets
    assert sent_texts(bot) == [SOMETHING_WENT_WRONG]  # the user sees no details at all


async def test_error_text_shown_to_admins_is_redacted_on_the_wire() -> None:
    """/reindex failures show the exception to the admin; the session redacts secrets from
    every outgoing text (bot/observability.py RedactingRequestMiddleware)."""
    api = FakeBotAPI()
    await api.start()
    services = fake_services(llm_api_key=API_KEY)
    services.indexer.error = RuntimeError(f"embeddings 401 for key {API_KEY} via "
                                          f"https://x/bot{FAKE_TOKEN}/getMe")
    settings = services.settings.model_copy(update={
        "telegram_api_base": api.base_url, "telegram_bot_token": SecretStr(TOKEN)})
    try:
        async with polling_bot(api, services, settings, timeout=10):
            mark = await api.send_text("/reindex", user_id=ADMIN_ID)
            final = await api.wait_for(lambda r: r.method == "editMessageText"
                                       and "Reindex failed" in r["text"], since=mark)
            assert "[REDACTED]" in final["text"]
            assert API_KEY not in final["text"] and FAKE_TOKEN not in final["text"]
    finally:
        await api.stop()


class RecordingIndexer(FakeIndexer):
    def __init__(self) -> None:
        super().__init__()
        self.checked: list[tuple[Path, str | None]] = []

    def check_file(self, path: Path, display_name: str | None = None) -> Any:
        self.checked.append((path, display_name))
        raise UploadRejected(f"{display_name}: no posting sections recognised")


@pytest.mark.parametrize("name", ["..\\..\\x.md", "/etc/cron.d/x.md", "C:\\Windows\\x.md",
                                  "../" * 20 + "x.md", "x.md\x00.exe.md"])
async def test_uploaded_file_names_are_never_paths(name: str) -> None:
    # (tests/bot/test_admin_uploads.py::test_upload_name_is_never_used_as_a_path covers
    # "../../../etc/<evil>.md" end to end, with a real corpus.)
    services = fake_services()
    services.indexer = RecordingIndexer()
    dp, bot = create_dispatcher(services), MockedBot()  # type: ignore[arg-type]
    bot.session.add_file("f1", b"Title: x\n")
    await dp.feed_update(bot, document_update("f1", name, 9, user_id=ADMIN_ID))
    ((path, shown),) = services.indexer.checked
    assert path.name == "upload.md" and path.parent.name.startswith("jpo-upload-")
    assert shown == name  # the name is only ever displayed (escaped)
    (reply,) = sent_texts(bot)
    assert "Nothing was changed" in reply and "<" not in reply.replace("<b>", "")
    assert not path.parent.exists()  # the temporary folder is gone


async def test_size_limits_on_questions_and_uploads() -> None:
    services = fake_services(max_question_chars=100, max_upload_bytes=1000)
    dp, bot = create_dispatcher(services), MockedBot()  # type: ignore[arg-type]
    await dp.feed_update(bot, message_update("x" * 101))
    await dp.feed_update(bot, document_update("f1", "p.md", 1001, user_id=ADMIN_ID))
    too_long, too_big = sent_texts(bot)
    assert "101 characters" in too_long and "100 characters" in too_long
    assert "1,001 bytes; the limit is 1,000 bytes" in too_big
    assert services.answers.calls == [] and not bot.session.downloads
    assert not bot.of_type(EditMessageText)
