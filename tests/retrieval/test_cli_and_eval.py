"""The `jpo-bot` commands, and the gold questions through `jpo-bot eval`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.evaluation import GoldFormatError, evaluate, load_gold
from retrieval.models import Answer
from tests.conftest import DEV_GOLD, EXTRA_GOLD, FR_ES_GOLD


def run_cli(services, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JPO_DATA_DIR": str(services.settings.data_dir),
           "JPO_CORPUS_DIR": str(services.settings.corpus_dir), "TELEGRAM_BOT_TOKEN": "",
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.skipif(not DEV_GOLD.exists(), reason="shared dev gold set not present")
def test_dev_gold_through_cli(indexed_services) -> None:
    proc = run_cli(indexed_services, "eval", "--gold", str(DEV_GOLD), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert {"items", "passed", "accuracy", "posting_recall", "by_category", "latency_ms",
            "failures"} <= result.keys()
    assert result["items"] == 46
    assert result["accuracy"] >= 0.95, result["failures"]
    assert result["posting_recall"] >= 0.95
    assert set(result["latency_ms"]) == {"p50", "p95"}


def test_extra_gold_in_process(indexed_services) -> None:
    result = evaluate(load_gold(EXTRA_GOLD), indexed_services.answers.answer)
    assert result["accuracy"] >= 0.95, result["failures"]
    assert result["posting_recall"] >= 0.95


def test_french_and_spanish_gold(indexed_services) -> None:
    result = evaluate(load_gold(FR_ES_GOLD), indexed_services.answers.answer)
    assert result["accuracy"] >= 0.95, result["failures"]
    assert result["posting_recall"] >= 0.95


def test_no_hallucinated_figures_pass(indexed_services) -> None:
    """Unanswerable items only pass when the answer says the postings do not state it."""
    items = [i for i in load_gold(EXTRA_GOLD) if not i.answerable]
    result = evaluate(items, indexed_services.answers.answer)
    assert result["passed"] == len(items), result["failures"]


def test_scoring_rules() -> None:
    from retrieval.evaluation import GoldItem, score_item

    item = GoldItem(id="x", question="q", must_include=["Lisa  Tortell"],
                    must_not_include=["John"], answerable=True)
    assert score_item(item, Answer(text="lisa tortell")) ["passed"]
    assert not score_item(item, Answer(text="Lisa Tortell, not John"))["passed"]
    unanswerable = GoldItem(id="y", question="q", answerable=False)
    assert not score_item(unanswerable, Answer(text="CHF 5000", found=True))["passed"]
    assert score_item(unanswerable, Answer(text="not stated", found=False))["passed"]


def test_multi_turn_items_share_a_conversation() -> None:
    from retrieval.evaluation import GoldItem

    seen: list[tuple[str, str]] = []

    def fake_ask(q: str, conv: str) -> Answer:
        seen.append((q, conv))
        return Answer(text="ok")

    evaluate([GoldItem(id="a", question=["one", "two"]), GoldItem(id="b", question="three")],
             fake_ask)
    assert seen[0][1] == seen[1][1] != seen[2][1]


@pytest.mark.parametrize("content,message", [
    ('{"id": "a", "question": "q"}\nnot json\n', ":2: not valid JSON"),
    ('{"id": "a"}\n', ":1: question"),
    ("", "no items"),
])
def test_malformed_gold_names_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(content)
    with pytest.raises(GoldFormatError, match=message):
        load_gold(path)


def test_cli_malformed_gold_exits_nonzero(indexed_services, tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text("{oops\n")
    proc = run_cli(indexed_services, "eval", "--gold", str(path), "--json")
    assert proc.returncode == 2 and "gold.jsonl:1" in proc.stderr


def test_cli_ask_json(indexed_services) -> None:
    proc = run_cli(indexed_services, "ask", "What grade is the due diligence JPO post?", "--json")
    assert proc.returncode == 0, proc.stderr
    answer = Answer.model_validate_json(proc.stdout)
    assert "P2" in answer.text and answer.citations[0].posting_id == "004_3c479a0523126fec"


def test_cli_index_reports_counts(indexed_services) -> None:
    proc = run_cli(indexed_services, "index")
    assert proc.returncode == 0, proc.stderr
    assert "Index unchanged: 5 postings" in proc.stdout and "0 chunks embedded" in proc.stdout


def test_cli_chat_follow_up(indexed_services) -> None:
    proc = run_cli(indexed_services, "chat",
                   stdin="What is the vulnerable work JPO about?\n"
                         "And what languages does it require?\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert "English or French" in proc.stdout
    assert "Sources:" in proc.stdout


def test_cli_start_without_token_opens_chat(indexed_services) -> None:
    proc = run_cli(indexed_services, "start", stdin="/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert "starting the terminal chat" in proc.stderr
