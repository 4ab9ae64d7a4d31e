"""Conversation memory in Redis, so a follow-up question answered by another replica still
knows which posting the conversation is about.

A `retrieval.conversation_store.ConversationStore`, like `answering.ConversationMemory`, passed
to `AnswerService` by the composition root. Synchronous on purpose: `AnswerService.answer`
runs in a worker thread. Redis trouble degrades to "no memory" for
that question rather than failing it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

import redis
from redis.exceptions import RedisError

from retrieval.answering import Conversation, Turn

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 7 * 24 * 3600  # idle conversations are forgotten after a week


class RedisConversationMemory:
    def __init__(self, client: redis.Redis, max_turns: int = 6,
                 ttl_seconds: int = DEFAULT_TTL_SECONDS, prefix: str = "jpo:conv") -> None:
        self.client = client
        self.max_turns = max_turns
        self.ttl = ttl_seconds
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, max_turns: int = 6) -> RedisConversationMemory:
        client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        return cls(client, max_turns=max_turns)

    def _key(self, conversation_id: str) -> str:
        return f"{self.prefix}:{conversation_id}"

    def get(self, conversation_id: str) -> Conversation:
        try:
            raw = self.client.lrange(self._key(conversation_id), 0, -1)
        except RedisError as exc:
            log.warning("conversation memory unavailable: %s", exc)
            return Conversation()
        turns: list[Turn] = []
        for item in raw:
            try:
                data = json.loads(item)
                turns.append(Turn(str(data["question"]), list(data.get("posting_ids") or []),
                                  str(data.get("answer", "")), str(data.get("intent", "")),
                                  str(data.get("profile", "")),
                                  [str(i) for i in data.get("intents") or []]))
            except (ValueError, KeyError, TypeError):
                continue  # a malformed entry costs one turn of context, not the answer
        return Conversation(turns=turns)

    def add(self, conversation_id: str, turn: Turn) -> None:
        key = self._key(conversation_id)
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.rpush(key, json.dumps(asdict(turn), ensure_ascii=False))
            pipe.ltrim(key, -self.max_turns, -1)
            pipe.expire(key, self.ttl)
            pipe.execute()
        except RedisError as exc:
            log.warning("conversation turn not saved: %s", exc)

    def reset(self, conversation_id: str) -> None:
        try:
            self.client.delete(self._key(conversation_id))
        except RedisError as exc:
            log.warning("conversation not reset: %s", exc)
