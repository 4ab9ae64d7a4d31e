"""Grounded answers: facts are read from the structured postings, never made up.

`ExtractiveAnswerer` (extractive.py) answers from the parsed records: one posting's fields
(fields.py, an intent → handler table), questions over all postings (corpus.py, reading the
question with questions.py), topics postings never state (not_stated.py) and, for open
questions, the best retrieved sentences (sentences.py). `AnswerService` (service.py) adds
conversation memory (conversation.py: follow-ups use the posting of the previous turn) and,
when an LLM is configured, hands over to the LLM chain with the extractive answer as the safe
fallback.
"""

from retrieval.answering.common import LANGUAGE_NAMES, cite
from retrieval.answering.conversation import Conversation, ConversationMemory, Turn
from retrieval.answering.extractive import MAX_LISTED, ExtractiveAnswerer, cap_lists
from retrieval.answering.service import AnswerService

__all__ = [
    "LANGUAGE_NAMES", "MAX_LISTED", "AnswerService", "Conversation", "ConversationMemory",
    "ExtractiveAnswerer", "Turn", "cap_lists", "cite",
]
