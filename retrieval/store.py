"""The Chroma index: generations of one collection behind an alias, switched atomically.

Each (re)index writes a new collection `<name>-g<timestamp>`; a tiny pointer collection
`<name>-alias` holds in its metadata which generation is active and which embedding model
built it. Readers take an immutable `IndexSnapshot` per question, so a switch never tears a
question in half. The generation a switch replaces is not dropped at once: questions that
took their snapshot just before the switch (and other replicas, which re-check the pointer
only every few seconds) still query it. It is "retired" (listed in the pointer with the time)
and dropped by a later switch once `retire_grace` seconds have passed.

A generation stores what is needed once: a row per posting (its summary chunk, its record and
the layout of its other chunks as section/part/text hash) and a row per distinct section text
(`kind` "text", id `text:<hash>`). Synthetic and real job boards repeat the same boilerplate in
thousands of postings, so 10,000 postings are ~20,000 rows instead of ~232,000. A snapshot
rebuilds every chunk in memory; a search restricted to some postings scores their chunks'
vectors in memory (numpy) instead of a filtered HNSW search.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import PyEmbeddings
from chromadb.errors import NotFoundError
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

from retrieval.chunking import chunk_id, section_label
from retrieval.embeddings import build_embeddings, embedding_model_id
from retrieval.keyword import BM25Index
from retrieval.models import Posting
from retrieval.settings import Settings

log = logging.getLogger(__name__)

# How long a replaced generation keeps serving questions that still hold a snapshot of it.
RETIRE_GRACE_SECONDS = 120.0


class IndexMismatchError(RuntimeError):
    """The index was built with another embedding model; a reindex is needed."""


class IndexUnavailableError(RuntimeError):
    """Chroma cannot be reached (server down, wrong host/port, unreadable directory)."""


@dataclass
class IndexSnapshot:
    """Everything a question needs, frozen at one generation of the index."""

    collection_name: str
    collection: Collection | None
    postings: list[Posting]
    chunks: list[Document]
    bm25: BM25Index
    embedding_model: str = ""
    built_at: str = ""
    by_id: dict[str, Posting] = field(default_factory=dict)
    # One row per distinct vector (text hash → row), and each chunk's row: restricted
    # searches score a few postings' chunks here without asking Chroma.
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    row_of_hash: dict[str, int] = field(default_factory=dict)
    chunk_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    chunks_of_posting: dict[str, list[int]] = field(default_factory=dict)
    chunks_of_hash: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.postings}
        rows: list[int] = []
        for n, doc in enumerate(self.chunks):
            h = str(doc.metadata.get("hash", ""))
            rows.append(self.row_of_hash.get(h, -1))
            self.chunks_of_posting.setdefault(str(doc.metadata.get("posting_id", "")),
                                              []).append(n)
            self.chunks_of_hash.setdefault(h, []).append(n)
        self.chunk_rows = np.asarray(rows, dtype=np.int64)

    @classmethod
    def empty(cls) -> IndexSnapshot:
        return cls("", None, [], [], BM25Index([]))


class IndexStore:
    def __init__(self, settings: Settings, embeddings: Embeddings | None = None) -> None:
        self.settings = settings
        # Called with every snapshot as soon as it is loaded (under the snapshot lock): what
        # answers need per snapshot is built here, not by the first question.
        self.on_load: list[Callable[[IndexSnapshot], None]] = []
        self._client: ClientAPI | None = None
        self._embeddings = embeddings
        self._snapshot: IndexSnapshot | None = None
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self.retire_grace = RETIRE_GRACE_SECONDS

    # ---- connections ---------------------------------------------------------------------------

    @property
    def client(self) -> ClientAPI:
        if self._client is None:
            if self.settings.chroma_host:
                self._client = chromadb.HttpClient(host=self.settings.chroma_host,
                                                   port=self.settings.chroma_port)
            else:
                self.settings.chroma_dir.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.settings.chroma_dir))
        return self._client

    @property
    def embeddings(self) -> Embeddings:
        if self._embeddings is None:
            self._embeddings = build_embeddings(self.settings)
        return self._embeddings

    @property
    def model_id(self) -> str:
        return embedding_model_id(self.settings)

    def _alias_name(self) -> str:
        return f"{self.settings.collection}-alias"

    # ---- the pointer ---------------------------------------------------------------------------

    def pointer(self) -> dict[str, Any]:
        """The alias metadata; {} when no index was built yet. An unreachable Chroma raises
        IndexUnavailableError: taking it for "no index" would start a full rebuild (and
        then fail) at start-up, and serve an empty index mid-run."""
        try:
            alias = self.client.get_collection(self._alias_name())
        except NotFoundError:  # not created yet
            return {}
        except Exception as exc:
            where = (f"the Chroma server at {self.settings.chroma_host}:"
                     f"{self.settings.chroma_port}" if self.settings.chroma_host
                     else f"the Chroma directory {self.settings.chroma_dir}")
            raise IndexUnavailableError(
                f"Cannot read the index from {where}: {exc}") from exc
        return dict(alias.metadata or {})

    def reachable(self) -> bool:
        """Whether the index's store answers now; the snapshot in memory outlives it."""
        try:
            self.pointer()
        except IndexUnavailableError:
            return False
        return True

    def new_collection(self) -> Collection:
        name = f"{self.settings.collection}-g{int(time.time() * 1000)}"
        # A wider HNSW search than the defaults: with many identical vectors (the same
        # boilerplate section in many postings) a search filtered to one posting otherwise
        # misses it (3 of 200 postings at 1,000 synthetic postings; 0 with these settings).
        return self.client.create_collection(
            name, embedding_function=None,
            configuration={"hnsw": {"space": "cosine", "ef_search": 200,
                                    "ef_construction": 200, "max_neighbors": 32}})

    def collection(self, name: str) -> Collection:
        return self.client.get_collection(name, embedding_function=None)

    def switch(self, name: str, info: dict[str, Any]) -> str | None:
        """Point the alias at `name`; returns the generation it replaced (now retired).

        Dropping the replaced generation right away would fail every question still
        holding a snapshot of it ("Collection … does not exist"), so it is kept for
        `retire_grace` seconds and dropped by a later switch."""
        pointer = self.pointer()
        previous = pointer.get("active")
        now = time.time()
        retired = _retired(pointer)
        if previous and previous != name:
            retired[previous] = now
        retired = {n: t for n, t in retired.items()
                   if n != name and now - t < self.retire_grace}
        metadata = {**info, "active": name, "embedding_model": self.model_id,
                    "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "retired": json.dumps(retired)}
        alias = self.client.get_or_create_collection(self._alias_name(), embedding_function=None)
        alias.modify(metadata=metadata)
        with self._lock:
            self._snapshot = None
        self._drop_stale(keep={name, *retired})
        return previous if previous != name else None

    def drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception as exc:  # already gone
            log.debug("drop %s: %s", name, exc)

    def _drop_stale(self, keep: set[str]) -> None:
        prefix = f"{self.settings.collection}-g"
        for col in self.client.list_collections():
            if col.name.startswith(prefix) and col.name not in keep:
                self.drop(col.name)

    # ---- reading -------------------------------------------------------------------------------

    def snapshot(self, max_age: float = 5.0) -> IndexSnapshot:
        """The active generation; re-checks the pointer at most every `max_age` seconds so that
        several replicas sharing one Chroma server follow each other's reindexes."""
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked_at < max_age:
            return snap
        # The pointer is read under the lock that `switch` takes to clear the cache: read
        # outside it, a pointer read just before a switch could be cached just after it and
        # serve the replaced generation for another `max_age` seconds.
        with self._lock:
            if self._snapshot is not None and time.monotonic() - self._checked_at < max_age:
                return self._snapshot  # another thread re-checked while this one waited
            self._checked_at = now
            try:
                pointer = self.pointer()
            except IndexUnavailableError as exc:
                if self._snapshot is None:
                    raise
                # Chroma went away mid-run: keep answering from the snapshot in memory
                # (keyword search; vector search is skipped below) and check again later.
                log.warning("%s; answering from the loaded index", exc)
                return self._snapshot
            active = pointer.get("active", "")
            if self._snapshot is not None and self._snapshot.collection_name == active:
                return self._snapshot
            # The previous generation's objects become collectable again: frozen below, a
            # cycle among them would otherwise outlive it.
            gc.unfreeze()
            self._snapshot = self._load(pointer) if active else IndexSnapshot.empty()
            for hook in self.on_load:
                hook(self._snapshot)
            # A loaded generation is millions of long-lived objects (10,000 postings: ~2
            # million); every full collection walked them all, and the allocations of one
            # eligibility answer over all postings triggered several (1.2 s → 0.3 s frozen).
            gc.collect()
            gc.freeze()
            return self._snapshot

    def loaded(self) -> IndexSnapshot | None:
        """The snapshot in memory, if any, without re-checking the pointer."""
        return self._snapshot

    def _load(self, pointer: dict[str, Any]) -> IndexSnapshot:
        name = pointer["active"]
        built_with = pointer.get("embedding_model", "")
        if built_with and built_with != self.model_id:
            raise IndexMismatchError(
                f"The index was built with embeddings '{built_with}' but the settings ask for "
                f"'{self.model_id}'. Run `jpo-bot index --rebuild` (or /reindex) to rebuild it.")
        collection = self.collection(name)
        data = collection.get(include=["documents", "metadatas", "embeddings"])
        ids, texts = data["ids"], data["documents"] or []
        metas = data["metadatas"] or []
        embedded = data.get("embeddings")
        vectors = np.asarray(embedded if embedded is not None else [], dtype=np.float32)
        row_of_hash: dict[str, int] = {}
        text_of_hash: dict[str, str] = {}
        for n, (text, meta) in enumerate(zip(texts, metas, strict=False)):
            h = str((meta or {}).get("hash", ""))
            if h:
                row_of_hash.setdefault(h, n)
                text_of_hash.setdefault(h, text or "")
        chunks: list[Document] = []
        postings: list[Posting] = []
        shared: dict[str, str] = {}
        for cid, text, meta in zip(ids, texts, metas, strict=False):
            meta = dict(meta or {})
            if meta.get("kind") == "text":
                continue  # a distinct section text: the postings' layouts place it
            record = meta.pop("record", None)
            layout = meta.pop("layout", None)
            chunks.append(Document(page_content=text or "", metadata=meta, id=cid))
            if record:
                posting = _sharing_strings(Posting.model_validate_json(str(record)), shared)
                postings.append(posting)
                if layout:
                    chunks += _laid_out(posting, json.loads(str(layout)), text_of_hash, shared)
        postings.sort(key=lambda p: p.id)
        return IndexSnapshot(name, collection, postings, chunks, BM25Index(chunks),
                             embedding_model=built_with, built_at=str(pointer.get("built_at", "")),
                             vectors=vectors, row_of_hash=row_of_hash)

    def vector_search(self, snap: IndexSnapshot, query: str, k: int,
                      posting_ids: list[str] | None = None) -> list[tuple[Document, float]]:
        """Nearest chunks by cosine similarity, optionally within some postings."""
        if snap.collection is None or not snap.chunks:
            return []
        vector = np.asarray(self.embeddings.embed_query(query), dtype=np.float32)
        if posting_ids:
            return _nearest_within(snap, vector, k, posting_ids)
        vectors: PyEmbeddings = [vector.tolist()]
        try:
            res = snap.collection.query(query_embeddings=vectors, n_results=k,
                                        include=["metadatas", "distances"])
        except NotFoundError:
            # The snapshot outlived its generation's grace period: keyword search alone
            # still answers; the next question takes a fresh snapshot.
            log.warning("generation %s is gone; vector search skipped", snap.collection_name)
            return []
        except Exception as exc:
            # Chroma unreachable (a server that went down): keyword search alone answers.
            log.warning("vector search on %s failed (%s); keyword search only",
                        snap.collection_name, exc)
            return []
        metadatas, distances = res["metadatas"], res["distances"]
        if metadatas is None or distances is None:
            return []  # both are in `include`: Chroma always returns them
        out: list[tuple[Document, float]] = []
        for meta, dist in zip(metadatas[0], distances[0], strict=False):
            # A distinct text stands for every chunk that has it (boilerplate in many
            # postings): each of them is as near as the text.
            for n in snap.chunks_of_hash.get(str((meta or {}).get("hash", "")), []):
                out.append((snap.chunks[n], 1.0 - dist))
                if len(out) >= k:
                    return out
        return out


def _nearest_within(snap: IndexSnapshot, vector: np.ndarray, k: int,
                    posting_ids: list[str]) -> list[tuple[Document, float]]:
    """Exact cosine search over the chunks of some postings (vectors are normalised)."""
    picked = [n for pid in dict.fromkeys(posting_ids) for n in snap.chunks_of_posting.get(pid, [])]
    if not picked or not snap.vectors.size:
        return []
    chunk_ids = np.asarray(picked, dtype=np.int64)
    rows = snap.chunk_rows[chunk_ids]
    chunk_ids, rows = chunk_ids[rows >= 0], rows[rows >= 0]
    scores = snap.vectors[rows] @ vector
    order = np.argsort(-scores, kind="stable")[:k]
    return [(snap.chunks[int(chunk_ids[i])], float(scores[i])) for i in order]


_Model = TypeVar("_Model", bound=BaseModel)


def _sharing_strings(model: _Model, shared: dict[str, str]) -> _Model:
    """The model with each string field (and string list item) replaced by the first equal
    string already loaded: postings on one job board repeat whole sections (training,
    competencies, the agency's background), which 10,000 records would otherwise hold
    10,000 times."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str):
            setattr(model, name, shared.setdefault(value, value))
        elif isinstance(value, list):
            setattr(model, name, [shared.setdefault(v, v) if isinstance(v, str) else v
                                  for v in value])
        elif isinstance(value, BaseModel):
            _sharing_strings(value, shared)
    return model


def _laid_out(posting: Posting, layout: list[list[Any]], text_of_hash: dict[str, str],
              shared: dict[str, str]) -> list[Document]:
    """A posting's non-summary chunks, rebuilt from its layout [section, part, text hash]
    exactly as `Chunker.chunks` made them (section names and hashes shared, see
    `_sharing_strings`)."""
    docs: list[Document] = []
    for section, part, h in layout:
        section, h = shared.setdefault(section, section), shared.setdefault(h, h)
        text = text_of_hash.get(h, "")
        metadata: dict[str, Any] = {
            "posting_id": posting.id, "title": posting.title,
            "organisation": posting.organisation, "section": section,
            "section_label": section_label(section), "part": part, "kind": "section",
            "hash": h}
        docs.append(Document(page_content=text, metadata=metadata,
                             id=chunk_id(posting.id, section, part, text)))
    return docs


def _retired(pointer: dict[str, Any]) -> dict[str, float]:
    """Replaced generations still kept for in-flight questions: name → retirement time."""
    try:
        value = json.loads(str(pointer.get("retired") or "{}"))
    except ValueError:
        return {}
    return {str(k): float(v) for k, v in value.items()} if isinstance(value, dict) else {}
