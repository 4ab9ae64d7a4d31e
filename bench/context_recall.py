"""Context recall: does the text an LLM would be given contain the answer?

For each gold file, over answerable items: the share whose `must_include` strings all appear
(case-insensitive, whitespace collapsed — the scorer's matching) in

* `jpo-bot` — the context `ContextBuilder` gives the model (retrieval/llm/context.py; the
  same code `jpo-bot eval --json` reports as `context_recall`), and
* `vanilla` — a plain LangChain RAG baseline: every posting file split into 1000/200-character
  chunks by langchain-text-splitters, the same MiniLM embeddings, top 6 by cosine similarity.

Run from the repository (JPO_CORPUS_DIR / JPO_DATA_DIR select the corpus and its index,
which must have been built with `jpo-bot index`):

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.context_recall ../shared/eval/dev_natural.jsonl
"""

from __future__ import annotations

import argparse
import logging
import os
import uuid
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_text_splitters import RecursiveCharacterTextSplitter

from retrieval.evaluation import GoldItem, in_context, load_gold
from retrieval.loaders import corpus_files, read_text
from retrieval.services import Services, build_services
from retrieval.settings import Settings


def vanilla_store(services: Services) -> InMemoryVectorStore:
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs: list[Document] = []
    for path in corpus_files(services.settings.corpus_dir):
        docs += splitter.create_documents([read_text(path)], metadatas=[{"source": path.name}])
    store = InMemoryVectorStore(services.store.embeddings)
    store.add_documents(docs)
    return store


def recall(items: list[GoldItem], services: Services,
           vanilla: InMemoryVectorStore) -> dict[str, tuple[int, int]]:
    hits = {"jpo-bot": 0, "vanilla": 0}
    total = 0
    for item in items:
        conversation = f"bench-{uuid.uuid4().hex}"
        for message in item.messages[:-1]:
            services.answers.answer(message, conversation)
        if not item.answerable:
            continue
        total += 1
        question = item.messages[-1]
        hits["jpo-bot"] += in_context(item, services.llm_context(question, conversation).text)
        found = vanilla.similarity_search(question, k=6)
        hits["vanilla"] += in_context(item, "\n".join(d.page_content for d in found))
    return {name: (h, total) for name, h in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gold", nargs="+", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    services = build_services(Settings(), ensure_index=False)
    vanilla = vanilla_store(services)
    print("| gold set | jpo-bot context | vanilla RAG (1000/200, MiniLM, top 6) |")
    print("|---|---|---|")
    for gold in args.gold:
        row = recall(load_gold(gold), services, vanilla)
        cells = [f"{h / n:.3f} ({h}/{n})" for h, n in row.values()]
        print(f"| {gold.stem} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
