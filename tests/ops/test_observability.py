"""Structured logs: JSON lines with ids/latency/mode, and no secret in any log line."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import create_dispatcher
from bot.observability import QUIET_LOGGERS, REDACTED, Redactor, configure_logging
from retrieval.settings import Settings
from tests.support.fake_bot_api import TOKEN, FakeBotAPI
from tests.support.polling import polling_bot

QUESTION = "Who supervises the JPO in Standards Policy and Development?"
LLM_KEY = "sk-test-llm-key-0123456789abcdef"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes the root logger: put it back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, value in quiet.items():
        logging.getLogger(name).setLevel(value)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_extras_and_redact(restore_logging: None) -> None:
    settings = Settings(_env_file=None, log_json=True, telegram_bot_token=TOKEN,
                        llm_api_key=LLM_KEY, state_db_url="postgresql://jpo:s3cretDbPass@db/jpo")
    buffer = io.StringIO()
    configure_logging(settings, stream=buffer)
    configure_logging(settings, stream=buffer)  # idempotent: still one handler, one line each
    log = logging.getLogger("jpo.test")
    log.info("answered", extra={"update_id": 7, "user_id": 42, "latency_ms": 12.5,
                                "mode": "extractive"})
    log.warning("calling https://api.telegram.org/bot%s/getMe with key %s", TOKEN, LLM_KEY)
    log.info("queue at redis://:hunter2pass@redis:6379/0 and 123456789:%s", "A" * 35)
    log.error("password authentication failed (password s3cretDbPass)")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("request failed")
    entries = lines(buffer)
    assert len(entries) == 5
    first = entries[0]
    assert first["message"] == "answered" and first["level"] == "INFO"
    assert (first["update_id"], first["user_id"], first["latency_ms"], first["mode"]) == (
        7, 42, 12.5, "extractive")
    assert first["logger"] == "jpo.test" and first["ts"].endswith("+00:00")
    text = buffer.getvalue()
    for secret in (TOKEN, LLM_KEY, "hunter2pass", "A" * 35, "s3cretDbPass"):
        assert secret not in text
    assert REDACTED in entries[1]["message"] and REDACTED in entries[4]["exc"]
    assert "redis://:[REDACTED]@redis:6379/0" in entries[2]["message"]


def test_text_format_redacts_too(restore_logging: None) -> None:
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN)
    buffer = io.StringIO()
    configure_logging(settings, stream=buffer)
    logging.getLogger("jpo.test").error("token %s", TOKEN)
    assert TOKEN not in buffer.getvalue() and "ERROR jpo.test: token [REDACTED]" in (
        buffer.getvalue())


def test_redactor_ignores_empty_secrets() -> None:
    assert Redactor(["", "abc"])("abc and more") == "abc and more"  # too short to be secret


@pytest.mark.slow
async def test_e2e_logs_one_json_line_per_update_and_never_the_token(
    restore_logging: None, indexed_services: Any
) -> None:
    """A real polling run at DEBUG: every line is JSON, the question's update line has ids,
    latency and answer mode, and neither the token nor the question text is logged."""
    api = FakeBotAPI()
    base = await api.start()
    settings = indexed_services.settings.model_copy(update={
        "telegram_bot_token": SecretStr(TOKEN), "telegram_api_base": base,
        "throttle_seconds": 0, "log_json": True, "log_level": "DEBUG"})
    services = dataclasses.replace(indexed_services, settings=settings)
    buffer = io.StringIO()
    configure_logging(settings, stream=buffer)
    try:
        async with polling_bot(api, services):
            mark = await api.send_text(QUESTION, user_id=701)
            (reply,) = await api.replies(701, since=mark)
            assert "Lisa Tortell" in reply["text"]
            # What an HTTP library would log at DEBUG: the request URL, token included.
            logging.getLogger("aiogram.client.session").debug(
                "Request: POST %s/bot%s/sendMessage", base, TOKEN)
    finally:
        await api.stop()
    text = buffer.getvalue()
    assert TOKEN not in text
    assert f"{base}/bot{REDACTED}/sendMessage" in text
    assert QUESTION not in text
    entries = lines(buffer)  # every line parses
    updates = [e for e in entries if e["logger"] == "bot.updates" and e.get("user_id") == 701]
    assert len(updates) == 1
    (entry,) = updates
    assert isinstance(entry["update_id"], int) and entry["event"] == "message"
    assert entry["status"] == "ok" and entry["mode"] == "extractive"
    assert isinstance(entry["latency_ms"], float) and entry["latency_ms"] > 0


# --------------------------------------------------------------------------- metrics wiring


def test_metrics_time_reindexes_and_count_failures(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from bot.metrics import Metrics
    from retrieval.indexer import Indexer, ReindexBusy
    from retrieval.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus")
    indexer = Indexer(settings, store=None)  # type: ignore[arg-type]
    outcomes: list[BaseException | None] = [None, RuntimeError("validation failed"),
                                            ReindexBusy("busy")]

    def fake_reindex(progress: Any, *, rebuild: bool) -> str:
        error = outcomes.pop(0)
        if error is not None:
            raise error
        return "report"

    indexer._reindex = fake_reindex  # type: ignore[method-assign]
    metrics = Metrics()
    services = SimpleNamespace(answers=SimpleNamespace(on_answer=[]), indexer=indexer)
    metrics.bind(services)
    metrics.bind(services)  # idempotent: one hook each
    assert services.answers.on_answer == [metrics.observe_answer]
    assert indexer.on_reindex == [metrics.observe_index_change]
    assert indexer.reindex() == "report"
    with pytest.raises(RuntimeError):
        indexer.reindex()
    with pytest.raises(ReindexBusy):
        indexer.reindex()
    sample = metrics.registry.get_sample_value
    assert sample("jpo_reindex_duration_seconds_count") == 1.0
    assert sample("jpo_errors_total", {"kind": "reindex"}) == 1.0  # busy is not a failure
    metrics.unbind()
    assert services.answers.on_answer == [] and indexer.on_reindex == []


async def test_failing_update_is_logged_and_counted(restore_logging: None) -> None:
    from bot.app import SOMETHING_WENT_WRONG
    from bot.metrics import Metrics
    from tests.support.fakes import FakeAnswerService, fake_services, message_update
    from tests.support.mocked_bot import MockedBot

    def explode(question: str) -> Any:
        raise RuntimeError(f"boom with {TOKEN}")

    services = fake_services(answers=FakeAnswerService(respond=explode), log_json=True)
    buffer = io.StringIO()
    configure_logging(services.settings.model_copy(update={"telegram_bot_token": SecretStr(
        TOKEN)}), stream=buffer)
    metrics = Metrics()
    dp = create_dispatcher(services, metrics=metrics)  # type: ignore[arg-type]
    bot = MockedBot()
    await dp.feed_update(bot, message_update("a question", user_id=5))
    assert metrics.registry.get_sample_value("jpo_errors_total", {"kind": "update"}) == 1.0
    assert SOMETHING_WENT_WRONG in [getattr(m, "text", None) for m in bot.session.requests]
    entries = lines(buffer)
    (update,) = [e for e in entries if e["logger"] == "bot.updates"]
    assert update["status"] == "error" and update["user_id"] == 5 and update["level"] == "WARNING"
    assert TOKEN not in buffer.getvalue() and "a question" not in buffer.getvalue()
