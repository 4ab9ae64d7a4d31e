"""Sends the queued alerts within Telegram's limits, exactly once each.

One loop per replica: claim a batch from the outbox (state/alerts.py gives each row to one
replica), send each alert under the bot's overall rate (~30/s, an aiolimiter leaky bucket)
and one message per chat per second (`ChatPacer`), and record the delivery. What Telegram answers
decides what happens to a row:
- 403 (the user blocked the bot, or deleted their account): the subscription is paused and
  the row is not retried;
- 429 "retry after N": every send of this replica waits N seconds, the row goes back to the
  queue due in N seconds;
- a network or server error: back to the queue with a growing delay, up to a number of
  attempts; any other 400: given up, logged.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiolimiter import AsyncLimiter

from state.alerts import AlertStore, OutboxItem

logger = logging.getLogger(__name__)

# What to send for a claimed alert, or None when it is no longer due (the posting changed or
# went, the profile no longer fits): the row is then skipped.
Render = Callable[[OutboxItem], Awaitable[tuple[str, InlineKeyboardMarkup] | None]]
Blocked = Callable[[OutboxItem], Awaitable[None]]
MAX_CHATS = 10_000  # chats whose last send time is kept (the oldest idle ones dropped)


class ChatPacer:
    """Sends to one chat at least `interval` seconds apart, timed when each request leaves.

    Not a leaky bucket per chat: a bucket counts from when a slot is taken, and the wait for
    the overall bucket comes after it — two alerts to one chat, slotted a second apart, could
    then leave together (bench/alerts.py measured 3 in one second). Here the sends to a chat
    take turns, and each turn starts `interval` after the previous request left."""

    def __init__(self, interval: float, keep: int = MAX_CHATS) -> None:
        self.interval = interval
        self.keep = keep
        self._chats: OrderedDict[int, tuple[asyncio.Lock, list[float]]] = OrderedDict()

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[Callable[[], None]]:
        """Yields `leaving()`, to call just before the request is made."""
        entry = self._chats.pop(chat_id) if chat_id in self._chats \
            else (asyncio.Lock(), [-math.inf])
        self._chats[chat_id] = entry  # most recently used last
        lock, last = entry
        self._forget_idle()
        async with lock:
            wait = last[0] + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)

            def leaving() -> None:
                last[0] = time.monotonic()

            yield leaving

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for chat_id in list(self._chats)[:max(0, len(self._chats) - self.keep)]:
            lock, last = self._chats[chat_id]
            if not lock.locked() and now - last[0] >= self.interval:
                del self._chats[chat_id]


# How long `stop` waits for the sending loop before cancelling it again.
_STOP_GRACE = 5.0


class AlertSender:
    def __init__(self, store: AlertStore, render: Render, on_blocked: Blocked, *,
                 rate_per_second: float = 30.0, chat_interval: float = 1.0, batch: int = 100,
                 lease_seconds: float = 120.0, poll_seconds: float = 5.0,
                 max_attempts: int = 5) -> None:
        self.store = store
        self.render = render
        self.on_blocked = on_blocked
        # Capacity 1: evenly spaced sends, never a burst above the rate in any second.
        self.overall = AsyncLimiter(1, 1.0 / rate_per_second)
        self.per_chat = ChatPacer(chat_interval)
        self.batch = batch
        # A batch must be sent before its lease runs out, or another replica would take it
        # again: at worst every row of it is for one chat, one a `chat_interval`.
        self.lease_seconds = max(lease_seconds, batch * chat_interval + 30.0)
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self._wake = asyncio.Event()
        self._hold_until = 0.0  # flood control: no send before this (monotonic)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.sent = 0  # counters for logs, tests and the bench
        self.failed = 0
        # (chat, monotonic time) of each request as it leaves, when a caller (the bench) sets
        # a list here: what the limits govern, before any jitter on the way to Telegram
        self.departures: list[tuple[int, float]] | None = None

    def wake(self) -> None:
        """New rows were queued: read the outbox now instead of at the next poll."""
        self._wake.set()

    def start(self, bot: Bot) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._run(bot), name="alert-sender")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        # The loop also ends on its own at its next turn: a cancellation that arrives inside
        # a database call can be swallowed there (seen with two replicas on PostgreSQL: the
        # task went on polling and shutdown waited for it forever), so it is sent again.
        self._stopping = True
        self._wake.set()
        task.cancel()
        while not (await asyncio.wait({task}, timeout=_STOP_GRACE))[0]:
            logger.warning("The alert sender did not stop yet; cancelling it again")
            task.cancel()
        with suppress(asyncio.CancelledError):
            await task

    async def _run(self, bot: Bot) -> None:
        while not self._stopping:
            try:
                busy = await self.drain_once(bot)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again at the next poll
                logger.exception("Reading the alert outbox failed")
                busy = False
            if not busy:
                self._wake.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def drain_once(self, bot: Bot) -> bool:
        """Claim one batch and send it; False when there was nothing due."""
        items = await self.store.claim(self.batch, self.lease_seconds)
        if not items:
            return False
        # Concurrently, so that one chat waiting for its next second never holds up the
        # others; the overall bucket keeps the total rate.
        await asyncio.gather(*(self._deliver(bot, item) for item in items))
        return True

    async def _deliver(self, bot: Bot, item: OutboxItem) -> None:
        try:
            prepared = await self.render(item)
        except Exception as exc:
            logger.exception("Preparing alert %s failed", item.id)
            await self.store.give_up(item, "failed", repr(exc))
            return
        if prepared is None:
            await self.store.give_up(item, "skipped", "no longer fits or no longer indexed")
            return
        text, markup = prepared
        async with self.per_chat.turn(item.chat_id) as leaving:
            await self._flood_hold()
            async with self.overall:
                leaving()
                if self.departures is not None:
                    self.departures.append((item.chat_id, time.monotonic()))
                try:
                    message = await bot.send_message(item.chat_id, text, reply_markup=markup)
                except TelegramForbiddenError as exc:
                    logger.info("Alert %s: chat %s refused it (%s); pausing the subscription",
                                item.id, item.chat_id, exc.message)
                    await self.store.give_up(item, "blocked", exc.message)
                    await self.on_blocked(item)
                    return
                except TelegramRetryAfter as exc:
                    self._hold_until = max(self._hold_until, time.monotonic() + exc.retry_after)
                    logger.warning("Flood control: alerts wait %s s", exc.retry_after)
                    await self.store.release(item, exc.retry_after, exc.message)
                    return
                except (TelegramNetworkError, TelegramServerError) as exc:
                    await self._retry_later(item, exc)
                    return
                except TelegramBadRequest as exc:
                    logger.warning("Alert %s refused by Telegram: %s", item.id, exc.message)
                    self.failed += 1
                    await self.store.give_up(item, "failed", exc.message)
                    return
        if not await self.store.mark_sent(item, message.message_id):
            logger.warning("Alert %s was sent after its claim ran out", item.id)
        self.sent += 1

    async def _flood_hold(self) -> None:
        wait = self._hold_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _retry_later(self, item: OutboxItem, exc: Exception) -> None:
        if item.attempts >= self.max_attempts:
            logger.warning("Alert %s given up after %d attempts: %r", item.id, item.attempts,
                           exc)
            self.failed += 1
            await self.store.give_up(item, "failed", repr(exc))
            return
        await self.store.release(item, min(300.0, 2.0 ** item.attempts), repr(exc))
