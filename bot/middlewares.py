"""Dispatcher middlewares (who gets answered, how often) and the flood-control request
middleware that sits on the bot's HTTP session."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.enums import ChatType, MessageEntityType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates
from aiogram.types import CallbackQuery, Message, TelegramObject
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.i18n import N_, _

if TYPE_CHECKING:
    from aiogram.methods import Response, TelegramMethod
    from aiogram.methods.base import TelegramType

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

SLOW_DOWN = N_("You're sending messages a bit fast — please wait a moment and try again.")
GROUP_CHATS = {ChatType.GROUP, ChatType.SUPERGROUP}


@dataclass
class _UserWindow:
    allowed_at: float
    warned: bool = False


# Atomic "let through or throttle" on Redis, so several replicas throttle a user once.
# KEYS[1] marks the user's window (expires with it), KEYS[2] "already warned in this window".
# Returns 0 = let through, 1 = throttle and warn, 2 = throttle silently.
_THROTTLE_SCRIPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  redis.call('DEL', KEYS[2])
  return 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 1 then ttl = 1 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ttl) then return 1 end
return 2
"""


class ThrottlingMiddleware(BaseMiddleware):
    """Drop a user's messages/button presses that come within `rate` seconds of the last
    one that went through; warn at most once per window so the warning is not spam itself.

    With `redis`, the windows live in Redis (shared by every replica); otherwise in memory."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 max_users: int = 10_000, redis: Redis | None = None,
                 prefix: str = "jpo:throttle") -> None:
        self.rate = rate
        self.clock = clock
        self.max_users = max_users
        self._users: dict[int, _UserWindow] = {}
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_THROTTLE_SCRIPT) if redis is not None else None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        if self.rate <= 0 or user is None:
            return await handler(event, data)
        allowed, warn = await self._check(user.id)
        if allowed:
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            # Every callback must be answered, or the button keeps spinning.
            await event.answer(_(SLOW_DOWN) if warn else None)
        elif isinstance(event, Message) and warn:
            await event.answer(_(SLOW_DOWN))
        return None

    async def _check(self, user_id: int) -> tuple[bool, bool]:
        """(let through?, warn?) for a message from `user_id` now."""
        if self._script is not None:
            # {user} is a Redis Cluster hash tag: both keys land on the same shard.
            keys = [f"{self.prefix}:{{{user_id}}}", f"{self.prefix}:{{{user_id}}}:warned"]
            try:
                verdict = int(await self._script(keys=keys, args=[max(1, int(self.rate * 1000))]))
            except RedisError as exc:
                # Fail open: an unreachable Redis must not silence the bot.
                logger.warning("Throttling skipped, Redis unavailable: %s", exc)
                return True, False
            return verdict == 0, verdict == 1
        now = self.clock()
        window = self._users.get(user_id)
        if window is None or now - window.allowed_at >= self.rate:
            self._remember(user_id, _UserWindow(now))
            return True, False
        warn = not window.warned
        window.warned = True
        return False, warn

    def _remember(self, user_id: int, window: _UserWindow) -> None:
        self._users[user_id] = window
        if len(self._users) > self.max_users:
            # Forget users whose window has long passed so memory stays bounded.
            cutoff = window.allowed_at - self.rate
            self._users = {k: v for k, v in self._users.items() if v.allowed_at > cutoff}


class GroupAddressMiddleware(BaseMiddleware):
    """In groups, pass on only what is addressed to the bot: commands (for us, not for
    another bot), @mentions of the bot and replies to the bot's own messages."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Message) or event.chat.type not in GROUP_CHATS:
            return await handler(event, data)
        bot: Bot = data["bot"]
        if await addressed_to_bot(event, bot):
            return await handler(event, data)
        return None


async def addressed_to_bot(message: Message, bot: Bot) -> bool:
    me = await bot.me()
    username = (me.username or "").lower()
    text = message.text or message.caption or ""
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        _, _, target = command.partition("@")
        return not target or target.lower() == username
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == me.id:
        return True
    entities = message.entities or message.caption_entities or []
    for entity in entities:
        if (entity.type == MessageEntityType.MENTION and username
                and entity.extract_from(text).lower() == f"@{username}"):
            return True
        if (entity.type == MessageEntityType.TEXT_MENTION and entity.user is not None
                and entity.user.id == me.id):
            return True
    return False


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Flood control: when Telegram says "retry after N seconds", wait and send again,
    instead of losing the reply. Gives up after `max_retries` or if N is unreasonably long.
    Server errors (5xx) and dropped connections are retried too, after a short backoff."""

    def __init__(self, max_retries: int = 3, max_wait: float = 60.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 server_error_delay: float = 0.5) -> None:
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.sleep = sleep
        self.server_error_delay = server_error_delay

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                attempt += 1
                if attempt > self.max_retries or exc.retry_after > self.max_wait:
                    raise
                logger.warning("Flood control on %s: retrying in %s s (attempt %d)",
                               method.__api_method__, exc.retry_after, attempt)
                await self.sleep(exc.retry_after)
            except (TelegramServerError, TelegramNetworkError) as exc:
                # A 5xx or a dropped connection: the reply was (most likely) not delivered;
                # losing it is worse than the rare duplicate. Polling retries getUpdates itself.
                attempt += 1
                if attempt > self.max_retries or isinstance(method, GetUpdates):
                    raise
                delay = self.server_error_delay * attempt
                logger.warning("%s failed (%s): retrying in %.1f s (attempt %d)",
                               method.__api_method__, type(exc).__name__, delay, attempt)
                await self.sleep(delay)
