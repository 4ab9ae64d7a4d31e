"""The Bot API calls the bot makes before it serves, retried instead of fatal.

Only reading updates is essential. getMe is needed too (aiogram's polling asks it first and
stops when it fails; the username recognises mentions in groups), so it is retried until it is
answered. The others are side calls: deleteWebhook (polling) and setMyCommands (the command
menu). Serving waits for their first attempt only, so that in the usual case the webhook is
gone before the first getUpdates and the menu is published; a failed side call is retried in
the background with exponential backoff and logged, and after `attempts` it is given up. A
third-party Bot API server without the method (404), a reply that is not JSON, flood control
(429) or a 5xx never stops the bot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.utils.backoff import Backoff, BackoffConfig

logger = logging.getLogger(__name__)

# 1 s, 2 s, 4 s… up to a minute between attempts (the same shape as aiogram's own polling).
STARTUP_BACKOFF = BackoffConfig(min_delay=1.0, max_delay=60.0, factor=2.0, jitter=0.1)
SIDE_CALL_ATTEMPTS = 8  # about four minutes of retrying with the backoff above
# Serving waits this long at most for a side call's first attempt (flood control on it may
# ask for more: the call then goes on in the background).
FIRST_ATTEMPT_WAIT = 10.0
# Answers that the same call will get again: no point retrying a side call on them.
REFUSALS = (TelegramBadRequest, TelegramNotFound, TelegramForbiddenError,
            TelegramUnauthorizedError)

Call = Callable[[], Awaitable[Any]]


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")


class StartupCalls:
    """Runs the start-up calls of one bot run; `aclose()` stops the retries still going."""

    def __init__(self, backoff: BackoffConfig = STARTUP_BACKOFF,
                 attempts: int = SIDE_CALL_ATTEMPTS,
                 first_attempt_wait: float = FIRST_ATTEMPT_WAIT) -> None:
        self.backoff = backoff
        self.attempts = attempts
        self.first_attempt_wait = first_attempt_wait
        self._retrying: set[asyncio.Task[bool]] = set()

    async def required(self, name: str, call: Call, stop: asyncio.Event) -> bool:
        """Retry `call` until it succeeds (True) or `stop` is set (False). A refused token
        is raised: nothing works without a valid one."""
        backoff = Backoff(self.backoff)
        attempt = 0
        while not stop.is_set():
            attempt += 1
            try:
                if not await _unless_stopped(call, stop):
                    return False
            except TelegramUnauthorizedError:
                raise
            except Exception as exc:  # any failure of the API is worth another try
                delay = _delay(exc, backoff)
                logger.warning("%s failed (%s); retrying in %.1f s (attempt %d)",
                               name, describe(exc), delay, attempt)
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
            else:
                if attempt > 1:
                    logger.info("%s succeeded on attempt %d", name, attempt)
                return True
        return False

    async def side_call(self, name: str, call: Call, stop: asyncio.Event | None = None) -> None:
        """Try `call` now; when it fails, go on while it is retried in the background. Waits
        for the first attempt at most `first_attempt_wait` seconds, and not once `stop` is
        set."""
        first_attempt_done = asyncio.Event()
        task = asyncio.create_task(self._retry(name, call, first_attempt_done),
                                   name=f"startup {name}")
        self._retrying.add(task)
        task.add_done_callback(self._retrying.discard)
        waits = [asyncio.ensure_future(first_attempt_done.wait())]
        if stop is not None:
            waits.append(asyncio.ensure_future(stop.wait()))
        try:
            await asyncio.wait(waits, timeout=self.first_attempt_wait,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _retry(self, name: str, call: Call, first_attempt_done: asyncio.Event) -> bool:
        backoff = Backoff(self.backoff)
        try:
            for attempt in range(1, self.attempts + 1):
                try:
                    await call()
                except REFUSALS as exc:
                    logger.warning("%s refused (%s); going on without it", name, describe(exc))
                    return False
                except Exception as exc:  # a side call must never stop the bot
                    if attempt == self.attempts:
                        logger.warning("%s failed %d times (last: %s); going on without it",
                                       name, attempt, describe(exc))
                        return False
                    delay = _delay(exc, backoff)
                    logger.warning("%s failed (%s); retrying in %.1f s (attempt %d of %d)",
                                   name, describe(exc), delay, attempt, self.attempts)
                    first_attempt_done.set()
                    await asyncio.sleep(delay)
                else:
                    if attempt > 1:
                        logger.info("%s succeeded on attempt %d", name, attempt)
                    return True
            return False
        finally:
            first_attempt_done.set()

    @property
    def pending(self) -> int:
        """Side calls still being retried."""
        return len(self._retrying)

    async def aclose(self) -> None:
        """Stop the retries still going (before the bot's session closes under them)."""
        tasks = list(self._retrying)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _delay(exc: Exception, backoff: Backoff) -> float:
    delay = next(backoff)
    if isinstance(exc, TelegramRetryAfter):  # flood control says how long to wait
        delay = max(delay, float(exc.retry_after))
    return max(delay, 0.0)


async def _unless_stopped(call: Call, stop: asyncio.Event) -> bool:
    """Await `call` unless `stop` is set first (then False); its exception is raised."""
    work = asyncio.ensure_future(call())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({work, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not work.done():
            work.cancel()
    if work.cancelled() or not work.done():
        with suppress(asyncio.CancelledError):
            await work
        return False
    work.result()
    return True
