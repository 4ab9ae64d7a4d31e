"""The services the front ends use, built once from `Settings` and handed around.

PrivateGPT-style split: the `Indexer` ingests, the `HybridRetriever` retrieves, the
`AnswerService` chats. The Telegram bot and the CLI only ever talk to these objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from retrieval.alert_matching import AlertMatcher
from retrieval.answering import AnswerService
from retrieval.catalog import PostingCatalog
from retrieval.compare import PostingComparer
from retrieval.cv import CvReader
from retrieval.eligibility import EligibilityChecker
from retrieval.eligibility.relevance import ExperienceRelevance
from retrieval.indexer import Indexer
from retrieval.llm import ContextBuilder, LLMAnswerer, LLMContext, build_chat_model
from retrieval.llm.prompts import Prompts
from retrieval.posting_search import PostingSearch
from retrieval.settings import Settings
from retrieval.store import IndexStore
from state.alerts import AlertStore
from state.feedback import FeedbackStore
from state.preferences import LanguageStore
from state.profiles import ProfileStore
from state.shared_memory import RedisConversationMemory


@dataclass
class Services:
    settings: Settings
    catalog: PostingCatalog
    store: IndexStore
    indexer: Indexer
    answers: AnswerService
    eligibility: EligibilityChecker
    profiles: ProfileStore
    feedback: FeedbackStore
    languages: LanguageStore
    context: ContextBuilder
    comparer: PostingComparer
    posting_search: PostingSearch
    cv_reader: CvReader
    alert_store: AlertStore
    alert_matcher: AlertMatcher

    def llm_context(self, question: str, conversation_id: str = "default") -> LLMContext:
        """What the LLM is given for this question in this conversation, built without
        calling any model (so with or without one configured): `jpo-bot eval` measures
        `context_recall` on it. Follow-ups are not condensed here (that needs the model)."""
        question, answer, answerer = self.answers.draft(question, conversation_id)
        return self.context.build(question, answer, answerer)

    def warm_up(self) -> None:
        """Load the index and the embedding model now, not during the first question."""
        self.store.snapshot()
        self.store.embeddings.embed_query("warm-up")
        self.answers.warm_up()

    async def aclose(self) -> None:
        """Close the state stores' connections (an SQLite one holds a worker thread that
        would keep the process alive); they reopen on next use."""
        for store in (self.profiles, self.feedback, self.languages, self.alert_store):
            await store.close()

    def as_workflow_data(self) -> dict[str, object]:
        """Keyword arguments for aiogram's dispatcher: handlers receive them by name."""
        return {
            "settings": self.settings,
            "catalog": self.catalog,
            "indexer": self.indexer,
            "answer_service": self.answers,
            "eligibility": self.eligibility,
            "profiles": self.profiles,
            "feedback": self.feedback,
            "languages": self.languages,
            "comparer": self.comparer,
            "posting_search": self.posting_search,
            "cv_reader": self.cv_reader,
        }


def build_services(settings: Settings, *, ensure_index: bool = True,
                   embeddings: Embeddings | None = None,
                   share_conversations: bool = False) -> Services:
    """Build every service; with `ensure_index`, index the corpus when no index exists yet.

    `embeddings` lets tests share one loaded model between several service sets. With
    `share_conversations` (the Telegram bot) and Redis configured, the follow-up memory lives
    in Redis: a follow-up may reach another replica than the question before it. The terminal
    commands keep theirs in the process, so two `jpo-bot ask` runs are never one conversation."""
    store = IndexStore(settings, embeddings)
    catalog = PostingCatalog(store)
    indexer = Indexer(settings, store)
    if ensure_index:
        indexer.ensure_index()
    # Whether told experience is in another field is judged by meaning, with the model
    # the index loaded (only when a check cannot place the experience by its words).
    relevance = ExperienceRelevance(lambda texts: store.embeddings.embed_documents(texts),
                                    settings.eligibility_unrelated_below)
    eligibility = EligibilityChecker(catalog, relevance=relevance)
    # With an LLM configured, answers are rewritten by it from a context of its own; the
    # extractive answer stays the fallback (retrieval/llm/). The context builder is shared,
    # so eval's context_recall measures what the model is given.
    context = ContextBuilder(settings, Prompts.load())
    model = build_chat_model(settings) if settings.llm_enabled else None
    llm = LLMAnswerer(settings, model, context=context) if model is not None else None
    memory = (RedisConversationMemory.from_url(settings.redis_url,
                                               max_turns=settings.conversation_turns)
              if share_conversations and settings.redis_url else None)
    answers = AnswerService(settings, store, eligibility, llm=llm, memory=memory)
    store.on_load.append(answers.prepare)
    # Opened lazily on first use: an SQLite file next to the index, or JPO_STATE_DB_URL.
    profiles = ProfileStore(settings.state_target)
    # Questions and 👍/👎 ratings for /stats; same SQLite file, opened lazily too.
    feedback = FeedbackStore(settings.state_target)
    # The language each user chose with /language; same SQLite file, opened lazily too.
    languages = LanguageStore(settings.state_target)
    # /compare and compare questions in the bot; inline mode's lexical search (no embedding).
    comparer = PostingComparer(eligibility)
    posting_search = PostingSearch(catalog)
    # CVs users send: read with the loaders and the posting parser the admin uploads use.
    cv_reader = CvReader(settings, indexer.parser, eligibility.today)
    # /alerts: subscriptions, the outbox and the delivery log (same database), and the rule
    # deciding which new postings a subscriber hears about. The bot builds the sender.
    alert_store = AlertStore(settings.state_target)
    alert_matcher = AlertMatcher(eligibility)
    return Services(settings, catalog, store, indexer, answers, eligibility, profiles, feedback,
                    languages, context, comparer, posting_search, cv_reader, alert_store,
                    alert_matcher)
