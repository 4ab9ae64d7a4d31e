"""Questions asked through the bot and the 👍/👎 ratings of their answers, in the state DB.

Admins read the totals with /stats, and the recent unanswered questions tell them what the
corpus is missing. Telegram user ids are not stored: each is replaced by a keyed hash (the key
is random per database), which still counts distinct users and keeps one rating per user,
but a copy of the question log alone does not say who asked what.

Like `ProfileStore`, the store is async, in the state database (SQLite by default;
`state.database`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    distinct,
    func,
    insert,
    select,
)

from retrieval.models import Answer
from state.database import SqlStore, upsert

METADATA = MetaData()
META = Table(
    "meta", METADATA,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
QUESTIONS = Table(
    "questions", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(32), nullable=False),  # a keyed hash, never the Telegram id
    Column("question", Text, nullable=False),
    Column("intent", String(64), nullable=False),
    Column("found", Integer, nullable=False),
    Column("mode", String(32), nullable=False),
    Column("latency_ms", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),  # UTC, one format: text order = time
    Index("questions_created", "created_at"),
    Index("questions_found", "found", "created_at"),
)
RATINGS = Table(
    "ratings", METADATA,
    Column("question_id", Integer, ForeignKey("questions.id", ondelete="CASCADE"),
           primary_key=True),
    Column("user_id", String(32), primary_key=True),
    Column("rating", Integer, CheckConstraint("rating IN (-1, 1)"), nullable=False),
    Column("created_at", String(40), nullable=False),
)

Rating = Literal[1, -1]
MAX_QUESTION_CHARS = 2000  # the bot refuses longer questions anyway; keep rows bounded


@dataclass(frozen=True)
class UnansweredQuestion:
    question: str
    created_at: datetime


@dataclass(frozen=True)
class FeedbackStats:
    users: int = 0
    questions_total: int = 0
    questions_today: int = 0
    answered: int = 0
    unanswered: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    recent_unanswered: list[UnansweredQuestion] = field(default_factory=list)


class FeedbackStore(SqlStore):
    metadata = METADATA

    def __init__(self, target: Path | str) -> None:
        super().__init__(target)
        self._salt = b""

    def _setup(self, conn: Connection) -> None:
        # The hashing key, random per database and kept in it (replicas sharing the database
        # hash alike); the first to create it wins.
        conn.execute(upsert(conn, META, {"key": "salt", "value": secrets.token_hex(16)},
                            key=["key"], update=[]))
        value = conn.execute(select(META.c.value).where(META.c.key == "salt")).scalar()
        self._salt = bytes.fromhex(str(value)) if value else b""

    def _user_key(self, user_id: int) -> str:
        return hashlib.blake2b(str(user_id).encode(), key=self._salt, digest_size=12).hexdigest()

    async def record(self, user_id: int, question: str, answer: Answer, seconds: float,
                     *, now: datetime | None = None) -> int:
        """Store one answered question; returns its id (the answer id the 👍/👎 buttons carry)."""
        row = {"question": question[:MAX_QUESTION_CHARS], "intent": answer.intent,
               "found": int(answer.found), "mode": str(answer.mode),
               "latency_ms": round(seconds * 1000), "created_at": _iso(now or datetime.now(UTC))}
        return await self._run(self._record, user_id, row)

    def _record(self, conn: Connection, user_id: int, row: dict[str, object]) -> int:
        # The salt is read when the engine is created, inside this same call.
        new_id = conn.execute(insert(QUESTIONS).values(user_id=self._user_key(user_id), **row)
                              .returning(QUESTIONS.c.id)).scalar_one()
        return int(new_id)

    async def rate(self, question_id: int, user_id: int, rating: Rating) -> bool:
        """Record (or change) a user's rating of an answer; False when the answer is unknown."""
        return await self._run(self._rate, question_id, user_id, rating)

    def _rate(self, conn: Connection, question_id: int, user_id: int, rating: Rating) -> bool:
        known = conn.execute(select(QUESTIONS.c.id).where(QUESTIONS.c.id == question_id)).first()
        if known is None:
            return False
        conn.execute(upsert(conn, RATINGS, {
            "question_id": question_id, "user_id": self._user_key(user_id), "rating": rating,
            "created_at": _iso(datetime.now(UTC))}, key=["question_id", "user_id"]))
        return True

    async def stats(self, *, now: datetime | None = None, recent: int = 10) -> FeedbackStats:
        """Totals for /stats; "today" is the current UTC day."""
        return await self._run(_stats, now or datetime.now(UTC), recent)


def _stats(conn: Connection, now: datetime, recent: int) -> FeedbackStats:
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    q, r = QUESTIONS.c, RATINGS.c
    today = and_(q.created_at >= _iso(midnight), q.created_at < _iso(midnight + timedelta(days=1)))
    users, total, answered, asked_today = conn.execute(select(
        func.count(distinct(q.user_id)), func.count(), func.coalesce(func.sum(q.found), 0),
        func.coalesce(func.sum(case((today, 1), else_=0)), 0),
    ).select_from(QUESTIONS)).one()
    up, down = conn.execute(select(
        func.coalesce(func.sum(case((r.rating == 1, 1), else_=0)), 0),
        func.coalesce(func.sum(case((r.rating == -1, 1), else_=0)), 0),
    ).select_from(RATINGS)).one()
    rows = conn.execute(select(q.question, q.created_at).where(q.found == 0)
                        .order_by(q.created_at.desc(), q.id.desc()).limit(recent)).all()
    return FeedbackStats(
        users=int(users), questions_total=int(total), questions_today=int(asked_today),
        answered=int(answered), unanswered=int(total) - int(answered), thumbs_up=int(up),
        thumbs_down=int(down),
        recent_unanswered=[UnansweredQuestion(text, datetime.fromisoformat(at))
                           for text, at in rows],
    )


def _iso(moment: datetime) -> str:
    # One fixed format (UTC, microseconds) so that text order is time order in SQL.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
