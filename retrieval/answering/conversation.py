"""Conversation memory: the recent turns of each conversation (follow-ups use the postings of
the previous turn)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class Turn:
    question: str
    posting_ids: list[str]
    answer: str = ""
    # What the turn asked (an intent of lexicon/intents.yaml) and, after an eligibility check,
    # the self-description it used: a follow-up that only switches posting asks the same again.
    intent: str = ""
    profile: str = ""
    intents: list[str] = field(default_factory=list)  # all of a multi-part question's fields

    @property
    def asked(self) -> list[str]:
        return self.intents or ([self.intent] if self.intent else [])


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    @property
    def last_postings(self) -> list[str]:
        for turn in reversed(self.turns):
            if turn.posting_ids:
                return turn.posting_ids
        return []


class ConversationMemory:
    """Recent turns per conversation, in memory, least recently used dropped first."""

    def __init__(self, max_conversations: int = 10_000, max_turns: int = 6) -> None:
        self._data: OrderedDict[str, Conversation] = OrderedDict()
        self._max = max_conversations
        self._turns = max_turns

    def get(self, conversation_id: str) -> Conversation:
        conv = self._data.pop(conversation_id, None) or Conversation()
        self._data[conversation_id] = conv
        while len(self._data) > self._max:
            self._data.popitem(last=False)
        return conv

    def add(self, conversation_id: str, turn: Turn) -> None:
        conv = self.get(conversation_id)
        conv.turns = [*conv.turns, turn][-self._turns:]

    def reset(self, conversation_id: str) -> None:
        self._data.pop(conversation_id, None)
