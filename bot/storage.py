"""FSM storage on Redis that degrades to memory while Redis is unreachable.

aiogram reads the FSM state of every update before any handler runs; with plain
`RedisStorage` an outage turns every message into "Something went wrong". Here a Redis error
is logged (once per outage) and the state lives in this process's memory until Redis answers
again: a wizard started during the outage may be forgotten, but questions are answered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from aiogram.fsm.storage.base import StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")


class FailSafeRedisStorage(RedisStorage):
    """`RedisStorage` with an in-memory fallback for the duration of a Redis outage."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fallback = MemoryStorage()
        self.degraded = False

    async def _guard(self, call: Callable[[], Awaitable[T]],
                     fallback: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await call()
        except (RedisError, OSError) as exc:
            if not self.degraded:
                logger.error("Redis unavailable (%s): conversation state is kept in memory "
                             "until it is back", exc)
                self.degraded = True
            return await fallback()
        if self.degraded:
            logger.warning("Redis is reachable again: conversation state is shared again")
            self.degraded = False
        return result

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._guard(lambda: super(FailSafeRedisStorage, self).set_state(key, state),
                          lambda: self.fallback.set_state(key, state))

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._guard(lambda: super(FailSafeRedisStorage, self).get_state(key),
                                 lambda: self.fallback.get_state(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._guard(lambda: super(FailSafeRedisStorage, self).set_data(key, data),
                          lambda: self.fallback.set_data(key, data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self._guard(lambda: super(FailSafeRedisStorage, self).get_data(key),
                                 lambda: self.fallback.get_data(key))

