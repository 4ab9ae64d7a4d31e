"""ProfileStore (persistence in SQLite and PostgreSQL) and profile_question (a profile as a
parsable sentence)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrieval.eligibility import parse_profile
from retrieval.models import Profile
from state.profiles import ProfileStore, profile_question, with_stored_profile
from tests.servers import table_rows

LAW = Profile(degree_level="advanced", has_degree=True, degree_field="law", years_experience=3,
              experience_domain="labour rights", languages={"en": "spoken", "fr": "spoken"})


@pytest.fixture
async def store(state_target: Path | str) -> AsyncIterator[ProfileStore]:
    s = ProfileStore(state_target)
    yield s
    await s.close()


async def rows(store: ProfileStore) -> list[tuple[int, str]]:
    return await table_rows(store, "SELECT user_id, profile FROM profiles ORDER BY user_id")


async def test_save_get_and_overwrite(store: ProfileStore) -> None:
    assert await store.get(1) is None
    before = datetime.now(UTC)
    await store.save(1, LAW)
    record = await store.get_record(1)
    assert record is not None and record.profile == LAW
    assert before - timedelta(seconds=1) <= record.updated_at <= datetime.now(UTC)
    changed = LAW.model_copy(update={"years_experience": 4.5})
    await store.save(1, changed)
    assert await store.get(1) == changed
    assert len(await rows(store)) == 1  # one row per user, updated in place


async def test_users_are_kept_apart(store: ProfileStore) -> None:
    other = Profile(languages={"es": "fluent"})
    await store.save(1, LAW)
    await store.save(2, other)
    assert await store.get(1) == LAW
    assert await store.get(2) == other


async def test_survives_a_restart(state_target: Path | str) -> None:
    first = ProfileStore(state_target)
    await first.save(7, LAW)
    await first.close()
    second = ProfileStore(state_target)  # as after a process restart
    try:
        assert await second.get(7) == LAW
    finally:
        await second.close()


async def test_delete_removes_the_row(store: ProfileStore) -> None:
    await store.save(1, LAW)
    await store.save(2, LAW)
    assert await store.delete(1) is True
    assert await store.get(1) is None
    assert [uid for uid, _ in await rows(store)] == [2]  # really gone from the database
    assert await store.delete(1) is False


async def test_close_is_idempotent_and_the_store_reopens(store: ProfileStore) -> None:
    await store.save(1, LAW)
    await store.close()
    await store.close()
    assert await store.get(1) == LAW


async def test_concurrent_first_use(state_target: Path | str) -> None:
    s = ProfileStore(state_target)
    try:
        await asyncio.gather(*(s.save(i, LAW) for i in range(10)))
        assert len(await rows(s)) == 10
    finally:
        await s.close()


async def test_unreadable_row_counts_as_absent(store: ProfileStore) -> None:
    await store.save(1, LAW)
    await table_rows(store, """UPDATE profiles SET profile = '{"years_experience": "many"}'
                               WHERE user_id = 1""")
    assert await store.get(1) is None
    await store.save(1, LAW)  # and saving again repairs it
    assert await store.get(1) == LAW


# --------------------------------------------------------------------------- as a sentence

ROUND_TRIP = [
    LAW,
    Profile(degree_level="advanced", has_degree=True, degree_field="labour law",
            years_experience=2, languages={"en": "spoken"}),
    Profile(degree_level="first", has_degree=True, degree_field="economics",
            years_experience=2.5, experience_relevant=True, experience_domain="social protection",
            languages={"en": "fluent", "fr": "good", "es": "basic"}),
    Profile(has_degree=True, degree_field="political science", degree_focus="migration",
            years_experience=1, languages={"es": "native", "en": "spoken", "fr": "none"}),
    Profile(degree_level="advanced", has_degree=True, degree_field="economics and statistics",
            years_experience=0, languages={"en": "good"}, age=29, nationality="Kenyan",
            skills=["stata"]),
    Profile(degree_level="advanced", has_degree=True),
    Profile(languages={"fr": "fluent"}),
    Profile(years_experience=4, experience_domain="a ministry of labour",
            languages={"en": "spoken"}),
    Profile(degree_level="advanced", has_degree=True, degree_field="international relations",
            years_experience=3, experience_domain="human rights",
            languages={"en": "spoken", "fr": "spoken", "es": "spoken"}),
    # what parse_profile makes of the brief's own example
    parse_profile("I have a master's in law, 3 years at a ministry, fluent French and good "
                  "English"),
]


def test_profile_question_example() -> None:
    assert profile_question(LAW) == (
        "I have a master's degree in law, 3 years of experience in labour rights, "
        "and speak English and French.")


@pytest.mark.parametrize("profile", ROUND_TRIP, ids=lambda p: profile_question(p)[:40])
def test_profile_question_round_trips_through_parse_profile(profile: Profile) -> None:
    assert profile.has_facts()
    parsed = parse_profile(profile_question(profile))
    # the periods are how the years were read ("3 years" → one period); the facts must match
    facts = {"experience_periods": []}
    assert parsed.model_copy(update=facts) == profile.model_copy(update=facts)
    assert sum(p.years for p in parsed.experience_periods) == (profile.years_experience or 0)


def test_empty_profile_gives_an_empty_sentence() -> None:
    assert profile_question(Profile()) == ""


@pytest.mark.parametrize("question", [
    "Which postings fit me?",
    "Am I eligible for the NORMES post?",
    "am i eligible?",
    "Suis-je éligible pour le poste NORMES ?",
])
def test_stored_profile_is_prepended_to_eligibility_questions(question: str) -> None:
    assert with_stored_profile(question, LAW) == f"{profile_question(LAW)} {question}"


@pytest.mark.parametrize("question", [
    "Who supervises the AI post?",  # not about eligibility
    "What are the eligibility requirements for the NORMES post?",  # criteria, not a verdict
    "I have a bachelor's in economics, am I eligible for the NORMES post?",  # own facts win
    "?",
])
def test_other_questions_are_left_alone(question: str) -> None:
    assert with_stored_profile(question, LAW) == question


def test_no_stored_profile_leaves_the_question_alone() -> None:
    assert with_stored_profile("Which postings fit me?", None) == "Which postings fit me?"
    assert with_stored_profile("Which postings fit me?", Profile()) == "Which postings fit me?"
