"""A Bot whose session records every request instead of calling Telegram, after
aiogram's own tests/mocked_bot.py. Replies are generated per method (a Message for
sendMessage/editMessageText, True for most others) unless a result or an exception is
queued for that method."""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetFile,
    GetMe,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import Chat, File, InlineKeyboardMarkup, Message, Update, User

from tests.support.telegram_html import check_html

BOT_ID = 42
BOT_USERNAME = "jpo_test_bot"
M = TypeVar("M", bound=TelegramMethod[Any])


class MockedSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.queued: dict[type, deque[Any]] = defaultdict(deque)
        self._message_ids = itertools.count(1000)
        self.closed = True
        self.files: dict[str, bytes] = {}  # file_path -> contents, for getFile + download
        self.downloads: list[str] = []

    def add_file(self, file_id: str, content: bytes) -> None:
        """Make `file_id` downloadable (getFile, then the file URL) with `content`."""
        self.files[f"documents/{file_id}"] = content

    def queue(self, method: type[TelegramMethod[Any]], result: Any) -> None:
        """Next call of `method` returns `result` (or raises it, if it is an exception)."""
        self.queued[method].append(result)

    async def close(self) -> None:
        self.closed = True

    async def make_request(self, bot: Bot, method: TelegramMethod[Any],
                           timeout: int | None = None) -> Any:
        self.closed = False
        self.requests.append(method)
        if self.queued[type(method)]:
            result = self.queued[type(method)].popleft()
            if isinstance(result, BaseException):
                raise result
            return result
        return self._default(bot, method)

    def _default(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return bot_user()
        if isinstance(method, GetFile):
            path = f"documents/{method.file_id}"
            return File(file_id=method.file_id, file_unique_id=f"u-{method.file_id}",
                        file_size=len(self.files.get(path, b"")), file_path=path)
        if isinstance(method, SendMessage):
            return self._message(bot, int(method.chat_id), method.text,
                                 next(self._message_ids))
        if isinstance(method, EditMessageText):
            return self._message(bot, int(method.chat_id or 0), method.text,
                                 int(method.message_id or 0))
        return True

    @staticmethod
    def _message(bot: Bot, chat_id: int, text: str | None, message_id: int) -> Message:
        chat_type = "private" if chat_id > 0 else "supergroup"
        message = Message(
            message_id=message_id, date=datetime.now(UTC),
            chat=Chat(id=chat_id, type=chat_type), from_user=bot_user(), text=text,
        )
        return message.as_(bot)

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None,
                             timeout: int = 30, chunk_size: int = 65536,
                             raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        self.downloads.append(url)
        content = next((data for path, data in self.files.items() if url.endswith(path)), b"")
        for start in range(0, len(content), chunk_size):
            yield content[start:start + chunk_size]
        if not content:
            yield b""


def bot_user() -> User:
    return User(id=BOT_ID, is_bot=True, first_name="JPO bot", username=BOT_USERNAME)


class MockedBot(Bot):
    session: MockedSession

    def __init__(self) -> None:
        super().__init__(
            f"{BOT_ID}:TEST", session=MockedSession(),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self._me = bot_user()

    @property
    def requests(self) -> list[TelegramMethod[Any]]:
        return self.session.requests

    def of_type(self, method: type[M]) -> list[M]:
        return [r for r in self.session.requests if isinstance(r, method)]

    def clear(self) -> None:
        self.session.requests.clear()


def sent_texts(bot: MockedBot) -> list[str]:
    """The texts of the messages the bot sent (sendMessage), in order."""
    return [m.text for m in bot.of_type(SendMessage)]


def button_pairs(markup: Any) -> list[tuple[str, str]]:
    """An inline keyboard's buttons, row by row, as (text, callback data) pairs."""
    assert isinstance(markup, InlineKeyboardMarkup)
    return [(b.text, b.callback_data or "") for row in markup.inline_keyboard for b in row]


def assert_html_valid(bot: MockedBot) -> None:
    """Every text the bot sent or edited is valid Telegram HTML."""
    for method in bot.requests:
        if isinstance(method, SendMessage | EditMessageText):
            assert method.text is not None, method
            check_html(method.text)


def callback_answer(bot: MockedBot, update: Update) -> AnswerCallbackQuery:
    """The bot's answer to the button press in `update`, which must be answered exactly once."""
    assert update.callback_query is not None
    answers = [a for a in bot.of_type(AnswerCallbackQuery)
               if a.callback_query_id == update.callback_query.id]
    assert len(answers) == 1, f"callback answered {len(answers)} times"
    return answers[0]
