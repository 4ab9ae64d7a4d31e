"""Saved candidate profiles: one row per Telegram user in a small SQLite file.

The store is async, in the state database (SQLite by default; `state.database`).

`profile_question` renders a profile back into the kind of sentence `parse_profile` reads, so
the free-text QA path can answer "which postings fit me?" for a user whose profile is saved
without the eligibility checker needing a second entry point.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
)

from retrieval.eligibility import lexicon_for
from retrieval.models import Profile
from state.database import SqlStore, upsert

logger = logging.getLogger(__name__)

METADATA = MetaData()
PROFILES = Table(
    "profiles", METADATA,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),  # Telegram ids > 2³¹
    Column("profile", Text, nullable=False),  # the Profile model's JSON
    Column("updated_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class StoredProfile:
    profile: Profile
    updated_at: datetime


class ProfileStore(SqlStore):
    """Profiles keyed by Telegram user id, stored as the `Profile` model's JSON."""

    metadata = METADATA

    async def get_record(self, user_id: int) -> StoredProfile | None:
        row = await self._run(_get_profile, user_id)
        if row is None:
            return None
        try:
            profile = Profile.model_validate_json(row[0])
        except ValidationError:
            # A row written by an incompatible older version: treat it as absent rather than
            # failing every message of that user; saving again overwrites it.
            logger.warning("Unreadable stored profile for user %s; ignoring it", user_id)
            return None
        return StoredProfile(profile, datetime.fromisoformat(row[1]))

    async def get(self, user_id: int) -> Profile | None:
        record = await self.get_record(user_id)
        return record.profile if record else None

    async def save(self, user_id: int, profile: Profile) -> None:
        await self._run(_save_profile, user_id, profile.model_dump_json())

    async def delete(self, user_id: int) -> bool:
        """Remove the user's row; True when there was one."""
        return await self._run(_delete_profile, user_id)


def _get_profile(conn: Connection, user_id: int) -> tuple[str, str] | None:
    row = conn.execute(select(PROFILES.c.profile, PROFILES.c.updated_at).where(
        PROFILES.c.user_id == user_id)).first()
    return (row[0], row[1]) if row else None


def _save_profile(conn: Connection, user_id: int, profile_json: str) -> None:
    conn.execute(upsert(conn, PROFILES, {
        "user_id": user_id, "profile": profile_json,
        "updated_at": datetime.now(UTC).isoformat()}, key=["user_id"]))


def _delete_profile(conn: Connection, user_id: int) -> bool:
    return conn.execute(delete(PROFILES).where(PROFILES.c.user_id == user_id)).rowcount > 0


# ---- a profile as a sentence ----------------------------------------------------------------

_DEGREE_PHRASE = {"advanced": "a master's degree", "first": "a bachelor's degree",
                  None: "a university degree"}
# parse_profile's level words, strongest cue first; "spoken" means no level was given
_LEVEL_WORD = {"native": "native", "fluent": "fluent", "good": "good", "basic": "basic",
               "spoken": ""}
_LEVEL_ORDER = ["spoken", "native", "fluent", "good", "basic"]


def _number(value: float) -> str:
    return f"{value:g}"


def _languages_clause(languages: dict[str, str]) -> str:
    # Languages without a level go first: after "fluent French", a bare "English" would
    # inherit "fluent" when read back.
    spoken = sorted((iso for iso, lvl in languages.items() if lvl in _LEVEL_WORD),
                    key=lambda iso: _LEVEL_ORDER.index(languages[iso]))
    label = lexicon_for("en")["language_names"]  # the names parse_profile reads back
    names = [" ".join(filter(None, [_LEVEL_WORD[languages[iso]], label.get(iso, iso)]))
             for iso in spoken]
    negated = [label.get(iso, iso) for iso, lvl in languages.items() if lvl == "none"]
    clause = ""
    if names:
        clause = "speak " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1
                             else names[0])
    if negated:
        # "no French" is read as a negation of that language only
        nos = " and ".join(f"no {name}" for name in negated)
        clause = f"{clause}, but {nos}" if clause else f"speak {nos}"
    return clause


def profile_question(profile: Profile) -> str:
    """The profile as one or two sentences that `parse_profile` reads back into it, e.g.
    "I have a master's degree in law, 3 years of experience in labour rights, and speak
    English and French."."""
    parts: list[str] = []
    if profile.has_degree or profile.degree_level:
        degree = _DEGREE_PHRASE[profile.degree_level]
        if profile.degree_field:
            degree += f" in {profile.degree_field}"
            if profile.degree_focus:
                degree += f" with a focus on {profile.degree_focus}"
        parts.append(degree)
    if profile.years_experience is not None or profile.experience_domain:
        relevant = "relevant " if profile.experience_relevant else ""
        experience = f"{relevant}experience"
        if profile.years_experience is not None:
            years = profile.years_experience
            unit = "year" if years == 1 else "years"
            experience = f"{_number(years)} {unit} of {experience}"
        if profile.experience_domain:
            experience += f" in {profile.experience_domain}"
        parts.append(experience)
    for skill in profile.skills:
        parts.append(f"skills in {skill}")
    languages = _languages_clause(profile.languages)
    sentences: list[str] = []
    if parts or languages:
        listed = ", ".join(parts)
        if parts and languages:
            body = f"I have {listed}, and {languages}"
        elif parts:
            body = f"I have {listed}"
        else:
            body = f"I {languages}"
        sentences.append(body + ".")
    if profile.age is not None:
        sentences.append(f"I am {profile.age} years old.")
    if profile.nationality:
        sentences.append(f"My nationality is {profile.nationality}.")
    return " ".join(sentences)


# The asker speaks of themself: "what are the eligibility criteria?" wants the criteria, not a
# verdict on the saved profile.
_SELF = re.compile(r"\b(i|i'm|im|me|my|mine|je|j'ai|moi|mon|ma|mes|suis-je|puis-je|yo|mi|mis|"
                   r"soy|puedo)\b", re.I)


def wants_stored_profile(question: str) -> bool:
    """Whether a question asks about eligibility without describing the candidate
    ("which postings fit me?"), so that a saved profile should answer it. Facts given in the
    message itself win over the saved ones. Cheap: call it before reading the store."""
    if not _SELF.search(question.replace("’", "'")):
        return False
    # Imported here: understanding loads the lexicons, which the store itself never needs.
    from retrieval.eligibility import parse_profile
    from retrieval.understanding import analyse

    return "eligibility" in analyse(question).intents and not parse_profile(question).has_facts()


def with_stored_profile(question: str, profile: Profile | None) -> str:
    """`question` preceded by the saved profile, as a sentence, when `wants_stored_profile`;
    otherwise `question` unchanged."""
    if profile is None or not profile.has_facts() or not wants_stored_profile(question):
        return question
    return f"{profile_question(profile)} {question}"
