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


def evaluate(items: list[GoldItem], ask: Callable[[str, str], Answer]) -> dict[str, Any]:
    """Run every item in a fresh conversation; `ask(question, conversation_id)` answers."""
    passed = 0
    recall_hits = recall_total = 0
    by_category: dict[str, dict[str, int]] = {}
    failures: list[dict[str, Any]] = []
    latencies: list[float] = []
    for item in items:
        conversation = f"eval-{uuid.uuid4().hex}"
        answer: Answer | None = None
        for message in item.messages:
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
    return {
        "items": len(items),
        "passed": passed,
        "accuracy": round(passed / len(items), 4) if items else 0.0,
        "posting_recall": round(recall_hits / recall_total, 4) if recall_total else 1.0,
        "by_category": by_category,
        "latency_ms": {"p50": round(percentile(latencies, 50), 2),
                       "p95": round(percentile(latencies, 95), 2)},
        "failures": failures,
    }
