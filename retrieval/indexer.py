"""Ingestion: corpus files → postings → chunks → embeddings → a new index generation.

(Longer than our usual modules: one reindex is one transaction — parse, reuse or embed, write,
validate, switch — whose steps share the generation being built and its rollback.)

Chunks are identified by a hash of their text, so a reindex re-embeds only what changed: the
vectors of unchanged chunks are copied from the generation being replaced, and a text shared
by many postings is embedded and written once (retrieval/store.py). A file whose text is the
one the current index was built from is not parsed again (`rebuild` re-parses everything:
needed after a parser change). The new generation is validated (row counts, and a sample of
postings whose summary vector must find its own row) before the alias switches to it; any
failure leaves the old generation serving.

`add_file` and `remove_posting` change one posting: they edit the corpus folder and reindex
(only the new posting's chunks get embedded), and undo the file change when the reindex fails,
so the corpus and the index never disagree.

After a switch that added or changed postings, `on_postings_changed` hooks get their ids and
content hashes (alerts, bot/alerts.py). Over 400 lines because every corpus or index change
goes through the one lock and report here.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chromadb.api.types import PyEmbeddings
from langchain_core.documents import Document
from pydantic import BaseModel, Field

from retrieval.chunking import Chunker, text_hash
from retrieval.loaders import LoadError, corpus_files, read_text
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from retrieval.parsing.headings import SemanticHeadings
from retrieval.settings import Settings
from retrieval.store import IndexStore
from retrieval.text import fold

log = logging.getLogger(__name__)

MIN_FIELDS = 4  # fewer recognised fields than this, and no job-posting words: not a posting
# Words of any vacancy announcement, whatever its headings: a text with a few recognised
# fields and several of these is indexed with what was found, never refused.
_POSTING_WORDS_RE = re.compile(
    r"\b(dut(?:y|ies)|responsibilit\w*|qualifications?|experience|degree|vacanc\w+|"
    r"supervis\w+|assignment|junior professional officer|jpo|duty station|grade|"
    r"competenc\w+|position|candidates?)\b", re.I)
MIN_POSTING_WORDS = 3
MAX_PROBES = 50  # validation probes per index build (each a cheap HNSW query)
Progress = Callable[[str], None]
# What the bot passes: a coroutine function, run on the event loop for each progress line.
AsyncProgress = Callable[[str], Coroutine[Any, Any, None]]


class ReindexBusy(RuntimeError):
    """A reindex is already running."""


class IndexBuildError(RuntimeError):
    """The new index failed validation; the previous one keeps serving."""


class UploadRejected(LoadError):
    """A file that cannot be added to the corpus; the message says why and names the file."""


class UnknownPosting(LookupError):
    """No corpus file holds the posting to remove."""


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
    # posting id → key fields the parser did not find (postings with everything are absent)
    missing_fields: dict[str, list[str]] = Field(default_factory=dict)
    organisations: dict[str, str] = Field(default_factory=dict)  # posting id → organisation
    versions: dict[str, str] = Field(default_factory=dict)  # posting id → content hash


class PostingVersion(BaseModel):
    """One posting as a new index generation holds it: its id and a hash of its text."""

    posting_id: str
    version: str  # the posting's content hash: a changed text is a new version


class PostingsChanged(BaseModel):
    """Emitted after an index switch that added or changed postings (not for removals)."""

    postings: list[PostingVersion]


PostingsChangedHook = Callable[[PostingsChanged], None]


def parse_file(path: Path, parser: PostingParser, max_bytes: int | None = None) -> Posting:
    """Read and parse one file; LoadError when it is unreadable or not a posting."""
    return parse_text(read_text(path, max_bytes=max_bytes), path, parser)


def parse_text(text: str, path: Path, parser: PostingParser) -> Posting:
    """Parse the text read from `path`; LoadError when it is not a posting."""
    posting = parser.parse(text, posting_id=path.stem, source=path.name)
    if posting.field_count() < MIN_FIELDS:
        words = {m.lower() for m in _POSTING_WORDS_RE.findall(posting.text)}
        if len(words) < MIN_POSTING_WORDS or not (posting.title or posting.field_count()):
            raise LoadError(
                f"{path.name}: no posting sections recognised (found {posting.field_count()} "
                f"fields): it does not read as a vacancy announcement — no job title, duties, "
                f"requirements or duty station, and {len(words)} of the words every posting "
                f"uses")
    return posting


def posting_filename(posting: Posting, suffix: str) -> str:
    """A safe corpus file name for an uploaded posting: a slug of its post number and title
    plus a short content hash, with the original extension. The uploader's file name is never
    used as a path (it could hold "../", separators or control characters)."""
    base = " ".join(p for p in (posting.post_number and f"post {posting.post_number}",
                                posting.short_title or posting.title) if p)
    slug = re.sub(r"[^a-z0-9]+", "-", fold(base).encode("ascii", "ignore").decode())
    slug = slug.strip("-")[:48].rstrip("-") or "posting"
    digest = (posting.content_hash or hashlib.sha256(posting.text.encode()).hexdigest())[:8]
    return f"{slug}-{digest}{suffix.lower()}"


def _normalised_hash(posting: Posting) -> str:
    # The same announcement re-exported (other line breaks, another format) has another raw
    # content hash; its words in order are the same.
    return hashlib.sha256(" ".join(posting.text.split()).lower().encode()).hexdigest()


def _post_number(posting: Posting) -> str:
    return " ".join(posting.post_number.split()).casefold()


def duplicate_of(posting: Posting, existing: list[Posting]) -> str | None:
    """Why `posting` duplicates one of `existing` (None when it does not)."""
    for other in existing:
        if posting.content_hash == other.content_hash \
                or _normalised_hash(posting) == _normalised_hash(other):
            return f"the same posting is already in the corpus as {other.id} " \
                   f"({other.title or other.source})"
    number = _post_number(posting)
    for other in existing:
        if number and number == _post_number(other):
            return f"post number {posting.post_number} is already used by {other.id} " \
                   f"({other.title or other.source}); remove that posting first to replace it"
    return None


class Indexer:
    def __init__(self, settings: Settings, store: IndexStore) -> None:
        self.settings = settings
        self.store = store
        # Unfamiliar headings are matched by meaning with the index's own embedding model,
        # loaded only when a posting has such headings.
        self.parser = PostingParser(SemanticHeadings(lambda: store.embeddings))
        self.chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
        self._lock = threading.Lock()
        # Called after every index change (reindex, upload, removal) with its duration and
        # the error it ended with, if any: metrics hook in here.
        self.on_reindex: list[Callable[[float, BaseException | None], None]] = []
        # Called (on the indexing thread) once the alias points at a generation that added or
        # changed postings: alerts hook in here. A failing hook never fails the reindex.
        self.on_postings_changed: list[PostingsChangedHook] = []

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def load_corpus(self, corpus_dir: Path | None = None,
                    known: dict[tuple[str, str], Posting] | None = None
                    ) -> tuple[list[Posting], list[str]]:
        """Parse every corpus file; one whose (id, content hash) is in `known` (the postings
        the current index was built from) is taken from there instead of parsed again."""
        postings: list[Posting] = []
        skipped: list[str] = []
        for path in corpus_files(corpus_dir or self.settings.corpus_dir):
            try:
                text = read_text(path, max_bytes=self.settings.max_upload_bytes * 10)
                raw_hash = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
                same = (known or {}).get((path.stem, raw_hash))
                if same is not None and same.source == path.name:
                    postings.append(same)
                else:
                    postings.append(parse_text(text, path, self.parser))
            except LoadError as exc:
                log.warning("skipped %s", exc)
                skipped.append(str(exc))
        return postings, skipped

    def ensure_index(self) -> IndexReport | None:
        """Build the index when none exists yet."""
        if self.store.pointer().get("active"):
            return None
        return self.reindex()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One corpus/index change at a time (a reindex, an upload or a removal)."""
        if not self._lock.acquire(blocking=False):
            raise ReindexBusy("a reindex is already running")
        try:
            yield
        finally:
            self._lock.release()

    def reindex(self, progress: Progress | None = None, *, rebuild: bool = False) -> IndexReport:
        with self._exclusive():
            return self._observed_reindex(progress, rebuild=rebuild)

    async def areindex(self, progress: AsyncProgress | None = None,
                       *, rebuild: bool = False) -> IndexReport:
        """Reindex in a worker thread; progress messages are delivered on the event loop."""
        return await self._in_thread(self.reindex, progress, rebuild=rebuild)

    async def _in_thread(self, func: Callable[..., IndexReport],
                         progress: AsyncProgress | None,
                         *args: Any, **kwargs: Any) -> IndexReport:
        if self.running:
            raise ReindexBusy("a reindex is already running")
        loop = asyncio.get_running_loop()

        def report(message: str) -> None:
            if progress is not None:
                asyncio.run_coroutine_threadsafe(progress(message), loop)

        return await asyncio.to_thread(func, *args, progress=report, **kwargs)

    # ---- one posting at a time -----------------------------------------------------------------

    def check_file(self, path: Path, display_name: str | None = None) -> Posting:
        """Parse an uploaded file and make sure it can be added: readable, a posting, within
        the size limit, not a duplicate. Returns the posting as it will be stored (its id is
        the safe file name's stem); raises UploadRejected naming `display_name`."""
        name = display_name or path.name
        try:
            posting = parse_file(path, self.parser, self.settings.max_upload_bytes)
        except LoadError as exc:
            message = str(exc)
            if message.startswith(f"{path.name}:"):  # name the file as the admin knows it
                message = name + message[len(path.name):]
            raise UploadRejected(message) from exc
        filename = posting_filename(posting, path.suffix)
        posting = posting.model_copy(update={"id": Path(filename).stem, "source": filename})
        existing, _skipped = self.load_corpus()
        reason = duplicate_of(posting, existing)
        if reason:
            raise UploadRejected(f"{name}: {reason}")
        return posting

    def add_file(self, path: Path, display_name: str | None = None,
                 progress: Progress | None = None) -> IndexReport:
        """Copy a checked posting file into the corpus under a safe name and reindex."""
        with self._exclusive():
            # Checked again under the lock: a duplicate may have arrived since the preview.
            posting = self.check_file(path, display_name)
            corpus = self.settings.corpus_dir
            corpus.mkdir(parents=True, exist_ok=True)
            target = corpus / posting.source
            partial = corpus / f".{target.name}.part"  # hidden: no reindex reads it half-written
            shutil.copyfile(path, partial)
            os.replace(partial, target)
            try:
                return self._observed_reindex(progress, rebuild=False)
            except BaseException:
                target.unlink(missing_ok=True)
                raise

    def remove_posting(self, posting_id: str, progress: Progress | None = None) -> IndexReport:
        """Delete the posting's file from the corpus and reindex; the file comes back when
        the reindex fails (e.g. it was the last posting)."""
        with self._exclusive():
            path = self.posting_file(posting_id)
            if path is None:
                raise UnknownPosting(f"no file in the corpus holds the posting {posting_id}")
            aside = path.with_name(f".{path.name}.removed")  # hidden: the reindex skips it
            os.replace(path, aside)
            try:
                report = self._observed_reindex(progress, rebuild=False)
            except BaseException:
                os.replace(aside, path)
                raise
            aside.unlink(missing_ok=True)
            return report

    def posting_file(self, posting_id: str) -> Path | None:
        """The corpus file a posting was read from (postings are named after their file)."""
        return next((p for p in corpus_files(self.settings.corpus_dir) if p.stem == posting_id),
                    None)

    async def aadd_file(self, path: Path, display_name: str | None = None,
                        progress: AsyncProgress | None = None) -> IndexReport:
        return await self._in_thread(self.add_file, progress, path, display_name)

    async def aremove_posting(self, posting_id: str,
                              progress: AsyncProgress | None = None
                              ) -> IndexReport:
        return await self._in_thread(self.remove_posting, progress, posting_id)

    def _observed_reindex(self, progress: Progress | None, *, rebuild: bool) -> IndexReport:
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            report = self._reindex(progress or (lambda _m: None), rebuild=rebuild)
        except BaseException as exc:
            error = exc
            raise
        finally:
            for hook in self.on_reindex:
                hook(time.perf_counter() - started, error)
        self._emit_changes(report)
        return report

    def _emit_changes(self, report: IndexReport) -> None:
        if not self.on_postings_changed or report.unchanged \
                or not (report.added or report.updated):
            return
        event = PostingsChanged(postings=[
            PostingVersion(posting_id=pid, version=report.versions.get(pid, ""))
            for pid in sorted({*report.added, *report.updated})])
        for hook in self.on_postings_changed:
            try:
                hook(event)
            except Exception:  # the index has switched already; alerts must not undo it
                log.exception("a postings-changed hook failed")

    def _reindex(self, progress: Progress, *, rebuild: bool) -> IndexReport:
        started = time.perf_counter()
        pointer = self.store.pointer()
        old_name = pointer.get("active", "")
        reuse_ok = not rebuild and pointer.get("embedding_model") == self.store.model_id
        old_postings: list[Posting] = []
        if old_name:
            try:
                old_postings = self._postings_of(old_name)
            except Exception as exc:  # a vanished generation: rebuild from scratch
                log.warning("previous index unreadable (%s); rebuilding", exc)
                old_name, reuse_ok = "", False
        old_hashes = {p.id: p.content_hash for p in old_postings}
        progress("Reading the corpus…")
        known = {(p.id, p.content_hash): p for p in old_postings} if reuse_ok else None
        postings, skipped = self.load_corpus(known=known)

        new_ids = {p.id for p in postings}
        report = IndexReport(
            skipped=skipped,
            missing_fields={p.id: p.field_report()[1] for p in postings if p.field_report()[1]},
            organisations={p.id: p.organisation for p in postings},
            versions={p.id: p.content_hash for p in postings},
            added=sorted(new_ids - old_hashes.keys()),
            removed=sorted(old_hashes.keys() - new_ids),
            updated=sorted(p.id for p in postings
                           if p.id in old_hashes and old_hashes[p.id] != p.content_hash),
        )
        layout_of = self._layout_version()
        if old_name and reuse_ok and postings and not report.added and not report.removed \
                and not report.updated and pointer.get("layout") == layout_of:
            report.postings, report.chunks = len(postings), int(pointer.get("chunks", 0))
            report.unchanged = True
            report.seconds = round(time.perf_counter() - started, 2)
            progress("Nothing changed; the current index stays.")
            return report

        progress(f"Parsed {len(postings)} postings; chunking…")
        docs = [d for p in postings for d in self.chunker.chunks(p)]
        if not docs:
            raise IndexBuildError(
                "no postings could be read from the corpus; the index is unchanged")

        old_vectors = self._vectors_by_hash(old_name) if old_name and reuse_ok else {}
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
        embedded = set(todo)  # (a list: 235,000 membership tests of 10,000 items each)
        report.reused = len(docs) - sum(1 for h in hashes if h in embedded)

        progress("Writing the new index…")
        rows = self._rows(postings, docs, hashes)
        collection = self.store.new_collection()
        try:
            for start in range(0, len(rows), 1000):
                part_rows = rows[start:start + 1000]
                batch_vectors: PyEmbeddings = [vectors[str(r[2]["hash"])] for r in part_rows]
                collection.add(ids=[r[0] for r in part_rows],
                               documents=[r[1] for r in part_rows],
                               metadatas=[r[2] for r in part_rows],
                               embeddings=batch_vectors)
            progress("Validating…")
            self._validate(collection, postings, len(rows))
        except Exception:
            self.store.drop(collection.name)
            raise
        report.postings, report.chunks = len(postings), len(docs)
        self.store.switch(collection.name, {"postings": report.postings,
                                            "chunks": report.chunks, "layout": layout_of})
        # What was parsed, chunked and embedded is in Chroma now: released before the new
        # generation is loaded, so that the two are not held together (10,000 postings).
        del postings, docs, hashes, rows, vectors, texts_by_hash, old_vectors, embedded
        # Load the new generation now: what answers need is built at index time, not by
        # the first question after the switch (IndexStore.on_load).
        self.store.snapshot(max_age=0)
        report.seconds = round(time.perf_counter() - started, 2)
        progress("Done.")
        return report

    def _layout_version(self) -> str:
        """What else decides the chunks of an unchanged corpus: the chunking settings."""
        return f"v2/{self.settings.chunk_size}/{self.settings.chunk_overlap}"

    def _postings_of(self, name: str) -> list[Posting]:
        """The postings a generation was built from: the snapshot in memory when it is that
        generation, else the records stored with it."""
        loaded = self.store.loaded()
        if loaded is not None and loaded.collection_name == name:
            return list(loaded.postings)
        got = self.store.collection(name).get(where={"kind": "summary"}, include=["metadatas"])
        return [Posting.model_validate_json(str(m["record"]))
                for m in got["metadatas"] or [] if m and m.get("record")]

    @staticmethod
    def _rows(postings: list[Posting], docs: list[Document],
              hashes: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, document, metadata) of every row: one per posting (its summary chunk, record
        and chunk layout), one per distinct text of the other chunks."""
        by_posting: dict[str, list[tuple[Document, str]]] = {}
        for d, h in zip(docs, hashes, strict=True):
            by_posting.setdefault(str(d.metadata["posting_id"]), []).append((d, h))
        rows: list[tuple[str, str, dict[str, Any]]] = []
        texts: dict[str, str] = {}
        for posting in postings:
            layout: list[list[Any]] = []
            summary: tuple[Document, str] | None = None
            for d, h in by_posting.get(posting.id, []):
                if d.metadata["kind"] == "summary":
                    summary = (d, h)
                else:
                    layout.append([d.metadata["section"], d.metadata["part"], h])
                    texts.setdefault(h, d.page_content)
            if summary is None:
                continue
            d, h = summary
            rows.append((str(d.id), d.page_content, {
                **d.metadata, "hash": h, "record": posting.model_dump_json(),
                "content_hash": posting.content_hash, "layout": json.dumps(layout)}))
        rows += [(f"text:{h}", text, {"kind": "text", "hash": h}) for h, text in texts.items()]
        return rows

    def _vectors_by_hash(self, name: str) -> dict[str, list[float]]:
        loaded = self.store.loaded()
        if loaded is not None and loaded.collection_name == name and loaded.vectors.size:
            return {h: loaded.vectors[row].tolist() for h, row in loaded.row_of_hash.items()}
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
            raise IndexBuildError(f"the new index holds {count} rows, expected {n_chunks}")
        summaries = collection.get(where={"kind": "summary"}, include=[])
        if len(summaries["ids"]) != len(postings):
            raise IndexBuildError(f"the new index holds {len(summaries['ids'])} postings, "
                              f"expected {len(postings)}")
        # Probes: a sample of postings' summary vectors must find their own row through the
        # HNSW index (a broken or partial index does not); the stored vectors are used, so no
        # model call and a few milliseconds each.
        step = max(1, len(postings) // MAX_PROBES)
        sample = [str(s_id) for s_id in summaries["ids"][::step]]
        got = collection.get(ids=sample, include=["embeddings"])
        embedded = got.get("embeddings")
        if embedded is None or len(embedded) != len(sample):
            raise IndexBuildError("the new index returns no vectors")
        res = collection.query(query_embeddings=list(embedded), n_results=3,
                               include=["distances"])
        # Identical vectors (the same summary text, or test embeddings) may outrank a row's
        # own: a nearest hit at distance ~0 is the row's vector found.
        misses = [sid for sid, found, dist in zip(got["ids"], res["ids"],
                                                   res["distances"] or [], strict=True)
                  if sid not in found and not (dist and dist[0] < 1e-4)]
        if len(misses) > max(1, len(sample) // 100):
            raise IndexBuildError(f"vector search cannot reach {len(misses)} postings "
                                  f"(e.g. {misses[0]})")
        if misses:
            log.warning("probe queries missed %d posting(s): %s", len(misses), misses[:5])
