"""The feedback store: questions, ratings and the /stats totals, in SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrieval.models import Answer, AnswerMode
from state.feedback import FeedbackStore
from tests.servers import table_rows

NOW = datetime(2025, 5, 20, 15, 0, tzinfo=UTC)
FOUND = Answer(text="Lisa Tortell", intent="supervisor", found=True)
NOT_FOUND = Answer(text="The postings do not state this.", intent="general", found=False,
                   mode=AnswerMode.FALLBACK)


@pytest.fixture
async def store(state_target: Path | str):
    store = FeedbackStore(state_target)
    yield store
    await store.close()


async def test_record_returns_increasing_ids_and_stores_the_details(
    store: FeedbackStore
) -> None:
    first = await store.record(7, "Who supervises?", FOUND, 0.1234, now=NOW)
    second = await store.record(7, "Salary?", NOT_FOUND, 0.5, now=NOW)
    assert second > first > 0
    rows = await table_rows(store, "SELECT user_id, question, intent, found, mode, latency_ms, "
                                   "created_at FROM questions ORDER BY id")
    assert rows[0][1:] == ("Who supervises?", "supervisor", 1, "extractive", 123,
                           "2025-05-20T15:00:00.000000+00:00")
    assert rows[1][2:5] == ("general", 0, "fallback")
    # Telegram user ids are not stored, only a keyed hash (the same for the same user).
    assert rows[0][0] == rows[1][0] and rows[0][0] != "7" and len(rows[0][0]) == 24


async def test_ratings_one_per_user_and_changeable(store: FeedbackStore) -> None:
    qid = await store.record(1, "Who supervises?", FOUND, 0.1)
    assert await store.rate(qid, 1, 1)
    assert await store.rate(qid, 2, 1)
    assert await store.rate(qid, 1, -1)  # user 1 changes their mind
    stats = await store.stats()
    assert (stats.thumbs_up, stats.thumbs_down) == (1, 1)
    assert not await store.rate(qid + 100, 1, 1)  # unknown (or forged) answer id
    assert (await store.stats()).thumbs_up == 1


async def test_stats(store: FeedbackStore) -> None:
    yesterday = NOW - timedelta(days=1)
    await store.record(1, "old unanswered", NOT_FOUND, 0.2, now=yesterday)
    await store.record(1, "Who supervises?", FOUND, 0.1, now=NOW - timedelta(hours=14))
    await store.record(2, "What grade?", FOUND, 0.1, now=NOW)
    for n in range(12):
        await store.record(3, f"unanswered {n}", NOT_FOUND, 0.3,
                           now=NOW - timedelta(minutes=12 - n))
    stats = await store.stats(now=NOW)
    assert stats.users == 3
    assert stats.questions_total == 15 and stats.questions_today == 14
    assert (stats.answered, stats.unanswered) == (2, 13)
    recent = [q.question for q in stats.recent_unanswered]
    assert recent == [f"unanswered {n}" for n in range(11, 1, -1)]  # 10, newest first
    assert stats.recent_unanswered[0].created_at == NOW - timedelta(minutes=1)


async def test_empty_store_stats(store: FeedbackStore) -> None:
    stats = await store.stats()
    assert stats.users == stats.questions_total == stats.thumbs_up == 0
    assert stats.recent_unanswered == []


async def test_data_survives_reopening_with_the_same_user_hash(state_target: Path | str
                                                               ) -> None:
    path = state_target
    first = FeedbackStore(path)
    await first.record(42, "Who supervises?", FOUND, 0.1)
    await first.close()
    await first.record(42, "Again", FOUND, 0.1)  # reopens after close
    await first.close()
    second = FeedbackStore(path)
    await second.record(42, "Third", FOUND, 0.1)
    stats = await second.stats()
    await second.close()
    assert stats.questions_total == 3 and stats.users == 1  # the salt is kept in the file


async def test_shares_the_state_database_with_profiles(state_target: Path | str) -> None:
    from retrieval.models import Profile
    from state.profiles import ProfileStore

    path = state_target
    profiles, feedback = ProfileStore(path), FeedbackStore(path)
    await profiles.save(5, Profile())
    await feedback.record(5, "q", FOUND, 0.1)
    assert await profiles.get(5) is not None
    assert (await feedback.stats()).questions_total == 1
    await profiles.close()
    await feedback.close()


def test_services_expose_the_store(indexed_services) -> None:
    assert isinstance(indexed_services.feedback, FeedbackStore)
    assert indexed_services.feedback.url.endswith(str(indexed_services.settings.state_path))
    assert indexed_services.as_workflow_data()["feedback"] is indexed_services.feedback
