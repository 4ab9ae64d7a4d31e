"""Prometheus metrics, served as text on GET /metrics (bot/web.py).

Everything lives in one per-process `CollectorRegistry` owned by a `Metrics` object built once
by the entry point: no module-level collectors, so tests can build as many as they like
without "Duplicated timeseries" errors and read their own counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from retrieval.models import AnswerMode

if TYPE_CHECKING:
    from retrieval.models import Answer

logger = logging.getLogger(__name__)

NAMESPACE = "jpo"
# Answers take milliseconds (extractive) to tens of seconds (a slow LLM).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0)
REINDEX_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


class Metrics:
    """The bot's metrics: questions_total{mode}, answer_latency_seconds, fallbacks_total,
    reindex_duration_seconds, errors_total{kind} (all prefixed `jpo_`)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.questions = Counter("questions", "Questions answered, by answer mode.", ["mode"],
                                 namespace=NAMESPACE, registry=self.registry)
        self.answer_latency = Histogram("answer_latency_seconds",
                                        "Time to answer a question (retrieval + LLM).",
                                        namespace=NAMESPACE, buckets=LATENCY_BUCKETS,
                                        registry=self.registry)
        self.fallbacks = Counter("fallbacks", "Answers where the LLM failed and the extractive "
                                 "answer was sent instead.", namespace=NAMESPACE,
                                 registry=self.registry)
        self.reindex_duration = Histogram("reindex_duration_seconds",
                                          "Duration of successful reindexes.",
                                          namespace=NAMESPACE, buckets=REINDEX_BUCKETS,
                                          registry=self.registry)
        self.errors = Counter("errors", "Failures: updates whose handler raised, reindexes "
                              "that failed.", ["kind"], namespace=NAMESPACE,
                              registry=self.registry)
        # Pre-create the label sets so dashboards see zeros rather than missing series.
        for mode in AnswerMode:
            self.questions.labels(mode=mode.value)
        for kind in ("update", "reindex"):
            self.errors.labels(kind=kind)
        self._unbind: list[Callable[[], None]] = []

    # ---- observations -------------------------------------------------------------------------

    def observe_answer(self, question: str, answer: Answer, seconds: float) -> None:
        """An `AnswerService.on_answer` hook (called from a worker thread; prometheus_client
        collectors are thread-safe)."""
        self.questions.labels(mode=str(answer.mode)).inc()
        self.answer_latency.observe(seconds)
        if answer.mode == AnswerMode.FALLBACK:
            self.fallbacks.inc()

    def observe_reindex(self, seconds: float) -> None:
        self.reindex_duration.observe(seconds)

    def observe_error(self, kind: str = "update") -> None:
        self.errors.labels(kind=kind).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)

    # ---- wiring -------------------------------------------------------------------------------

    def bind(self, services: Any) -> None:
        """Hook into the services of this process; `unbind()` undoes it (tests reuse services).

        Tolerates test fakes that lack `on_answer` or a synchronous `reindex`."""
        hooks = getattr(services.answers, "on_answer", None)
        if isinstance(hooks, list) and self.observe_answer not in hooks:
            hooks.append(self.observe_answer)
            self._unbind.append(lambda: hooks.remove(self.observe_answer))
        reindex_hooks = getattr(services.indexer, "on_reindex", None)
        if isinstance(reindex_hooks, list) and self.observe_index_change not in reindex_hooks:
            reindex_hooks.append(self.observe_index_change)
            self._unbind.append(lambda: reindex_hooks.remove(self.observe_index_change))

    def observe_index_change(self, seconds: float, error: BaseException | None) -> None:
        """Indexer hook: every reindex, upload and removal, timed; failures counted."""
        if error is None:
            self.observe_reindex(seconds)
        elif type(error).__name__ != "ReindexBusy":  # a concurrent run is not an index failure
            self.observe_error("reindex")

    def unbind(self) -> None:
        while self._unbind:
            self._unbind.pop()()
