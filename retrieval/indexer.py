"""Ingestion: corpus files → postings → chunks → embeddings → a new index generation.

Chunks are identified by a hash of their text, so a reindex re-embeds only what changed: the
vectors of unchanged chunks are copied from the generation being replaced. The new generation
is validated (counts and one probe query per posting) before the alias switches to it; any
failure leaves the old generation serving.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from langchain_core.documents import Document
from pydantic import BaseModel, Field

from retrieval.chunking import Chunker, text_hash
from retrieval.loaders import LoadError, corpus_files, read_text
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from retrieval.settings import Settings
from retrieval.store import IndexStore

log = logging.getLogger(__name__)

MIN_FIELDS = 4  # fewer recognised fields than this: not a posting
Progress = Callable[[str], None]


class ReindexBusy(RuntimeError):
    """A reindex is already running."""


class IndexBuildError(RuntimeError):
    """The new index failed validation; the previous one keeps serving."""


class IndexReport(BaseModel):
    postings: int = 0
    chunks: int = 0
    seconds: float = 0.0
    embedded: int = 0
    reused: int = 0
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    unchanged: bool = False


def parse_file(path: Path, parser: PostingParser, max_bytes: int | None = None) -> Posting:
    """Read and parse one file; LoadError when it is unreadable or not a posting."""
    text = read_text(path, max_bytes=max_bytes)
    posting = parser.parse(text, posting_id=path.stem, source=path.name)
    if posting.field_count() < MIN_FIELDS:
        raise LoadError(f"{path.name}: no posting sections recognised "
                        f"(found {posting.field_count()} fields)")
    return posting


class Indexer:
    def __init__(self, settings: Settings, store: IndexStore) -> None:
        self.settings = settings
        self.store = store
        self.parser = PostingParser()
        self.chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def load_corpus(self, corpus_dir: Path | None = None) -> tuple[list[Posting], list[str]]:
        postings: list[Posting] = []
        skipped: list[str] = []
        for path in corpus_files(corpus_dir or self.settings.corpus_dir):
            try:
                postings.append(parse_file(path, self.parser, self.settings.max_upload_bytes * 10))
            except LoadError as exc:
                log.warning("skipped %s", exc)
                skipped.append(str(exc))
        return postings, skipped

    def ensure_index(self) -> IndexReport | None:
        """Build the index when none exists yet."""
        if self.store.pointer().get("active"):
            return None
        return self.reindex()

    def reindex(self, progress: Progress | None = None, *, rebuild: bool = False) -> IndexReport:
        if not self._lock.acquire(blocking=False):
            raise ReindexBusy("a reindex is already running")
        try:
            return self._reindex(progress or (lambda _m: None), rebuild=rebuild)
        finally:
            self._lock.release()

    async def areindex(self, progress: Callable[[str], Awaitable[None]] | None = None,
                       *, rebuild: bool = False) -> IndexReport:
        """Reindex in a worker thread; progress messages are delivered on the event loop."""
        if self.running:
            raise ReindexBusy("a reindex is already running")
        loop = asyncio.get_running_loop()

        def report(message: str) -> None:
            if progress is not None:
                asyncio.run_coroutine_threadsafe(progress(message), loop)

        return await asyncio.to_thread(self.reindex, report, rebuild=rebuild)

    def _reindex(self, progress: Progress, *, rebuild: bool) -> IndexReport:
        started = time.perf_counter()
        progress("Reading the corpus…")
        postings, skipped = self.load_corpus()
        pointer = self.store.pointer()
        old_name = pointer.get("active", "")
        reuse_ok = not rebuild and pointer.get("embedding_model") == self.store.model_id
        old_hashes: dict[str, str] = {}
        old_vectors: dict[str, list[float]] = {}
        if old_name:
            try:
                old = self.store.collection(old_name)
                got = old.get(where={"kind": "summary"}, include=["metadatas"])
                old_hashes = {str(m["posting_id"]): str(m.get("content_hash", ""))
                              for m in got["metadatas"] or []}
            except Exception as exc:  # a vanished generation: rebuild from scratch
                log.warning("previous index unreadable (%s); rebuilding", exc)
                old_name, reuse_ok = "", False

        new_ids = {p.id for p in postings}
        report = IndexReport(
            skipped=skipped,
            added=sorted(new_ids - old_hashes.keys()),
            removed=sorted(old_hashes.keys() - new_ids),
            updated=sorted(p.id for p in postings
                           if p.id in old_hashes and old_hashes[p.id] != p.content_hash),
        )
        progress(f"Parsed {len(postings)} postings; chunking…")
        docs = [d for p in postings for d in self._chunks_with_record(p)]
        if not docs:
            raise IndexBuildError(
                "no postings could be read from the corpus; the index is unchanged")

        if old_name and reuse_ok:
            old_vectors = self._vectors_by_hash(old_name)
        hashes = [text_hash(d.page_content) for d in docs]
        todo = sorted({h for h in hashes if h not in old_vectors})
        texts_by_hash = {h: d.page_content for h, d in zip(hashes, docs, strict=True)}
        vectors = dict(old_vectors)
        batch = 256
        for start in range(0, len(todo), batch):
            part = todo[start:start + batch]
            for h, v in zip(part, self.store.embeddings.embed_documents(
                    [texts_by_hash[h] for h in part]), strict=True):
                vectors[h] = v
            progress(f"Embedded {min(start + batch, len(todo))}/{len(todo)} new chunks…")
        report.embedded = len(todo)
        report.reused = len(docs) - sum(1 for h in hashes if h in todo)

        if old_name and not todo and not report.added and not report.removed \
                and not report.updated and not rebuild:
            report.postings, report.chunks = len(postings), len(docs)
            report.unchanged = True
            report.seconds = round(time.perf_counter() - started, 2)
            progress("Nothing changed; the current index stays.")
            return report

        progress("Writing the new index…")
        collection = self.store.new_collection()
        try:
            for start in range(0, len(docs), 1000):
                part = docs[start:start + 1000]
                collection.add(
                    ids=[str(d.id) for d in part],
                    documents=[d.page_content for d in part],
                    metadatas=[{**d.metadata, "hash": h}
                               for d, h in zip(part, hashes[start:start + 1000], strict=True)],
                    embeddings=[vectors[h] for h in hashes[start:start + 1000]],
                )
            progress("Validating…")
            self._validate(collection, postings, len(docs))
        except Exception:
            self.store.drop(collection.name)
            raise
        self.store.switch(collection.name, {"postings": len(postings), "chunks": len(docs)})
        report.postings, report.chunks = len(postings), len(docs)
        report.seconds = round(time.perf_counter() - started, 2)
        progress("Done.")
        return report

    def _chunks_with_record(self, posting: Posting) -> list[Document]:
        docs = self.chunker.chunks(posting)
        for d in docs:
            if d.metadata["kind"] == "summary":
                d.metadata["record"] = posting.model_dump_json()
                d.metadata["content_hash"] = posting.content_hash
        return docs

    def _vectors_by_hash(self, name: str) -> dict[str, list[float]]:
        got = self.store.collection(name).get(include=["metadatas", "embeddings"])
        vectors: dict[str, list[float]] = {}
        embeddings = got.get("embeddings")
        if embeddings is None:
            return vectors
        for meta, vec in zip(got["metadatas"] or [], embeddings, strict=False):
            if meta and meta.get("hash"):
                vectors[str(meta["hash"])] = list(vec)
        return vectors

    def _validate(self, collection: object, postings: list[Posting], n_chunks: int) -> None:
        from chromadb.api.models.Collection import Collection

        assert isinstance(collection, Collection)
        count = collection.count()
        if count != n_chunks:
            raise IndexBuildError(f"the new index holds {count} chunks, expected {n_chunks}")
        summaries = collection.get(where={"kind": "summary"}, include=[])
        if len(summaries["ids"]) != len(postings):
            raise IndexBuildError(f"the new index holds {len(summaries['ids'])} postings, "
                              f"expected {len(postings)}")
        # One probe per posting (capped): its own title must find one of its chunks.
        for posting in postings[:50]:
            vec = self.store.embeddings.embed_query(posting.title or posting.id)
            res = collection.query(query_embeddings=[vec], n_results=1,
                                   where={"posting_id": posting.id}, include=[])
            if not res["ids"][0]:
                raise IndexBuildError(f"probe query for {posting.id} found nothing")
