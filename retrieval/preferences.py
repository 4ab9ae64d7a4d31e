"""Per-user preferences of the bot: for now the language chosen with /language.

One row per Telegram user in the same small SQLite file as the profiles (aiosqlite, opened
lazily on first use and reopened after `close()`, like `ProfileStore`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS user_languages (
    user_id    INTEGER PRIMARY KEY,
    locale     TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
)
"""


class LanguageStore:
    """The locale ("en", "fr", "es") each user chose, keyed by Telegram user id."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._opening: asyncio.Lock | None = None

    async def _conn(self) -> aiosqlite.Connection:
        if self._db is not None:
            return self._db
        # Two first requests arriving together must not open two connections.
        if self._opening is None:
            self._opening = asyncio.Lock()
        async with self._opening:
            if self._db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = await aiosqlite.connect(self.path)
                await db.execute(_SCHEMA)
                await db.commit()
                self._db = db
        return self._db

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

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await db.close()
