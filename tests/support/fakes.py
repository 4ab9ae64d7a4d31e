"""Fast stand-ins for the core services, and builders for incoming Telegram updates."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram.types import Update

from retrieval.indexer import IndexReport, ReindexBusy
from retrieval.models import Answer, Citation, Posting, RequirementBlock, Supervisor
from retrieval.settings import Settings
from tests.support.corpus_postings import CORPUS, ListCatalog

LAST_INDEXED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def make_postings(n: int = 3) -> list[Posting]:
    base = [
        Posting(
            id="000_ai", title="Junior Professional Officer on innovation and AI",
            duty_station="Geneva, Switzerland", duration="2 years", grade="",
            department="Deputy Director-General", unit="DDG", post_number="1001",
            month_of_issue="March", year_of_issue="2025",
            supervisor=Supervisor(name="", role="Adviser to the Deputy Director-General"),
            duties=["Support the <AI> observatory & research", "Draft briefs"],
            key_outputs=["ILO Innovation Strategy"],
            education=RequirementBlock(minimum="Advanced degree in economics",
                                       desirable="PhD"),
            experience=RequirementBlock(minimum="Two years"),
            skills=RequirementBlock(minimum="Excel"),
            languages=RequirementBlock(minimum="Excellent English",
                                       desirable="French or Spanish"),
            competencies=["Integrity", "Sensitivity to diversity"],
            training="Induction training", learning=["Policy analysis"],
        ),
        Posting(
            id="001_creative", title="Junior Professional Officer on creative sectors",
            duty_station="Geneva, Switzerland", duration="12 months", grade="P2",
            department="SECTOR", unit="Public and Private Services",
            supervisor=Supervisor(name="Jane Doe", role="Head of Unit", email="doe@ilo.org"),
            supervision_method="Weekly meetings",
            duties=["Research the digital economy"],
            languages=RequirementBlock(minimum="English"),
        ),
        Posting(
            id="002_normes", title="Junior Professional Officer in Standards Policy",
            duty_station="Geneva, Switzerland", duration="12 months", grade="P2",
            department="NORMES", unit="Standards Policy and Development",
            supervisor=Supervisor(name="Lisa Tortell", role="Head", email="tortell@ilo.org"),
        ),
    ]
    extra = [
        Posting(id=f"{i:03d}_extra", title=f"Junior Professional Officer in Topic {i}",
                duty_station=f"City {i}, Country", duration="1 year", grade="P1",
                department=f"Dept {i}")
        for i in range(3, n)
    ]
    return (base + extra)[:n]


class FakeCatalog(ListCatalog):
    def __init__(self, postings: list[Posting],
                 last_indexed: datetime | None = LAST_INDEXED) -> None:
        super().__init__(postings)
        self.last_indexed = last_indexed

    def __len__(self) -> int:
        return len(self._postings)


def default_answer(question: str) -> Answer:
    return Answer(
        text=f"You asked: {question}",
        citations=[
            Citation(posting_id="000_ai", title="Innovation and AI", section="Supervision"),
            Citation(posting_id="000_ai", title="Innovation and AI", section="Supervision"),
            Citation(posting_id="001_creative", title="Creative <sectors> & co",
                     section="Languages"),
        ],
        posting_ids=["000_ai"],
    )


@dataclass
class FakeAnswerService:
    respond: Callable[[str], Answer] = default_answer
    calls: list[tuple[str, str]] = field(default_factory=list)
    resets: list[str] = field(default_factory=list)
    delay: float = 0.01  # long enough for the typing action to be sent

    def answer(self, question: str, conversation_id: str = "default") -> Answer:
        self.calls.append((question, conversation_id))
        return self.respond(question)

    async def ask(self, question: str, conversation_id: str) -> Answer:
        await asyncio.sleep(self.delay)
        return self.answer(question, conversation_id)

    def reset(self, conversation_id: str) -> None:
        self.resets.append(conversation_id)


class FakeIndexer:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()
        self.started = asyncio.Event()
        self.error: BaseException | None = None
        self._running = False
        self.report = IndexReport(postings=3, chunks=42, seconds=1.25, embedded=10,
                                  added=["003_new"], updated=["001_creative"], removed=[])

    @property
    def running(self) -> bool:
        return self._running

    async def areindex(
        self, progress: Callable[[str], Awaitable[None]] | None = None
    ) -> IndexReport:
        if self._running:
            raise ReindexBusy("a reindex is already running")
        self.calls += 1
        self._running = True
        try:
            self.started.set()
            if progress:
                await progress("Reading the corpus…")
            await self.release.wait()
            if self.error is not None:
                raise self.error
            if progress:
                await progress("Writing the new index…")
            return self.report
        finally:
            self._running = False


@dataclass
class FakeServices:
    settings: Settings
    catalog: FakeCatalog
    answers: FakeAnswerService
    indexer: FakeIndexer
    eligibility: Any = None
    feedback: Any = None
    cv_reader: Any = None  # a real CvReader over these settings unless set

    def as_workflow_data(self) -> dict[str, object]:
        from retrieval.cv import CvReader
        from retrieval.parsing import PostingParser

        if self.cv_reader is None:
            self.cv_reader = CvReader(self.settings, PostingParser())
        return {
            "cv_reader": self.cv_reader,
            "settings": self.settings,
            "catalog": self.catalog,
            "indexer": self.indexer,
            "answer_service": self.answers,
            "eligibility": self.eligibility,
            "feedback": self.feedback,
        }


def fake_services(posting_count: int = 3, answers: FakeAnswerService | None = None,
                  **settings: Any) -> FakeServices:
    """Fake services over `posting_count` made-up postings, with make_settings(**settings)."""
    return FakeServices(settings=make_settings(**settings),
                        catalog=FakeCatalog(make_postings(posting_count)),
                        answers=answers if answers is not None else FakeAnswerService(),
                        indexer=FakeIndexer())


# --------------------------------------------------------------------------- updates

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
USER_ID = 111
ADMIN_ID = 999
GROUP_ID = -100123


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def _chat(chat_id: int, chat_type: str) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = f"User{chat_id}"
    else:
        chat["title"] = "JPO applicants"
    return chat


def message_dict(
    text: str | None = None, *, user_id: int = USER_ID, chat_id: int | None = None,
    chat_type: str = "private", **extra: Any,
) -> dict[str, Any]:
    chat_id = chat_id if chat_id is not None else (user_id if chat_type == "private" else GROUP_ID)
    message: dict[str, Any] = {
        "message_id": next(_message_ids), "date": 1_700_000_000,
        "chat": _chat(chat_id, chat_type), "from": _user(user_id),
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message.update(extra)
    return message


def message_update(text: str | None = None, **kwargs: Any) -> Update:
    return Update.model_validate({"update_id": next(_update_ids),
                                  "message": message_dict(text, **kwargs)})


def callback_update(
    data: str, *, user_id: int = USER_ID, chat_id: int | None = None,
    message_id: int = 500, message_text: str = "menu",
) -> Update:
    chat_id = chat_id if chat_id is not None else user_id
    return Update.model_validate({
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cb{next(_update_ids)}", "from": _user(user_id), "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id, "date": 1_700_000_000,
                "chat": _chat(chat_id, "private" if chat_id > 0 else "supergroup"),
                "from": {"id": 42, "is_bot": True, "first_name": "JPO bot",
                         "username": "jpo_test_bot"},
                "text": message_text,
            },
        },
    })


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"admin_ids": [ADMIN_ID], "throttle_seconds": 0,
                              "max_question_chars": 2000, "telegram_bot_token": "42:TEST"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


def corpus_copy_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """make_settings(**overrides) over a copy of corpus/ in tmp_path/corpus, with the data
    directory tmp_path/data."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return make_settings(data_dir=tmp_path / "data", corpus_dir=corpus, **overrides)


def document_update(file_id: str, file_name: str | None, size: int | None, *,
                    user_id: int = USER_ID, mime_type: str | None = None,
                    **kwargs: Any) -> Update:
    """A user sends a file (a Telegram "document")."""
    document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u-{file_id}"}
    if file_name is not None:
        document["file_name"] = file_name
    if size is not None:
        document["file_size"] = size
    if mime_type is not None:
        document["mime_type"] = mime_type
    return message_update(None, user_id=user_id, document=document, **kwargs)
