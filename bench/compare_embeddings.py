"""Compare local embedding models on the gold sets, index time, query latency and memory.

Each model runs in its own process (so peak RSS is the model's own) over a fresh data dir:
index the real corpus, score every gold set like `jpo-bot eval --json` (extractive answers,
llm_provider none), time 50 single query embeddings.

    python -m bench.compare_embeddings --models all-MiniLM-L6-v2 multilingual-e5-small
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

GOLD_SETS = ["dev", "gold_extra", "gold_fr_es", "dev_natural", "gold_natural", "dev_multi",
             "gold_profiles"]
GOLD_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
RESULTS_DIR = Path(__file__).parent / "results"


def measure(model: str, data_dir: Path, gold_sets: list[str]) -> dict[str, object]:
    """One model, in this process."""
    from bench.run import peak_rss_mb, percentile
    from retrieval.evaluation import evaluate, load_gold
    from retrieval.services import build_services
    from retrieval.settings import Settings

    settings = Settings(data_dir=data_dir, embeddings_provider="local", embeddings_model=model,
                        llm_provider="none", chroma_host="")
    started = time.perf_counter()
    services = build_services(settings, ensure_index=False)
    services.store.embeddings.embed_query("warm-up")
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    report = services.indexer.reindex()
    index_s = time.perf_counter() - started
    print(model, f"indexed in {index_s:.1f}s", file=sys.stderr, flush=True)
    services.warm_up()
    sets: dict[str, dict[str, float]] = {}
    questions: list[str] = []
    for name in gold_sets:
        items = load_gold(GOLD_DIR / f"{name}.jsonl")
        questions += [i.messages[-1] for i in items]
        result = evaluate(items, services.answers.answer,
                          lambda q, cid: services.llm_context(q, cid).text)
        sets[name] = {"accuracy": round(result["accuracy"], 3),
                      "context_recall": round(result["context_recall"], 3),
                      "items": result["items"]}
        print(model, name, json.dumps(sets[name]), file=sys.stderr, flush=True)
    query_ms = []
    for q in questions[:50]:
        t = time.perf_counter()
        services.store.embeddings.embed_query(q)
        query_ms.append((time.perf_counter() - t) * 1000)
    peak, _source = peak_rss_mb()
    return {"model": model, "model_load_s": round(load_s, 2), "index_s": round(index_s, 2),
            "embedded": report.embedded, "query_ms_p50": round(percentile(query_ms, 50), 1),
            "query_ms_p95": round(percentile(query_ms, 95), 1), "peak_rss_mb": round(peak),
            "sets": sets}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["all-MiniLM-L6-v2", "multilingual-e5-small"])
    ap.add_argument("--sets", nargs="+", default=GOLD_SETS, choices=GOLD_SETS,
                    help="gold sets in tests/data to score (default: all)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # the child process: measure one model
    ap.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.data_dir, args.sets)))
        return
    rows = []
    for model in args.models:
        with tempfile.TemporaryDirectory(prefix="jpo-emb-") as scratch:
            out = subprocess.run([sys.executable, "-m", "bench.compare_embeddings", "--one",
                                  model, "--data-dir", scratch, "--sets", *args.sets],
                                 check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"embeddings-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"JSON: {path}")


if __name__ == "__main__":
    main()
