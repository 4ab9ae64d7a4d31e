"""The one configuration object. Every knob is documented in `.env.example`.

Variables carry the `JPO_` prefix; the handful that operators know by their usual names
(TELEGRAM_BOT_TOKEN, LLM_PROVIDER, …) are accepted without it too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _alias(name: str) -> AliasChoices:
    return AliasChoices(f"JPO_{name}", name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JPO_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        populate_by_name=True,
    )

    # Corpus and index
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    data_dir: Path = PROJECT_ROOT / "data"
    collection: str = "postings"
    chunk_size: int = 900
    chunk_overlap: int = 150
    max_upload_bytes: int = 5_000_000

    # Chroma: embedded (persistent directory) unless a server host is given
    chroma_host: str = ""
    chroma_port: int = 8000

    # Embeddings
    embeddings_provider: Literal["local", "openai", "ollama"] = Field(
        "local", validation_alias=_alias("EMBEDDINGS_PROVIDER"))
    embeddings_model: str = Field("all-MiniLM-L6-v2", validation_alias=_alias("EMBEDDINGS_MODEL"))
    embeddings_base_url: str = Field("", validation_alias=_alias("EMBEDDINGS_BASE_URL"))
    embeddings_api_key: SecretStr = Field(SecretStr(""),
                                          validation_alias=_alias("EMBEDDINGS_API_KEY"))
    # torch threads of the local MiniLM model: one question's embedding on 1 thread, batches
    # of passages on `embeddings_index_threads` (0 = torch's default, one per core).
    embeddings_query_threads: int = Field(
        1, ge=0, validation_alias=_alias("EMBEDDINGS_QUERY_THREADS"))
    embeddings_index_threads: int = Field(
        0, ge=0, validation_alias=_alias("EMBEDDINGS_INDEX_THREADS"))

    # Retrieval
    top_k: int = 6
    rrf_k: int = 60

    # LLM (none = grounded extractive answers)
    llm_provider: Literal["none", "openai", "ollama", "fake"] = Field(
        "none", validation_alias=_alias("LLM_PROVIDER"))
    llm_model: str = Field("gpt-4o-mini", validation_alias=_alias("LLM_MODEL"))
    llm_base_url: str = Field("", validation_alias=_alias("LLM_BASE_URL"))
    llm_api_key: SecretStr = Field(SecretStr(""), validation_alias=_alias("LLM_API_KEY"))
    llm_temperature: float = Field(0.0, validation_alias=_alias("LLM_TEMPERATURE"))
    llm_timeout: float = Field(20.0, validation_alias=_alias("LLM_TIMEOUT"))
    llm_max_tokens: int = Field(600, validation_alias=_alias("LLM_MAX_TOKENS"))
    # provider "fake": these replies in turn (a JSON list), the chain run without a server
    llm_fake_replies: list[str] = Field(default_factory=list,
                                        validation_alias=_alias("LLM_FAKE_REPLIES"))
    # What the LLM is given: excerpts of the resolved posting(s) and excerpts corpus-wide
    llm_posting_excerpts: int = Field(6, validation_alias=_alias("LLM_POSTING_EXCERPTS"))
    llm_corpus_excerpts: int = Field(6, validation_alias=_alias("LLM_CORPUS_EXCERPTS"))

    # Telegram
    telegram_bot_token: SecretStr = Field(SecretStr(""),
                                          validation_alias=_alias("TELEGRAM_BOT_TOKEN"))
    telegram_api_base: str = Field("https://api.telegram.org",
                                   validation_alias=_alias("TELEGRAM_API_BASE"))
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list,
                                                      validation_alias=_alias("ADMIN_IDS"))
    throttle_seconds: float = 1.0
    max_question_chars: int = 2000
    conversation_turns: int = 6
    # Experience told in another field ("barista" against "labour law") is judged not
    # relevant below this similarity to the requirement's area (retrieval/eligibility/
    # relevance.py; set on the gold self-descriptions). 0 turns the judgement off.
    eligibility_unrelated_below: float = 0.28
    # Inline mode (@bot words): seconds Telegram may reuse an answer, and results per page
    inline_cache_seconds: int = 30
    inline_results: int = 20

    # State
    state_db: Path | None = None  # SQLite file for profiles etc.; default: data_dir/state.sqlite3
    # Another database for that state instead (replicas on several machines share it), as an
    # SQLAlchemy URL: postgresql://user:password@host/db. Secret: it may carry a password.
    state_db_url: SecretStr = SecretStr("")
    redis_url: str = Field("", validation_alias=_alias("REDIS_URL"))

    # Alerts (/alerts): new postings that fit a subscriber's profile, sent through an outbox
    # in the state database. A replica with alerts_deliver off still queues, never sends.
    alerts_deliver: bool = True
    # Telegram's limits for one bot: about 30 messages a second overall, one a second per
    # chat. With several delivering replicas, divide alerts_rate_per_second among them.
    alerts_rate_per_second: float = 30.0
    alerts_chat_interval_seconds: float = 1.0
    alerts_batch: int = 100  # outbox rows one replica claims at a time
    alerts_lease_seconds: float = 120.0  # a claim left this long (a crashed replica) is retaken
    alerts_poll_seconds: float = 5.0  # how often the outbox is read when nothing woke the sender
    alerts_max_attempts: int = 5  # network or server errors before an alert is given up

    # Webhook mode (empty webhook_url = long polling). Telegram POSTs updates to
    # webhook_url + webhook_path with the secret in X-Telegram-Bot-Api-Secret-Token.
    webhook_url: str = Field("", validation_alias=_alias("WEBHOOK_URL"))
    webhook_path: str = "/telegram"
    webhook_secret: SecretStr = Field(SecretStr(""), validation_alias=_alias("WEBHOOK_SECRET"))
    # The aiohttp server: the webhook (in webhook mode), /healthz and /metrics (both modes).
    web_host: str = "0.0.0.0"
    web_port: int = 8080

    log_level: str = "INFO"
    log_json: bool = False

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(";", ",").split(",") if v.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("webhook_path")
    @classmethod
    def _leading_slash(cls, value: str) -> str:
        return value if value.startswith("/") else f"/{value}"

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr) -> SecretStr:
        # Telegram's rule for secret_token; failing here beats a 400 from setWebhook later.
        if not re.fullmatch(r"[A-Za-z0-9_-]{0,256}", value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("state_db", mode="before")
    @classmethod
    def _empty_path(cls, value: object) -> object:
        return None if value in ("", None) else value

    @property
    def state_path(self) -> Path:
        return self.state_db or self.data_dir / "state.sqlite3"

    @property
    def state_target(self) -> Path | str:
        """Where profiles, feedback and language choices live: a database URL or a file."""
        return self.state_db_url.get_secret_value().strip() or self.state_path

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url.strip())

    @property
    def webhook_full_url(self) -> str:
        return self.webhook_url.strip().rstrip("/") + self.webhook_path

    @property
    def llm_enabled(self) -> bool:
        return self.llm_provider != "none"

    def prompts_dir(self) -> Path:
        return PROJECT_ROOT / "prompts"
