"""Per-user preferences of the bot: for now the language chosen with /language.

One row per Telegram user in the same small SQLite file as the profiles (connection handling
in `retrieval.sqlite`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from retrieval.sqlite import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS user_languages (
    user_id    INTEGER PRIMARY KEY,
    locale     TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
)
"""


class LanguageStore(SqliteStore):
    """The locale ("en", "fr", "es") each user chose, keyed by Telegram user id."""

    async def _setup(self, db: aiosqlite.Connection) -> None:
        await db.execute(_SCHEMA)

    async def get(self, user_id: int) -> str | None:
        db = await self._conn()
        async with db.execute("SELECT locale FROM user_languages WHERE user_id = ?",
                              (user_id,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def set(self, user_id: int, locale: str) -> None:
        db = await self._conn()
        await db.execute(
            "INSERT INTO user_languages (user_id, locale, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET locale = excluded.locale, "
            "updated_at = excluded.updated_at",
            (user_id, locale, datetime.now(UTC).isoformat()),
        )
        await db.commit()

    async def delete(self, user_id: int) -> bool:
        """Forget the choice (the Telegram language applies again); True when there was one."""
        db = await self._conn()
        cursor = await db.execute("DELETE FROM user_languages WHERE user_id = ?", (user_id,))
        await db.commit()
        return cursor.rowcount > 0

