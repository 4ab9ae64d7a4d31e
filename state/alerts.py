"""Alert subscriptions, the alert outbox and the delivery log, in the state database.

- `alert_subscriptions`: one row per user — filters, whether "almost fits" is wanted, active or
  paused (by the user, or because Telegram said the user blocked the bot).
- `alert_outbox`: the queue. One row per (user, posting, version) — a unique constraint, so
  replicas queuing the same new posting (or one replica twice) queue it once. A sender takes
  rows with an atomic claim (one transaction selects the due rows — on PostgreSQL `FOR UPDATE
  SKIP LOCKED` — and marks them with its token), which gives each row to exactly one replica,
  under a lease: a row claimed by a replica that died is taken again once its lease has run
  out. Rows survive restarts; pending ones are sent after.
- `alert_deliveries`: the log of what was sent (primary key user, posting, version), written in
  the same transaction that marks the outbox row sent; nothing in it is ever queued again.

Exactly once, with one window left open by Telegram itself: a replica that dies after Telegram
accepted a message but before its row was marked sent (milliseconds) resends it when the lease
runs out — the Bot API has no idempotency key to prevent that.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)

from retrieval.alert_matching import AlertFilters
from state.database import SqlStore, upsert

METADATA = MetaData()
SUBSCRIPTIONS = Table(
    "alert_subscriptions", METADATA,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("locale", String(16), nullable=False),
    Column("filters", Text, nullable=False),  # AlertFilters as JSON
    Column("almost_fits", Boolean, nullable=False),
    Column("status", String(16), nullable=False),  # active | paused
    Column("paused_reason", String(32), nullable=False),  # "" | user | blocked
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("alert_subscriptions_status", "status"),
)
OUTBOX = Table(
    "alert_outbox", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("posting_id", String(200), nullable=False),
    Column("version", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # fits | almost
    # pending | sending | sent | blocked | failed | skipped (subscription paused or deleted)
    Column("status", String(16), nullable=False),
    Column("claim", String(32), nullable=False),  # the claim token of the replica sending it
    Column("lease_until", Float, nullable=False),  # epoch seconds
    Column("not_before", Float, nullable=False),  # epoch seconds (retries, flood control)
    Column("attempts", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float, nullable=True),
    UniqueConstraint("user_id", "posting_id", "version", name="alert_outbox_once"),
    Index("alert_outbox_due", "status", "not_before"),
)
DELIVERIES = Table(
    "alert_deliveries", METADATA,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("posting_id", String(200), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("sent_at", Float, nullable=False),
)
# Posting versions the alerts have already been matched for: a replica catching up after a
# restart (or a reindex run from the command line) queues only what is new.
SEEN = Table(
    "alert_seen_versions", METADATA,
    Column("posting_id", String(200), primary_key=True),
    Column("version", String(64), primary_key=True),
    Column("seen_at", Float, nullable=False),
)

Status = Literal["active", "paused"]


class Subscription(BaseModel):
    user_id: int
    chat_id: int
    locale: str = "en"
    filters: AlertFilters = AlertFilters()
    almost_fits: bool = False
    status: Status = "active"
    paused_reason: str = ""  # "user" (paused with the button) or "blocked" (403 from Telegram)


class AlertDraft(BaseModel):
    """An alert to queue."""

    user_id: int
    chat_id: int
    posting_id: str
    version: str
    kind: Literal["fits", "almost"]


class OutboxItem(AlertDraft):
    """A claimed alert, to send."""

    id: int
    claim: str
    attempts: int
    locale: str = "en"
    almost_fits: bool = False
    filters: AlertFilters = AlertFilters()


class AlertStore(SqlStore):
    metadata = METADATA

    # ---- subscriptions -----------------------------------------------------------------------

    async def get(self, user_id: int) -> Subscription | None:
        return await self._run(_get, user_id)

    async def save(self, subscription: Subscription) -> None:
        await self._run(_save, subscription)

    async def set_status(self, user_id: int, status: Status, reason: str = "") -> bool:
        """Pause or resume; False when the user has no subscription."""
        return await self._run(_set_status, user_id, status, reason)

    async def delete(self, user_id: int) -> bool:
        """Drop the subscription; alerts still queued for the user are skipped."""
        return await self._run(_delete, user_id)

    async def active(self) -> list[Subscription]:
        return await self._run(_active)

    # ---- outbox ------------------------------------------------------------------------------

    async def enqueue(self, drafts: list[AlertDraft]) -> int:
        """Queue alerts not queued or delivered before; returns how many were new."""
        return await self._run(_enqueue, drafts) if drafts else 0

    async def claim(self, limit: int, lease_seconds: float) -> list[OutboxItem]:
        """Take up to `limit` due alerts for this replica (with their subscriptions)."""
        return await self._run(_claim, uuid.uuid4().hex, limit, lease_seconds, time.time())

    async def mark_sent(self, item: OutboxItem, message_id: int) -> bool:
        """Record the delivery; False when the claim was lost (its lease ran out)."""
        return await self._run(_mark_sent, item, message_id, time.time())

    async def release(self, item: OutboxItem, delay: float, error: str) -> None:
        """Back to the queue, due in `delay` seconds (flood control, a network error)."""
        await self._run(_finish, item, "pending", error, time.time() + delay)

    async def give_up(self, item: OutboxItem, status: Literal["blocked", "failed", "skipped"],
                      error: str) -> None:
        await self._run(_finish, item, status, error, 0.0)

    async def counts(self) -> dict[str, int]:
        """Outbox rows by status (for /stats-like checks, tests and the bench)."""
        return await self._run(_counts)

    async def deliveries(self, user_id: int | None = None) -> list[tuple[int, str, str]]:
        """(user, posting, version) of every delivery logged, or of one user's."""
        return await self._run(_deliveries, user_id)

    # ---- versions matched --------------------------------------------------------------------

    async def unseen(self, versions: dict[str, str]) -> dict[str, str]:
        """The posting versions (id → version) not matched yet."""
        return await self._run(_unseen, versions)

    async def mark_seen(self, versions: dict[str, str]) -> None:
        await self._run(_mark_seen, versions, time.time())

    async def any_seen(self) -> bool:
        return await self._run(_any_seen)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _subscription(row: object) -> Subscription | None:
    try:
        filters = AlertFilters.model_validate_json(row.filters)  # type: ignore[attr-defined]
    except ValidationError:
        filters = AlertFilters()  # written by an incompatible version: no filter
    return Subscription(
        user_id=row.user_id, chat_id=row.chat_id, locale=row.locale,  # type: ignore[attr-defined]
        filters=filters, almost_fits=bool(row.almost_fits),  # type: ignore[attr-defined]
        status=row.status, paused_reason=row.paused_reason)  # type: ignore[attr-defined]


def _get(conn: Connection, user_id: int) -> Subscription | None:
    row = conn.execute(select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == user_id)).first()
    return _subscription(row) if row is not None else None


def _save(conn: Connection, sub: Subscription) -> None:
    now = _now()
    values = {"user_id": sub.user_id, "chat_id": sub.chat_id, "locale": sub.locale,
              "filters": sub.filters.model_dump_json(), "almost_fits": sub.almost_fits,
              "status": sub.status, "paused_reason": sub.paused_reason,
              "created_at": now, "updated_at": now}
    conn.execute(upsert(conn, SUBSCRIPTIONS, values, key=["user_id"],
                        update=[c for c in values if c not in ("user_id", "created_at")]))


def _set_status(conn: Connection, user_id: int, status: str, reason: str) -> bool:
    result = conn.execute(update(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.user_id == user_id)
                          .values(status=status, paused_reason=reason, updated_at=_now()))
    return result.rowcount > 0


def _delete(conn: Connection, user_id: int) -> bool:
    conn.execute(update(OUTBOX).where(OUTBOX.c.user_id == user_id,
                                      OUTBOX.c.status == "pending")
                 .values(status="skipped", error="subscription deleted"))
    return conn.execute(delete(SUBSCRIPTIONS).where(
        SUBSCRIPTIONS.c.user_id == user_id)).rowcount > 0


def _active(conn: Connection) -> list[Subscription]:
    rows = conn.execute(select(SUBSCRIPTIONS).where(SUBSCRIPTIONS.c.status == "active")
                        .order_by(SUBSCRIPTIONS.c.user_id)).all()
    return [s for s in map(_subscription, rows) if s is not None]


def _enqueue(conn: Connection, drafts: list[AlertDraft]) -> int:
    keys = {(d.user_id, d.posting_id, d.version) for d in drafts}
    delivered: set[tuple[int, str, str]] = set()
    for start in range(0, len(drafts), 500):  # keeps the IN list within every driver's limits
        part = [(d.user_id, d.posting_id, d.version) for d in drafts[start:start + 500]]
        delivered.update((int(r[0]), str(r[1]), str(r[2])) for r in conn.execute(
            select(DELIVERIES.c.user_id, DELIVERIES.c.posting_id, DELIVERIES.c.version).where(
                tuple_(DELIVERIES.c.user_id, DELIVERIES.c.posting_id,
                       DELIVERIES.c.version).in_(part))))
    now = time.time()
    rows = [{"user_id": d.user_id, "chat_id": d.chat_id, "posting_id": d.posting_id,
             "version": d.version, "kind": d.kind, "status": "pending", "claim": "",
             "lease_until": 0.0, "not_before": 0.0, "attempts": 0, "error": "",
             "created_at": now, "sent_at": None}
            for d in drafts if (d.user_id, d.posting_id, d.version) in keys - delivered]
    added = 0
    for row in rows:
        # ON CONFLICT DO NOTHING on the unique (user, posting, version): a replica queuing
        # the same alert at the same moment adds nothing.
        # RETURNING, since psycopg reports no row count for a skipped conflict.
        statement = upsert(conn, OUTBOX, row, key=["user_id", "posting_id", "version"],
                           update=[]).returning(OUTBOX.c.id)
        added += len(conn.execute(statement).all())
    return added


def _claim(conn: Connection, token: str, limit: int, lease: float,
           now: float) -> list[OutboxItem]:
    due = or_(and_(OUTBOX.c.status == "pending", OUTBOX.c.not_before <= now),
              and_(OUTBOX.c.status == "sending", OUTBOX.c.lease_until < now))
    active = select(SUBSCRIPTIONS.c.user_id).where(SUBSCRIPTIONS.c.status == "active")
    # Alerts of users who paused or left since they were queued are never sent.
    conn.execute(update(OUTBOX).where(due, OUTBOX.c.user_id.not_in(active))
                 .values(status="skipped", error="subscription paused or deleted"))
    # The ids first, then the update: as one `UPDATE … WHERE id IN (SELECT … LIMIT n FOR
    # UPDATE SKIP LOCKED)` PostgreSQL may rescan the subquery and claim far more than n rows
    # (bench/alerts.py saw one replica take all 2,000, outlive its lease, and the other
    # resend them).
    query = select(OUTBOX.c.id).where(due).order_by(OUTBOX.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        # Rows another replica is claiming right now are skipped, not waited for.
        query = query.with_for_update(skip_locked=True)
    ids = list(conn.execute(query).scalars())
    if not ids:
        return []
    # `due` again: on SQLite another process may have claimed some of them since the select
    # (its write lock serialises the updates, and the second finds them taken).
    conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids), due)
                 .values(status="sending", claim=token, lease_until=now + lease,
                         attempts=OUTBOX.c.attempts + 1))
    rows = conn.execute(
        select(OUTBOX, SUBSCRIPTIONS.c.locale, SUBSCRIPTIONS.c.almost_fits,
               SUBSCRIPTIONS.c.filters)
        .join(SUBSCRIPTIONS, SUBSCRIPTIONS.c.user_id == OUTBOX.c.user_id)
        .where(OUTBOX.c.claim == token, OUTBOX.c.status == "sending")
        .order_by(OUTBOX.c.id)).all()
    return [OutboxItem(id=r.id, user_id=r.user_id, chat_id=r.chat_id, posting_id=r.posting_id,
                       version=r.version, kind=r.kind, claim=r.claim, attempts=r.attempts,
                       locale=r.locale, almost_fits=bool(r.almost_fits),
                       filters=AlertFilters.model_validate_json(r.filters))
            for r in rows]


def _mark_sent(conn: Connection, item: OutboxItem, message_id: int, now: float) -> bool:
    owned = conn.execute(update(OUTBOX).where(OUTBOX.c.id == item.id,
                                              OUTBOX.c.claim == item.claim,
                                              OUTBOX.c.status == "sending")
                         .values(status="sent", sent_at=now, error="")).rowcount > 0
    conn.execute(upsert(conn, DELIVERIES, {
        "user_id": item.user_id, "posting_id": item.posting_id, "version": item.version,
        "kind": item.kind, "message_id": message_id, "sent_at": now},
        key=["user_id", "posting_id", "version"], update=[]))
    return owned


def _finish(conn: Connection, item: OutboxItem, status: str, error: str,
            not_before: float) -> None:
    conn.execute(update(OUTBOX).where(OUTBOX.c.id == item.id, OUTBOX.c.claim == item.claim)
                 .values(status=status, error=error[:500], not_before=not_before,
                         lease_until=0.0))


def _counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status))
    return {str(status): int(n) for status, n in rows}


def _deliveries(conn: Connection, user_id: int | None) -> list[tuple[int, str, str]]:
    query = select(DELIVERIES.c.user_id, DELIVERIES.c.posting_id, DELIVERIES.c.version)
    if user_id is not None:
        query = query.where(DELIVERIES.c.user_id == user_id)
    return [(int(u), str(p), str(v)) for u, p, v in conn.execute(
        query.order_by(DELIVERIES.c.sent_at))]


def _unseen(conn: Connection, versions: dict[str, str]) -> dict[str, str]:
    seen = {(p, v) for p, v in conn.execute(select(SEEN.c.posting_id, SEEN.c.version))}
    return {p: v for p, v in versions.items() if (p, v) not in seen}


def _any_seen(conn: Connection) -> bool:
    return conn.execute(select(SEEN.c.posting_id).limit(1)).first() is not None


def _mark_seen(conn: Connection, versions: dict[str, str], now: float) -> None:
    for posting_id, version in versions.items():
        conn.execute(upsert(conn, SEEN, {"posting_id": posting_id, "version": version,
                                         "seen_at": now},
                            key=["posting_id", "version"], update=[]))

