"""Per-user preferences of the bot: for now the language chosen with /language.

One row per Telegram user in the state database, next to the profiles (`state.database`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Connection, MetaData, String, Table, delete, select

from state.database import SqlStore, upsert

METADATA = MetaData()
USER_LANGUAGES = Table(
    "user_languages", METADATA,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),  # Telegram ids > 2³¹
    Column("locale", String(16), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


class LanguageStore(SqlStore):
    """The locale ("en", "fr", "es", "de") each user chose, keyed by Telegram user id."""

    metadata = METADATA

    async def get(self, user_id: int) -> str | None:
        return await self._run(_get_locale, user_id)

    async def set(self, user_id: int, locale: str) -> None:
        await self._run(_set_locale, user_id, locale)

    async def delete(self, user_id: int) -> bool:
        """Forget the choice (the Telegram language applies again); True when there was one."""
        return await self._run(_delete_locale, user_id)


def _get_locale(conn: Connection, user_id: int) -> str | None:
    return conn.execute(select(USER_LANGUAGES.c.locale).where(
        USER_LANGUAGES.c.user_id == user_id)).scalar()


def _set_locale(conn: Connection, user_id: int, locale: str) -> None:
    conn.execute(upsert(conn, USER_LANGUAGES, {
        "user_id": user_id, "locale": locale, "updated_at": datetime.now(UTC).isoformat()},
        key=["user_id"]))


def _delete_locale(conn: Connection, user_id: int) -> bool:
    result = conn.execute(delete(USER_LANGUAGES).where(USER_LANGUAGES.c.user_id == user_id))
    return result.rowcount > 0
