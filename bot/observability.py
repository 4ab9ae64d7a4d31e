"""Structured logging: the logging setup, secret redaction and the per-update log line.

Every update produces one line with its id, the user id, the latency and (for questions)
the answer mode — never the message text. Secrets (the bot token, API keys, the webhook
secret, passwords in URLs) are redacted from every formatted line, whatever logger emitted
it: aiohttp errors carry request URLs, and Telegram request URLs contain the bot token.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from aiogram.types import TelegramObject, Update

if TYPE_CHECKING:
    from bot.metrics import Metrics
    from retrieval.models import Answer
    from retrieval.settings import Settings

update_logger = logging.getLogger("bot.updates")

REDACTED = "[REDACTED]"
# A Telegram bot token (<bot id>:<35 characters>), wherever it appears (URLs, reprs).
# Not \b-anchored: in request URLs the token follows "bot" directly (/bot123:AA…/getMe).
TOKEN_RE = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}(?![A-Za-z0-9_-])")
# user:password@ in URLs (redis://:pw@host, https://user:pw@host).
URL_CREDENTIALS_RE = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):[^@\s/]+@")

# Extras our code attaches to records; the JSON formatter emits them as top-level fields.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
_HANDLER_MARK = "_jpo_handler"
QUIET_LOGGERS = ("aiogram.event", "httpx", "httpcore", "sqlalchemy.engine")


class Redactor:
    """Replaces known secret values and token-looking strings with [REDACTED]."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is redacted whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    @classmethod
    def from_settings(cls, settings: Settings) -> Redactor:
        values = [v.get_secret_value() for v in (
            settings.telegram_bot_token, settings.llm_api_key, settings.embeddings_api_key,
            settings.webhook_secret, settings.state_db_url)]
        # A database's password may show up on its own (a driver's error message), not only
        # inside its URL.
        for url in (settings.state_db_url.get_secret_value(), settings.redis_url):
            with suppress(ValueError):
                values.append(urlsplit(url).password or "")
        return cls(values)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = TOKEN_RE.sub(REDACTED, text)
        return URL_CREDENTIALS_RE.sub(rf"\g<scheme>\g<user>:{REDACTED}@", text)


class RedactingRequestMiddleware(BaseRequestMiddleware):
    """Bot session middleware: secrets never leave in a message either. Error replies (e.g.
    a failed /reindex shows the exception to the admin) may quote exception text, and that
    can carry a URL with the token or an API key."""

    def __init__(self, redact: Redactor) -> None:
        self.redact = redact

    async def __call__(self, make_request: Any, bot: Any, method: Any) -> Any:
        if isinstance(method, SendMessage | EditMessageText | AnswerCallbackQuery) \
                and method.text:
            clean = self.redact(method.text)
            if clean != method.text:
                method = method.model_copy(update={"text": clean})
        return await make_request(bot, method)


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        # Redacting the finished line covers the message, its arguments and tracebacks.
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, the record's extras, exc."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        # Secrets are plain [A-Za-z0-9:_-] text, which JSON does not escape: redacting the
        # encoded line is as safe as redacting each field.
        return self.redact(json.dumps(entry, ensure_ascii=False, default=str))


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Install the process's log handler on the root logger (replacing one installed earlier
    by this function); returns it so a caller (a test) can remove it again."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    redact = Redactor.from_settings(settings)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redact) if settings.log_json else TextFormatter(redact))
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # Our per-update line replaces aiogram's "Update id=… is handled" line; the Chroma HTTP
    # client's (httpx) per-request INFO lines would drown everything else; and SQLAlchemy
    # can log every SQL statement with its parameters — user questions included.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler


# ---- the per-update line ----------------------------------------------------------------------

# The fields of the update being handled. The dict is shared by reference, so the answer hook
# can fill in the mode even from the worker thread `asyncio.to_thread` runs it in (that thread
# gets a copy of the context, i.e. the same dict).
_current_update: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "jpo_current_update", default=None)


def note_answer(question: str, answer: Answer, seconds: float) -> None:
    """An `AnswerService.on_answer` hook: record the answer mode on the current update."""
    fields = _current_update.get()
    if fields is not None:
        fields["mode"] = str(answer.mode)
        fields["answer_ms"] = round(seconds * 1000, 1)


def install_answer_hook(answers: Any) -> None:
    """Add `note_answer` to the answer service's hooks once (test fakes have none)."""
    hooks = getattr(answers, "on_answer", None)
    if isinstance(hooks, list) and note_answer not in hooks:
        hooks.append(note_answer)


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateLogMiddleware(BaseMiddleware):
    """Outer middleware on `dp.update`: one log line per update (ids, latency, mode, status)
    and the error counter. Registered after aiogram's own outer middlewares, so the user is
    known and an exception passes through here before the error handlers see it."""

    def __init__(self, metrics: Metrics | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        chat = data.get("event_chat")
        fields: dict[str, Any] = {
            "update_id": event.update_id if isinstance(event, Update) else None,
            "event": event.event_type if isinstance(event, Update) else type(event).__name__,
            "user_id": user.id if user is not None else None,
            "chat_id": chat.id if chat is not None else None,
        }
        token = _current_update.set(fields)
        started = self.clock()
        status = "ok"
        try:
            result = await handler(event, data)
            if result is UNHANDLED:
                status = "unhandled"
            return result
        except Exception:
            status = "error"
            if self.metrics is not None:
                self.metrics.observe_error("update")
            raise
        finally:
            _current_update.reset(token)
            fields["latency_ms"] = round((self.clock() - started) * 1000, 1)
            fields["status"] = status
            level = logging.WARNING if status == "error" else logging.INFO
            update_logger.log(
                level, "update %s (%s) from user %s: %s in %.1f ms%s",
                fields["update_id"], fields["event"], fields["user_id"], status,
                fields["latency_ms"], f", mode {fields['mode']}" if "mode" in fields else "",
                extra=fields)
