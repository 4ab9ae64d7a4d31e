"""Index / retrieval / answer benchmark over the real corpus and synthetic corpora.

(A little over 400 lines: one run measures every size in order — index, first answers after the
switch, the question mix, the unchanged reindex — and writes one JSON; split, the steps would
pass the same per-size state around.)

For each size: 5 is the real `corpus/`; any other size is generated with `bench.generate`
(seed fixed). Each size is indexed into a fresh data dir, then a fixed mixed question set is
run through the `HybridRetriever` (unrestricted, and restricted to one posting) and through
`AnswerService.answer`. One embedding model is loaded once and shared by every size.

Memory: peak resident set size per size, read as VmHWM from /proc/self/status after resetting
the high-water mark with /proc/self/clear_refs (falls back to getrusage ru_maxrss, which is a
process-wide peak, when /proc is unavailable). Embedding-model memory is included.

    HF_HUB_OFFLINE=1 python -m bench.run --sizes 5 1000 10000
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import shutil
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from bench.generate import REAL_CORPUS, generate
from retrieval.keyword import BM25Index
from retrieval.models import Posting
from retrieval.settings import Settings

RESULTS_DIR = Path(__file__).parent / "results"

CROSS_QUESTIONS = [
    "Which postings require a law degree?",
    "Which postings are based in Nairobi?",
    "Which postings last 24 months?",
    "Which postings mention UNESCO?",
    "Which postings require French?",
    "How many postings are there?",
]
OPEN_QUESTIONS = [
    "What will the JPO learn about artificial intelligence?",
    "Tell me about due diligence legislation",
    "What is the SRM TWG?",
    "What training is offered at the International Training Centre in Turin?",
    "Is there any work on domestic workers?",
]
# A profile stated in the question, checked against every posting (ranked, then only the
# eligible ones): the eligibility answers over the whole corpus.
ELIGIBILITY_QUESTIONS = [
    "I have a master's degree in law, 3 years of experience in labour law and fluent English "
    "and French. Which postings can I apply to?",
    "I hold a master's in economics with 5 years of experience in employment policy; English "
    "native. Which of these posts could I apply for? Only list the ones I qualify for.",
]
FIELD_TEMPLATES = [
    "Who is the supervisor of the {t} position?",
    "What is the duty station of the JPO in {t}?",
    "What languages are required for the {t} post?",
    "How long is the assignment in {t}?",
    "What are the main duties of the {t} JPO?",
    "What education is needed for the {t} job?",
]


@dataclass
class Question:
    kind: str  # field | cross | open | eligibility
    text: str
    posting_id: str  # the posting a restricted retrieval is limited to


@dataclass
class SizeResult:
    size: int
    corpus_dir: str
    generate_s: float = 0.0
    postings: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    index_s: float = 0.0
    load_s: float = 0.0
    bm25_build_s: float = 0.0
    first_answer_s: float = 0.0
    # The first answer of each kind right after the index switch (corpus-wide first): what
    # the first user after a reindex waits for; also counted in `answer_ms`.
    first_after_switch_ms: dict[str, float] = field(default_factory=dict)
    unchanged_reindex_s: float = 0.0
    data_dir_mb: float = 0.0
    retrieval_all_ms: list[float] = field(default_factory=list)
    retrieval_one_ms: list[float] = field(default_factory=list)
    answer_ms: dict[str, list[float]] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    rss_mb: float = 0.0
    memory_source: str = ""
    doc_embeddings: str = "model"
    loadavg: list[float] = field(default_factory=list)  # 1-min load at start and end
    questions: list[dict[str, Any]] = field(default_factory=list)


# ---- memory -------------------------------------------------------------------------------------

def _status_kb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's resident-set high-water mark (VmHWM); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> tuple[float, str]:
    """(peak RSS in MiB, where it came from)."""
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm / 1024, "VmHWM"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "ru_maxrss"


# ---- a stand-in for document embeddings --------------------------------------------------------

class HashedDocEmbeddings(Embeddings):
    """Real model for queries, a cheap hashed bag-of-words vector (same dimension) for documents.

    Only for `--doc-embeddings hashed`: lets a large size be indexed in minutes to measure
    retrieval/answer latency (query embedding and HNSW search over the full index are real);
    its index time then excludes model inference and is labelled as such."""

    def __init__(self, real: Embeddings) -> None:
        self.real = real
        self.dim = len(real.embed_query("dimension probe"))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            vec = np.zeros(self.dim, dtype=np.float32)
            for word in text.lower().split():
                h = zlib.crc32(word.encode("utf-8"))
                vec[h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            norm = float(np.linalg.norm(vec)) or 1.0
            out.append((vec / norm).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


# ---- helpers ------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


T = TypeVar("T")


def timed(fn: Callable[..., T], *args: Any) -> tuple[T, float]:
    started = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - started


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def question_set(postings: list[Posting]) -> list[Question]:
    """Field questions about evenly spaced postings (named by their title words), then
    cross-posting and open questions; restricted retrieval uses the named/middle posting."""
    ordered = sorted(postings, key=lambda p: p.id)
    middle = ordered[len(ordered) // 2].id
    qs: list[Question] = []
    for i, template in enumerate(FIELD_TEMPLATES):
        p = ordered[(i * len(ordered)) // len(FIELD_TEMPLATES)]
        qs.append(Question("field", template.format(t=p.short_title), p.id))
    qs += [Question("cross", q, middle) for q in CROSS_QUESTIONS]
    qs += [Question("open", q, middle) for q in OPEN_QUESTIONS]
    qs += [Question("eligibility", q, middle) for q in ELIGIBILITY_QUESTIONS]
    return qs


# ---- one size -----------------------------------------------------------------------------------

def run_size(size: int, embeddings: Any, work: Path, rounds: int, seed: int,
             log: Callable[[str], None], chroma: tuple[str, int] = ("", 8000)) -> SizeResult:
    """Generate (unless 5), index, load and question one corpus size."""
    from retrieval.services import build_services

    reset_peak()
    load_start = os.getloadavg()[0]
    if size == 5:
        corpus = REAL_CORPUS
        result = SizeResult(size, str(corpus))
    else:
        corpus = work / f"corpus{size}"
        result = SizeResult(size, str(corpus))
        _, result.generate_s = timed(lambda: generate(size, corpus, seed))
        log(f"[{size}] generated in {result.generate_s:.1f}s")
    data = work / f"data{size}"
    shutil.rmtree(data, ignore_errors=True)
    # With a Chroma server, each size gets a collection of its own (a fresh index, as on disk).
    settings = Settings(data_dir=data, corpus_dir=corpus, chroma_host=chroma[0],
                        chroma_port=chroma[1], llm_provider="none",
                        collection=f"bench{size}-{int(time.time())}" if chroma[0] else "postings")
    services = build_services(settings, ensure_index=False, embeddings=embeddings)
    if isinstance(embeddings, HashedDocEmbeddings):
        result.doc_embeddings = "hashed stand-in (index time excludes model inference)"

    def progress(message: str) -> None:
        if message.startswith(("Parsed", "Writing", "Valid")) or (
                message.startswith("Embedded") and message.split()[1].startswith(("25", "5"))):
            log(f"[{size}]   {message} ({time.perf_counter() - started:.0f}s)")

    started = time.perf_counter()
    report, result.index_s = timed(lambda: services.indexer.reindex(progress))
    result.postings, result.chunks = report.postings, report.chunks
    result.embedded, result.reused = report.embedded, report.reused
    log(f"[{size}] indexed {report.postings} postings / {report.chunks} chunks "
        f"({report.embedded} embedded) in {result.index_s:.1f}s")
    # The indexer loaded the new generation (and built the answer caches) before returning;
    # this is the cached snapshot, and the first question of each kind comes right after.
    snap, result.load_s = timed(services.store.snapshot)
    questions = question_set(snap.postings)
    firsts: dict[str, list[float]] = {}
    for kind in ("cross", "eligibility", "field", "open"):
        q = next(q for q in questions if q.kind == kind)
        _, t_first = timed(services.answers.answer, q.text, f"bench-first-{kind}")
        result.first_after_switch_ms[kind] = round(t_first * 1000, 2)
        firsts.setdefault(kind, []).append(round(t_first * 1000, 2))
    log(f"[{size}] first answers after the switch (ms): {result.first_after_switch_ms}")
    _, result.bm25_build_s = timed(lambda: BM25Index(snap.chunks))
    _, result.first_answer_s = timed(lambda: services.answers.answer("hello", "bench-warmup"))
    result.data_dir_mb = round(dir_mb(data), 1)
    log(f"[{size}] snapshot {result.load_s:.1f}s (BM25 alone {result.bm25_build_s:.1f}s), "
        f"first answer {result.first_answer_s:.1f}s")

    retriever = services.answers.retriever
    for kind, values in firsts.items():
        result.answer_ms.setdefault(kind, []).extend(values)

    def search(posting_ids: list[str] | None, text: str) -> list[Document]:
        return retriever.with_postings(posting_ids, snap).invoke(text)

    for q in questions:
        row: dict[str, Any] = {"kind": q.kind, "question": q.text, "retrieval_all_ms": [],
                               "retrieval_one_ms": [], "answer_ms": []}
        for _ in range(rounds):
            docs, t_all = timed(search, None, q.text)
            _, t_one = timed(search, [q.posting_id], q.text)
            row["retrieval_all_ms"].append(round(t_all * 1000, 2))
            row["retrieval_one_ms"].append(round(t_one * 1000, 2))
            row["top_hit"] = docs[0].metadata.get("posting_id") if docs else None
        for n in range(rounds):
            answer, t_ans = timed(services.answers.answer, q.text, f"bench-{size}-{n}-{q.text}")
            row["answer_ms"].append(round(t_ans * 1000, 2))
            row.update(intent=answer.intent, found=answer.found, answer_chars=len(answer.text),
                       cited_postings=len(answer.cited_posting_ids()))
        result.retrieval_all_ms += row["retrieval_all_ms"]
        result.retrieval_one_ms += row["retrieval_one_ms"]
        result.answer_ms.setdefault(q.kind, []).extend(row["answer_ms"])
        result.questions.append(row)
        log(f"[{size}]   {q.kind:5} ans {statistics.median(row['answer_ms']):8.1f} ms  "
            f"{row['intent']:14} {q.text[:70]}")

    unchanged, result.unchanged_reindex_s = timed(services.indexer.reindex)
    log(f"[{size}] unchanged reindex {result.unchanged_reindex_s:.2f}s "
        f"(unchanged={unchanged.unchanged})")
    peak, result.memory_source = peak_rss_mb()
    result.peak_rss_mb = round(peak, 1)
    result.rss_mb = round((_status_kb("VmRSS") or 0) / 1024, 1)
    result.loadavg = [round(load_start, 2), round(os.getloadavg()[0], 2)]
    return result


def _release_chroma() -> None:
    try:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception as exc:  # best effort; only frees memory between sizes
        logging.getLogger(__name__).debug("chroma cache: %s", exc)


# ---- report -------------------------------------------------------------------------------------

def _pp(values: list[float]) -> str:
    return f"{percentile(values, 50):.0f} / {percentile(values, 95):.0f}"


def markdown(results: list[SizeResult]) -> str:
    """The summary table (times in seconds unless ms)."""
    head = ("| postings | chunks | embedded | gen s | index s | load s (BM25) | first answer s "
            "| retrieval ms p50/p95 | retrieval 1-posting ms p50/p95 | answer ms p50/p95 "
            "| answer ms max | peak RSS MiB |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        answers = [v for vs in r.answer_ms.values() for v in vs]
        rows.append(
            f"| {r.postings:,} | {r.chunks:,} | {r.embedded:,} | {r.generate_s:.1f} "
            f"| {r.index_s:.1f} | {r.load_s:.1f} ({r.bm25_build_s:.1f}) | {r.first_answer_s:.2f} "
            f"| {_pp(r.retrieval_all_ms)} | {_pp(r.retrieval_one_ms)} | {_pp(answers)} "
            f"| {max(answers):.0f} | {r.peak_rss_mb:,.0f} |")
    kinds = ("field", "cross", "open", "eligibility")
    rows += ["", "| postings | answer ms p50/p95: field | cross-posting | open | eligibility "
                 "| first after switch ms (cross / eligibility) | unchanged reindex s |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        first = r.first_after_switch_ms
        rows.append(f"| {r.postings:,} | " + " | ".join(
            _pp(r.answer_ms.get(k, [])) for k in kinds)
            + f" | {first.get('cross', 0):.0f} / {first.get('eligibility', 0):.0f} "
              f"| {r.unchanged_reindex_s:.2f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 1000],
                    help="corpus sizes; 5 = the real corpus (default: 5 1000)")
    ap.add_argument("--rounds", type=int, default=2, help="repetitions of each question")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=None,
                    help="scratch folder for corpora and data dirs (default: a temp dir)")
    ap.add_argument("--doc-embeddings", choices=["model", "hashed"], default="model",
                    help="'hashed': index documents with a cheap stand-in (queries still use the "
                         "model) to measure latency at sizes too large to embed here")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--chroma-host", default="", help="index into this Chroma server instead "
                                                      "of an embedded store under the data dir")
    ap.add_argument("--chroma-port", type=int, default=8000)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    def log(message: str) -> None:
        print(message, flush=True)

    work = args.work or Path(tempfile.mkdtemp(prefix="jpo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    from retrieval.embeddings import build_embeddings

    embeddings, load_model_s = timed(lambda: build_embeddings(Settings()))
    embeddings.embed_query("warm-up")
    if args.doc_embeddings == "hashed":
        embeddings = HashedDocEmbeddings(embeddings)
    log(f"embedding model loaded in {load_model_s:.1f}s; scratch {work}")
    results: list[SizeResult] = []
    try:
        for size in args.sizes:
            results.append(run_size(size, embeddings, work, args.rounds, args.seed, log,
                                    (args.chroma_host, args.chroma_port)))
            _release_chroma()  # the size's services are unreachable now; free its index
            gc.collect()
            _write(results, args, load_model_s)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(markdown(results))
    print(f"\nJSON: {_write(results, args, load_model_s)}")


_STAMP = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _write(results: list[SizeResult], args: argparse.Namespace, load_model_s: float) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{_STAMP}.json"
    payload = {
        "created": _STAMP, "sizes": args.sizes, "rounds": args.rounds, "seed": args.seed,
        "cpu_count": os.cpu_count(), "embedding_model_load_s": round(load_model_s, 2),
        "memory": "peak RSS per size: VmHWM (/proc/self/status) after clear_refs=5 reset; "
                  "ru_maxrss fallback is process-wide",
        "results": [r.__dict__ for r in results],
    }
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    main()
