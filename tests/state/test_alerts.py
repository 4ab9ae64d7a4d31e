"""AlertStore on SQLite and PostgreSQL: subscriptions, queuing once per (user, posting,
version), the atomic claim (two replicas never get the same row), leases of a replica that
died, the delivery log, and the rows that survive a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from retrieval.alert_matching import AlertFilters
from state.alerts import AlertDraft, AlertStore, Subscription
from tests.servers import table_rows


@pytest.fixture
async def store(state_target: Path | str) -> AsyncIterator[AlertStore]:
    s = AlertStore(state_target)
    yield s
    await s.close()


def draft(user: int, posting: str = "p1", version: str = "v1") -> AlertDraft:
    return AlertDraft(user_id=user, chat_id=user, posting_id=posting, version=version,
                      kind="fits")


async def subscribe(store: AlertStore, *users: int) -> None:
    for user in users:
        await store.save(Subscription(user_id=user, chat_id=user, locale="fr"))


async def test_subscription_round_trip_pause_resume_delete(store: AlertStore) -> None:
    assert await store.get(1) is None
    sub = Subscription(user_id=1, chat_id=1, locale="es", almost_fits=True,
                       filters=AlertFilters(duty_station="Geneva", language="fr"))
    await store.save(sub)
    assert await store.get(1) == sub
    assert await store.set_status(1, "paused", "blocked")
    paused = await store.get(1)
    assert paused is not None and (paused.status, paused.paused_reason) == ("paused", "blocked")
    assert await store.active() == []
    assert await store.set_status(1, "active")
    assert [s.user_id for s in await store.active()] == [1]
    assert await store.delete(1) and not await store.delete(1)
    assert not await store.set_status(1, "active")


async def test_an_alert_is_queued_once_per_user_posting_and_version(store: AlertStore) -> None:
    await subscribe(store, 1, 2)
    assert await store.enqueue([draft(1), draft(2), draft(1)]) == 2
    assert await store.enqueue([draft(1), draft(2)]) == 0  # a second replica, the same event
    assert await store.enqueue([draft(1, version="v2")]) == 1  # a changed posting is news
    assert await store.counts() == {"pending": 3}


async def test_claim_sent_then_never_queued_again(store: AlertStore) -> None:
    await subscribe(store, 1)
    await store.enqueue([draft(1)])
    (item,) = await store.claim(10, lease_seconds=60)
    assert (item.user_id, item.posting_id, item.locale, item.attempts) == (1, "p1", "fr", 1)
    assert await store.claim(10, lease_seconds=60) == []  # claimed: nobody else gets it
    assert await store.mark_sent(item, message_id=77)
    assert await store.deliveries(1) == [(1, "p1", "v1")]
    # Even with its outbox row purged, the delivery log keeps it from being queued again.
    await table_rows(store, "DELETE FROM alert_outbox")
    assert await store.enqueue([draft(1)]) == 0


async def test_two_replicas_claim_disjoint_rows(state_target: Path | str) -> None:
    first, second = AlertStore(state_target), AlertStore(state_target)
    try:
        await subscribe(first, *range(1, 401))
        await first.enqueue([draft(u) for u in range(1, 401)])
        claimed: list[int] = []
        while True:
            batches = await asyncio.gather(first.claim(7, 60), second.claim(7, 60),
                                           first.claim(7, 60), second.claim(7, 60))
            assert all(len(batch) <= 7 for batch in batches)  # never more than asked for
            ids = [item.id for batch in batches for item in batch]
            if not ids:
                break
            claimed.extend(ids)
        assert len(claimed) == 400 and len(set(claimed)) == 400
    finally:
        await first.close()
        await second.close()


async def test_a_dead_replicas_claim_is_taken_again_after_its_lease(store: AlertStore) -> None:
    await subscribe(store, 1)
    await store.enqueue([draft(1)])
    (lost,) = await store.claim(10, lease_seconds=-1)  # a lease already run out
    (again,) = await store.claim(10, lease_seconds=60)
    assert again.id == lost.id and again.claim != lost.claim and again.attempts == 2
    assert not await store.mark_sent(lost, 1)  # the old claim no longer owns the row
    assert await store.mark_sent(again, 2)
    assert await store.counts() == {"sent": 1}


async def test_pending_rows_survive_a_restart(state_target: Path | str) -> None:
    store = AlertStore(state_target)
    await subscribe(store, 1)
    await store.enqueue([draft(1)])
    await store.close()
    restarted = AlertStore(state_target)
    try:
        (item,) = await restarted.claim(10, 60)
        assert item.user_id == 1
    finally:
        await restarted.close()


async def test_released_rows_wait_and_paused_users_are_skipped(store: AlertStore) -> None:
    await subscribe(store, 1, 2)
    await store.enqueue([draft(1), draft(2)])
    first, second = await store.claim(10, 60)
    await store.release(first, 3600, "Too Many Requests")
    await store.give_up(second, "blocked", "Forbidden: bot was blocked by the user")
    assert await store.claim(10, 60) == []  # not due for an hour
    await store.enqueue([draft(2, posting="p2")])
    await store.set_status(2, "paused", "blocked")
    assert await store.claim(10, 60) == []
    assert await store.counts() == {"pending": 1, "blocked": 1, "skipped": 1}


async def test_versions_matched_are_remembered(store: AlertStore) -> None:
    assert not await store.any_seen()
    await store.mark_seen({"p1": "v1"})
    await store.mark_seen({"p1": "v1"})  # twice: no error
    assert await store.any_seen()
    assert await store.unseen({"p1": "v1", "p2": "v1"}) == {"p2": "v1"}
    assert await store.unseen({"p1": "v2"}) == {"p1": "v2"}
