"""Small helpers every answer part shares: answer frames, bullets, citations, trimming."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from retrieval.chunking import section_label
from retrieval.eligibility.vocabulary import LANGUAGE_WORD, lexicon_for
from retrieval.lexicon import load_yaml
from retrieval.models import Citation, Posting
from retrieval.text import fold
from retrieval.understanding import Query

# language word (EN/FR/ES, folded) → ISO code, and ISO code → English name: the eligibility
# vocabulary's, so that every language a requirement can name can be asked about
LANGUAGE_NAMES: dict[str, str] = LANGUAGE_WORD
LANGUAGE_LABEL: dict[str, str] = lexicon_for("en")["language_names"]
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


@cache
def question_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a clause-opening question word, a word asking where): lexicon/intents.yaml."""
    lex = load_yaml("intents.yaml")
    return re.compile(lex["question_words"]), re.compile(lex["place_words"])


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


def trim_around(text: str, term: str, limit: int) -> str:
    """`trim`, unless that would cut `term` off: then the part of the text around it, the
    cut ends marked "…" ("Its key outputs: …; Joint research with UNESCO on …")."""
    text = text.strip()
    at = fold(text).find(fold(term)) if term else -1
    if len(text) <= limit or at < 0 or at + len(term) <= limit - 20:
        return trim(text, limit)
    start = max(0, at - limit // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    window = text[start:start + limit]
    if start + limit < len(text):
        window = window.rsplit(" ", 1)[0] + "…"
    return ("…" if start else "") + window.strip()


def section_items(p: Posting) -> list[tuple[str, str]]:
    from retrieval.chunking import section_texts

    return section_texts(p)
