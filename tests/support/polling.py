"""The real bot polling the fake Bot API server (tests/support/fake_bot_api.py) over HTTP, and
the predicate the end-to-end tests wait on for its replies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher

from bot.app import create_bot, create_dispatcher, run_polling
from retrieval.settings import Settings
from tests.support.fake_bot_api import FakeBotAPI, Request


@asynccontextmanager
async def polling_bot(
    api: FakeBotAPI, services: Any, settings: Settings | None = None, *,
    timeout: float = 30.0, polling_timeout: int = 1,
) -> AsyncIterator[tuple[Bot, Dispatcher]]:
    """Polls `api` for `services` (the Bot made from `settings`, else from the services' own)
    from its first getUpdates until the block ends, then stops polling; `api` stays up."""
    bot = create_bot(settings if settings is not None else services.settings)
    dp = create_dispatcher(services)
    task = asyncio.create_task(run_polling(services, bot=bot, dispatcher=dp,
                                           handle_signals=False,
                                           polling_timeout=polling_timeout))
    try:
        await api.wait_for(lambda r: r.method == "getUpdates", timeout=timeout)
        yield bot, dp
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 10)


def sent_to(chat: int, needle: str) -> Callable[[Request], bool]:
    """A predicate for FakeBotAPI.wait_for: a message sent or edited in `chat` containing
    `needle`."""
    return lambda r: (r.method in ("sendMessage", "editMessageText")
                      and int(r["chat_id"]) == chat and needle in r["text"])
