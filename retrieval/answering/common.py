"""Small helpers every answer part shares: answer frames, bullets, citations, trimming."""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.chunking import section_label
from retrieval.models import Citation, Posting
from retrieval.understanding import Query, load_yaml

LANGUAGE_NAMES = {
    "english": "en", "anglais": "en", "ingles": "en",
    "french": "fr", "francais": "fr", "frances": "fr",
    "spanish": "es", "espagnol": "es", "espanol": "es",
}
LANGUAGE_LABEL = {"en": "English", "fr": "French", "es": "Spanish"}
MAX_ITEMS = 10


def frames(language: str) -> dict[str, str]:
    table = load_yaml("answers.yaml")
    return {**table["en"], **table.get(language, {})}


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"• {i.strip()}" for i in items if i.strip())


def cite(p: Posting, section: str, excerpt: str = "") -> Citation:
    return Citation(posting_id=p.id, title=p.title, section=section_label(section),
                    excerpt=excerpt[:300])


FIELD_INTENTS = {
    "supervisor", "contact", "duty_station", "grade", "duration", "department_unit",
    "post_number", "issue_date", "duties", "key_outputs", "education", "experience", "skills",
    "languages", "competencies", "learning", "training", "background", "requirements",
}


def fields_asked(q: Query) -> bool:
    """A not-stated topic plus a real field ("what is the pay grade?"): answer the field."""
    return q.not_stated == "salary" and "grade" in q.intents


def inline(text: str) -> str:
    return re.sub(r"\s*\n\s*(- )?", " ", text).strip()


def trim(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("\n"))
    return (cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0] + "…").strip()


def section_items(p: Posting) -> list[tuple[str, str]]:
    from retrieval.chunking import section_texts

    return section_texts(p)
