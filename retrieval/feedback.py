"""Questions asked through the bot and the 👍/👎 ratings of their answers, in SQLite.

Admins read the totals with /stats, and the recent unanswered questions tell them what the
corpus is missing. Telegram user ids are not stored: each is replaced by a keyed hash (the key
is random per database), which still counts distinct users and keeps one rating per user,
but a copy of the question log alone does not say who asked what.

Like `ProfileStore`, the store is async (aiosqlite), opened lazily and reopened after
`close()` (`retrieval.sqlite`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import aiosqlite

from retrieval.models import Answer
from retrieval.sqlite import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT    NOT NULL,
    question   TEXT    NOT NULL,
    intent     TEXT    NOT NULL,
    found      INTEGER NOT NULL,
    mode       TEXT    NOT NULL,
    latency_ms INTEGER NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_created ON questions (created_at);
CREATE INDEX IF NOT EXISTS questions_found ON questions (found, created_at);
CREATE TABLE IF NOT EXISTS ratings (
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
"""

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


class FeedbackStore(SqliteStore):
    def __init__(self, path: Path | str) -> None:
        super().__init__(path)
        self._salt = b""

    async def _setup(self, db: aiosqlite.Connection) -> None:
        await db.executescript(_SCHEMA)
        await db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)",
                         (secrets.token_hex(16),))
        async with db.execute("SELECT value FROM meta WHERE key = 'salt'") as cursor:
            row = await cursor.fetchone()
        self._salt = bytes.fromhex(str(row[0])) if row else b""

    def _user_key(self, user_id: int) -> str:
        return hashlib.blake2b(str(user_id).encode(), key=self._salt, digest_size=12).hexdigest()

    async def record(self, user_id: int, question: str, answer: Answer, seconds: float,
                     *, now: datetime | None = None) -> int:
        """Store one answered question; returns its id (the answer id the 👍/👎 buttons carry)."""
        db = await self._conn()
        cursor = await db.execute(
            "INSERT INTO questions (user_id, question, intent, found, mode, latency_ms, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self._user_key(user_id), question[:MAX_QUESTION_CHARS], answer.intent,
             int(answer.found), str(answer.mode), round(seconds * 1000),
             _iso(now or datetime.now(UTC))),
        )
        await db.commit()
        return int(cursor.lastrowid or 0)

    async def rate(self, question_id: int, user_id: int, rating: Rating) -> bool:
        """Record (or change) a user's rating of an answer; False when the answer is unknown."""
        db = await self._conn()
        async with db.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)) as cursor:
            if await cursor.fetchone() is None:
                return False
        await db.execute(
            "INSERT INTO ratings (question_id, user_id, rating, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (question_id, user_id) DO UPDATE SET rating = excluded.rating, "
            "created_at = excluded.created_at",
            (question_id, self._user_key(user_id), rating, _iso(datetime.now(UTC))),
        )
        await db.commit()
        return True

    async def stats(self, *, now: datetime | None = None, recent: int = 10) -> FeedbackStats:
        """Totals for /stats; "today" is the current UTC day."""
        db = await self._conn()
        now = now or datetime.now(UTC)
        midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        async with db.execute(
            "SELECT COUNT(DISTINCT user_id), COUNT(*), COALESCE(SUM(found), 0), "
            "COALESCE(SUM(created_at >= ? AND created_at < ?), 0) FROM questions",
            (_iso(midnight), _iso(midnight + timedelta(days=1))),
        ) as cursor:
            users, total, answered, today = await cursor.fetchone() or (0, 0, 0, 0)
        async with db.execute(
            "SELECT COALESCE(SUM(rating = 1), 0), COALESCE(SUM(rating = -1), 0) FROM ratings"
        ) as cursor:
            up, down = await cursor.fetchone() or (0, 0)
        async with db.execute(
            "SELECT question, created_at FROM questions WHERE found = 0 "
            "ORDER BY created_at DESC, id DESC LIMIT ?", (recent,),
        ) as cursor:
            rows = await cursor.fetchall()
        return FeedbackStats(
            users=users, questions_total=total, questions_today=today, answered=answered,
            unanswered=total - answered, thumbs_up=up, thumbs_down=down,
            recent_unanswered=[UnansweredQuestion(q, datetime.fromisoformat(t)) for q, t in rows],
        )


def _iso(moment: datetime) -> str:
    # One fixed format (UTC, microseconds) so that text order is time order in SQL.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
