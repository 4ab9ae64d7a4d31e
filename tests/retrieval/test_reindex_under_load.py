"""Zero-downtime reindexing, proven under load: questions keep being answered (correctly)
while a reindex that edits, adds and removes postings runs and switches generations, and
while a reindex fails half way.

Before the fix in retrieval/store.py, `switch()` dropped the replaced generation at once, so
a question that had taken its snapshot just before the switch failed with Chroma's
"Collection … does not exist" (see `test_a_snapshot_taken_before_a_switch_still_answers`).
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from retrieval.indexer import IndexBuildError
from retrieval.models import Answer
from retrieval.settings import Settings
from tests.conftest import CORPUS, DEV_GOLD, EXTRA_GOLD, EXTRA_POSTINGS

pytestmark = pytest.mark.slow

AI, SECTOR, NORMES, VULN, MULTI = (
    "000_6199014678cf9c64", "001_326f5681e1f65d2e", "002_bd34980e9eece061",
    "003_7dab671c5908fb3f", "004_3c479a0523126fec")
UNCHANGED = {SECTOR, VULN, MULTI}
NORMES_SUPERVISOR_Q = "Who supervises the JPO in Standards Policy and Development?"
AI_SUPERVISOR_Q = "Who is the direct supervisor for the innovation and artificial intelligence JPO?"
YOUTH_Q = "Where is the youth employment JPO based?"
# Open questions about unchanged postings: these go through vector search, i.e. query the
# Chroma generation of the snapshot (most field questions are answered from the records).
OPEN_QUESTIONS = [
    "How does the due diligence JPO contribute to the Helpdesk for business?",
    "Is the responsible business JPO involved in supply chains?",
    "What kind of research does the domestic workers JPO do?",
    "What is the work environment like in the creative sectors unit?",
    "What does the creative sectors JPO work on?",
]
WORKERS = 6
MIN_QUESTIONS = 240


def _gold() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in (DEV_GOLD, EXTRA_GOLD):
        if path.exists():
            items += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [i for i in items
            if isinstance(i["question"], str) and i.get("answerable") and i["must_include"]
            and i["postings"] and set(i["postings"]) <= UNCHANGED]


def _correct(item: dict[str, Any], answer: Answer) -> bool:
    if item.get("open"):
        return answer.posting_ids == item["posting_ids"] and answer.found == item["found"]
    text = " ".join(answer.text.split()).lower()
    return all(" ".join(n.split()).lower() in text for n in item["must_include"])


class CachedEmbeddings:
    """The real model, remembering its vectors: each test builds a fresh index, and only the
    first build of the module pays for embedding the corpus. Thread-safe enough: a race only
    computes a vector twice."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.cache: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.inner.embed_documents(missing), strict=True))
        return [self.cache[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def embeddings(shared_embeddings: Any) -> CachedEmbeddings:
    return CachedEmbeddings(shared_embeddings)


@pytest.fixture
def services(tmp_path: Path, embeddings: CachedEmbeddings) -> Any:
    from retrieval.services import build_services

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(_env_file=None, data_dir=tmp_path / "data",
                        corpus_dir=corpus)
    services = build_services(settings, embeddings=embeddings)  # type: ignore[arg-type]
    services.warm_up()
    return services


@pytest.fixture
def gold(services: Any) -> list[dict[str, Any]]:
    """Gold questions about postings the reindex leaves alone, that the index answers
    correctly before it starts (this test is about reindexing, not answer quality)."""
    items = [i for i in _gold()
             if _correct(i, services.answers.answer(i["question"], uuid.uuid4().hex))]
    assert len(items) >= 15
    for question in OPEN_QUESTIONS:
        answer = services.answers.answer(question, uuid.uuid4().hex)
        assert len(answer.posting_ids) == 1 and answer.posting_ids[0] in UNCHANGED
        # An open item passes when the answer is about the same posting, as found as before.
        items.append({"id": f"open:{question}", "question": question, "open": True,
                      "posting_ids": answer.posting_ids, "found": answer.found})
    return items


@dataclass
class Load:
    """Several concurrent askers; every answer is checked as it arrives."""

    services: Any
    gold: list[dict[str, Any]]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    asked: int = 0
    errors: list[str] = field(default_factory=list)
    normes_supervisors: list[str] = field(default_factory=list)
    answered_at: list[float] = field(default_factory=list)

    async def worker(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop.is_set() or self.asked < MIN_QUESTIONS:
            if rng.random() < 0.2:  # a posting the reindex edits: old or new, never broken
                await self._ask_normes()
                continue
            opens = [i for i in self.gold if i.get("open")]
            item = rng.choice(opens if rng.random() < 0.4 else self.gold)
            try:
                answer = await self.services.answers.ask(item["question"], uuid.uuid4().hex)
            except Exception as exc:  # every failure is the finding
                self.errors.append(f"{item['id']}: {type(exc).__name__}: {exc}")
                continue
            finally:
                self.asked += 1
            self.answered_at.append(time.monotonic())
            if not answer.text.strip():
                self.errors.append(f"{item['id']}: empty answer")
            elif not _correct(item, answer):
                self.errors.append(f"{item['id']}: wrong answer {answer.text!r}")

    async def _ask_normes(self) -> None:
        try:
            answer = await self.services.answers.ask(NORMES_SUPERVISOR_Q, uuid.uuid4().hex)
        except Exception as exc:
            self.errors.append(f"normes: {type(exc).__name__}: {exc}")
            return
        finally:
            self.asked += 1
        if "Lisa Tortell" in answer.text:
            self.normes_supervisors.append("old")
        elif "Maria Example" in answer.text:
            self.normes_supervisors.append("new")
        else:
            self.errors.append(f"normes: neither supervisor in {answer.text!r}")

    async def run_during(self, work: Any) -> Any:
        """Run the askers, start `work` once they are going, stop them once it is done and
        enough questions were asked; returns `work`'s result (or raises its error)."""
        workers = [asyncio.create_task(self.worker(n)) for n in range(WORKERS)]
        while self.asked < 20:
            await asyncio.sleep(0.01)
        try:
            return await work
        finally:
            self.stop.set()
            await asyncio.gather(*workers)


def _change_corpus(corpus: Path) -> None:
    target = corpus / f"{NORMES}.txt"
    target.write_text(target.read_text().replace("Lisa Tortell", "Maria Example"))
    (corpus / f"{AI}.txt").unlink()
    shutil.copy(EXTRA_POSTINGS / "plain_caps_youth.txt", corpus / "plain_caps_youth.txt")


async def test_questions_never_fail_while_a_reindex_switches(
    services: Any, gold: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    old = services.store.pointer()["active"]
    _change_corpus(services.settings.corpus_dir)
    load = Load(services, gold)
    progress: list[str] = []

    async def note(line: str) -> None:
        progress.append(line)

    async def reindex() -> Any:
        report = await services.indexer.areindex(note)
        switched_at = time.monotonic()
        # Keep asking after the switch: the next questions must see the new generation.
        while load.asked < MIN_QUESTIONS or sum(t > switched_at for t in load.answered_at) < 60:
            await asyncio.sleep(0.02)
        return report

    report = await load.run_during(reindex())

    assert load.errors == [], load.errors[:10]
    # Not even degraded: no question lost its generation (vector search skipped).
    assert not [r for r in caplog.records if "vector search skipped" in r.getMessage()]
    assert load.asked >= MIN_QUESTIONS
    assert report.updated == [NORMES] and report.removed == [AI]
    assert report.added == ["plain_caps_youth"]
    assert services.store.pointer()["active"] != old
    assert "Done." in progress
    # Both generations answered during the run, and the last answers came from the new one.
    assert "old" in load.normes_supervisors and load.normes_supervisors[-1] == "new"

    # After the switch every change is visible at once.
    ask = services.answers.answer
    assert "Maria Example" in ask(NORMES_SUPERVISOR_Q, uuid.uuid4().hex).text
    assert "Dakar" in ask(YOUTH_Q, uuid.uuid4().hex).text
    assert services.catalog.get(AI) is None
    assert "Adviser to the Deputy Director-General" not in ask(AI_SUPERVISOR_Q,
                                                               uuid.uuid4().hex).text
    assert len(services.catalog) == 5


def _fail_validation(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real_validate = services.indexer._validate

    def validate(*args: Any, **kwargs: Any) -> None:
        real_validate(*args, **kwargs)  # the new generation is fully written…
        time.sleep(0.5)  # …questions keep arriving…
        raise IndexBuildError("probe query for 002_bd34980e9eece061 found nothing")

    monkeypatch.setattr(services.indexer, "_validate", validate)


def _fail_mid_write(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    store = services.store
    real_new = store.new_collection

    class HalfWritten:
        """The new collection; its first write lands, then the disk "fills up"."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner
            self.name = inner.name

        def add(self, **kwargs: Any) -> None:
            half = len(kwargs["ids"]) // 2
            self.inner.add(**{k: v[:half] for k, v in kwargs.items()})
            time.sleep(0.5)
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "new_collection", lambda: HalfWritten(real_new()))


@pytest.mark.parametrize("break_it", [_fail_validation, _fail_mid_write],
                         ids=["validation", "mid-write"])
async def test_a_failed_reindex_leaves_the_old_index_serving(
    services: Any, gold: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
    break_it: Any,
) -> None:
    store = services.store
    old = store.pointer()["active"]
    _change_corpus(services.settings.corpus_dir)
    break_it(services, monkeypatch)
    load = Load(services, gold)

    async def reindex() -> None:
        try:
            await services.indexer.areindex()
        finally:
            while load.asked < MIN_QUESTIONS:
                await asyncio.sleep(0.02)

    with pytest.raises((IndexBuildError, OSError)) as failure:
        await load.run_during(reindex())

    assert "found nothing" in str(failure.value) or "No space left" in str(failure.value)
    assert load.errors == [], load.errors[:10]
    assert set(load.normes_supervisors) == {"old"}
    assert store.pointer()["active"] == old
    names = [c.name for c in store.client.list_collections()]
    assert [n for n in names if n.startswith("postings-g")] == [old]  # half-built one dropped
    assert not services.indexer.running
    snap = store.snapshot(max_age=0)
    assert AI in snap.by_id and "plain_caps_youth" not in snap.by_id
    assert "Lisa Tortell" in services.answers.answer(NORMES_SUPERVISOR_Q, "after").text


# --------------------------------------------------------------------------- the store fix


def test_a_snapshot_taken_before_a_switch_still_answers(services: Any) -> None:
    store = services.store
    before = store.snapshot(max_age=0)
    _change_corpus(services.settings.corpus_dir)
    services.indexer.reindex()
    assert store.snapshot(max_age=0).collection_name != before.collection_name
    # A question that took its snapshot before the switch finishes on the old generation.
    hits = store.vector_search(before, "Who supervises the Standards Policy JPO?", 3)
    assert hits and all(d.metadata["posting_id"] in before.by_id for d, _ in hits)


def test_retired_generations_are_dropped_after_the_grace_period(services: Any) -> None:
    store, corpus = services.store, services.settings.corpus_dir
    first = store.pointer()["active"]
    target = corpus / f"{VULN}.txt"
    target.write_text(target.read_text() + "\nMore background.\n")
    services.indexer.reindex()
    second = store.pointer()["active"]
    names = {c.name for c in store.client.list_collections()}
    assert {first, second} <= names  # the replaced generation is kept for a while…
    store.retire_grace = 0.0
    target.write_text(target.read_text() + "\nEven more background.\n")
    services.indexer.reindex()
    names = {c.name for c in store.client.list_collections()}
    generations = {n for n in names if n.startswith("postings-g")}
    assert generations == {store.pointer()["active"]}  # …and dropped by a later switch


def test_an_expired_snapshot_degrades_to_keyword_search(services: Any) -> None:
    store = services.store
    before = store.snapshot(max_age=0)
    store.retire_grace = 0.0
    _change_corpus(services.settings.corpus_dir)
    services.indexer.reindex()
    assert store.vector_search(before, "supervisor", 3) == []  # logged, not raised
