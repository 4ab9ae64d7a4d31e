"""What `AnswerService` needs from a conversation memory: the in-process `ConversationMemory`
(retrieval/answering/conversation.py) or the Redis one the bot's replicas share
(`state.shared_memory`), chosen in the composition root (retrieval/services.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from retrieval.answering.conversation import Conversation, Turn


class ConversationStore(Protocol):
    def get(self, conversation_id: str) -> Conversation: ...

    def add(self, conversation_id: str, turn: Turn) -> None: ...

    def reset(self, conversation_id: str) -> None: ...
