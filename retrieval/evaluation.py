"""Score the product on a gold file (format: tests/data/gold_format.md)."""

from __future__ import annotations

import json
import re
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from retrieval.models import Answer


class GoldFormatError(ValueError):
    """The gold file cannot be read; the message names the line."""


class GoldItem(BaseModel):
    id: str
    category: str = "uncategorised"
    question: str | list[str]
    postings: list[str] = Field(default_factory=list)
    must_include: list[str] = Field(default_factory=list)
    must_not_include: list[str] = Field(default_factory=list)
    answerable: bool = True
    notes: str = ""

    @property
    def messages(self) -> list[str]:
        return [self.question] if isinstance(self.question, str) else list(self.question)


def load_gold(path: Path) -> list[GoldItem]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFormatError(f"{path}: cannot be read ({exc})") from exc
    items: list[GoldItem] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(GoldItem.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise GoldFormatError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise GoldFormatError(f"{path}:{n}: {where}: {first['msg']}") from exc
    if not items:
        raise GoldFormatError(f"{path}: no items")
    ids = [i.id for i in items]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise GoldFormatError(f"{path}: duplicate ids {sorted(dupes)}")
    return items


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def score_item(item: GoldItem, answer: Answer) -> dict[str, Any]:
    text = _norm(answer.text)
    missing = [s for s in item.must_include if _norm(s) not in text]
    forbidden = [s for s in item.must_not_include if _norm(s) in text]
    passed = not missing and not forbidden and (item.answerable or not answer.found)
    return {"passed": passed, "missing": missing, "forbidden": forbidden}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def in_context(item: GoldItem, context: str) -> bool:
    """Every `must_include` string is in the context, matched the way answers are scored."""
    text = _norm(context)
    return all(_norm(s) in text for s in item.must_include)


def evaluate(items: list[GoldItem], ask: Callable[[str, str], Answer],
             context: Callable[[str, str], str] | None = None) -> dict[str, Any]:
    """Run every item in a fresh conversation; `ask(question, conversation_id)` answers.

    With `context(question, conversation_id)` — the text the LLM would be given for the last
    message (retrieval/llm/context.py) — also `context_recall`: over answerable items, the
    share whose `must_include` strings all appear in it; overall and per category."""
    passed = 0
    recall_hits = recall_total = 0
    by_category: dict[str, dict[str, int]] = {}
    failures: list[dict[str, Any]] = []
    latencies: list[float] = []
    context_rows: dict[str, list[int]] = {}  # category → [answerable items, in context]
    context_misses: list[str] = []
    for item in items:
        conversation = f"eval-{uuid.uuid4().hex}"
        answer: Answer | None = None
        for n, message in enumerate(item.messages, start=1):
            if context is not None and item.answerable and n == len(item.messages):
                hit = in_context(item, context(message, conversation))
                row = context_rows.setdefault(item.category, [0, 0])
                row[0] += 1
                row[1] += hit
                if not hit:
                    context_misses.append(item.id)
            started = time.perf_counter()
            answer = ask(message, conversation)
            latencies.append((time.perf_counter() - started) * 1000)
        assert answer is not None
        result = score_item(item, answer)
        cat = by_category.setdefault(item.category, {"items": 0, "passed": 0})
        cat["items"] += 1
        if item.postings:
            cited = set(answer.cited_posting_ids())
            recall_total += len(item.postings)
            recall_hits += sum(p in cited for p in item.postings)
        if result["passed"]:
            passed += 1
            cat["passed"] += 1
        else:
            failures.append({"id": item.id, "question": item.messages[-1],
                             "answer": answer.text, "found": answer.found,
                             "missing": result["missing"], "forbidden": result["forbidden"]})
    result_context: dict[str, Any] = {}
    if context is not None:
        total = sum(r[0] for r in context_rows.values())
        hits = sum(r[1] for r in context_rows.values())
        result_context = {
            "context_recall": round(hits / total, 4) if total else 1.0,
            "context_recall_by_category": {cat: round(h / n, 4)
                                           for cat, (n, h) in sorted(context_rows.items())},
            "context_misses": context_misses,
        }
    return {
        "items": len(items),
        "passed": passed,
        "accuracy": round(passed / len(items), 4) if items else 0.0,
        "posting_recall": round(recall_hits / recall_total, 4) if recall_total else 1.0,
        "by_category": by_category,
        "latency_ms": {"p50": round(percentile(latencies, 50), 2),
                       "p95": round(percentile(latencies, 95), 2)},
        "failures": failures,
        **result_context,
    }
