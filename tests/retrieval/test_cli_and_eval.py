"""The `jpo-bot` commands, and the gold questions through `jpo-bot eval`."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.evaluation import GoldFormatError, evaluate, load_gold
from retrieval.models import Answer
from tests.conftest import (
    CORPUS,
    DATA,
    DE_GOLD,
    DEV_GOLD,
    EXTRA_GOLD,
    FR_ES_GOLD,
    MULTI_GOLD,
    NATURAL_GOLD,
    SHARED_EVAL,
    UNSEEN_GOLD,
    UNSEEN_POSTINGS,
)


def run_cli(services, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JPO_DATA_DIR": str(services.settings.data_dir),
           "JPO_CORPUS_DIR": str(services.settings.corpus_dir), "TELEGRAM_BOT_TOKEN": "",
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)


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


def test_german_gold(indexed_services) -> None:
    """57 German questions written from the postings by a helper who never saw the code
    (issue 15); 10 passed before German was understood, 57 since."""
    result = evaluate(load_gold(DE_GOLD), indexed_services.answers.answer)
    assert result["accuracy"] >= 0.95, result["failures"]
    assert result["passed"] >= 57, result["failures"]
    assert result["posting_recall"] >= 0.95


# Floors, not targets: what the extractive answerer scores on the harder sets (when copied
# in: natural 12/24, multi 12/17, unseen 13/20; our own natural set 76/111 and profiles 40/68
# before the understanding work). A change that loses answers fails here; raise a floor when
# the answers improve.
# The *_fresh sets were written by helpers from the postings alone at the start of the work of
# 2026-12-07 (before it: natural_fresh 60/70, profiles_fresh 39/50), *_holdout halfway through
# it (61/80 at first sight). The *_blind sets were written by helpers from the postings alone
# at the start of the next session (first sight: natural_blind 59/65, profiles_blind 41/45),
# natural_blind2 at the start of the one after (45/50 at first sight), natural_blind3 later
# in it (37/40 at first sight), natural_blind4 in the session after that (39/40 at first sight),
# profiles_blind2, natural_blind5 and profiles_blind3 in the one after that (29/45, 40/40 and
# 21/30 at first sight), natural_blind6, profiles_blind4 and profiles_blind5 in the session
# after that (37/40, 29/40 and, after its first changes, 20/30 at first sight), natural_blind7,
# profiles_blind6 and profiles_blind7 in the session after that (38/40, 29/40 and, after its
# first changes, 22/30 at first sight).
@pytest.mark.parametrize("gold,floor", [
    (NATURAL_GOLD, 24), (MULTI_GOLD, 17),
    (DATA / "gold_natural.jsonl", 108), (DATA / "gold_profiles.jsonl", 64),
    (DATA / "gold_natural_fresh.jsonl", 66), (DATA / "gold_profiles_fresh.jsonl", 48),
    (DATA / "gold_natural_holdout.jsonl", 75),
    (DATA / "gold_natural_blind.jsonl", 61), (DATA / "gold_profiles_blind.jsonl", 45),
    (DATA / "gold_natural_blind2.jsonl", 49), (DATA / "gold_natural_blind3.jsonl", 39),
    (DATA / "gold_natural_blind4.jsonl", 40), (DATA / "gold_profiles_blind2.jsonl", 44),
    (DATA / "gold_natural_blind5.jsonl", 40), (DATA / "gold_profiles_blind3.jsonl", 29),
    (DATA / "gold_natural_blind6.jsonl", 40), (DATA / "gold_profiles_blind4.jsonl", 38),
    (DATA / "gold_profiles_blind5.jsonl", 27), (DATA / "gold_natural_blind7.jsonl", 40),
    (DATA / "gold_profiles_blind6.jsonl", 39), (DATA / "gold_profiles_blind7.jsonl", 29),
], ids=["natural", "multi", "own-natural", "own-profiles", "natural-fresh", "profiles-fresh",
        "natural-holdout", "natural-blind", "profiles-blind", "natural-blind2", "natural-blind3",
        "natural-blind4", "profiles-blind2", "natural-blind5", "profiles-blind3",
        "natural-blind6", "profiles-blind4", "profiles-blind5", "natural-blind7",
        "profiles-blind6", "profiles-blind7"])
def test_harder_gold_sets_keep_their_score(indexed_services, gold: Path, floor: int) -> None:
    result = evaluate(load_gold(gold), indexed_services.answers.answer)
    assert result["passed"] >= floor, result["failures"]


def test_unseen_postings_gold(tmp_path: Path, shared_embeddings) -> None:
    """dev_unseen.jsonl asks about two postings in other agencies' layouts, indexed with the
    corpus."""
    from retrieval.services import build_services
    from retrieval.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for posting in UNSEEN_POSTINGS.iterdir():
        shutil.copy(posting, corpus / posting.name)
    services = build_services(Settings(data_dir=tmp_path / "data", corpus_dir=corpus),
                              embeddings=shared_embeddings)
    try:
        result = evaluate(load_gold(UNSEEN_GOLD), services.answers.answer)
    finally:
        asyncio.run(services.aclose())
    assert result["items"] == 20
    # all 20 since the supervisor's grade line joins their role (u-unhcr-01)
    assert result["passed"] >= 20, result["failures"]
    assert result["posting_recall"] >= 0.95


def test_other_agencies_gold(tmp_path: Path, shared_embeddings) -> None:
    """Forty-six postings in one index: the five ILO ones, the two of dev_unseen, six more
    agencies' (tests/data/agencies) and thirty-three written later by helpers from postings alone
    (tests/data/agencies_fresh: UNDP form, UNICEF prose ad, IOM table, WHO PDF-like text —
    30 of their 44 questions passed before the work of 2026-12-07; agencies_holdout: UNFPA,
    UN-Habitat, OCHA, written after it — 24 of 33 at first sight; agencies_blind: UNIDO,
    UNRWA, ITU, written at the start of the next session — 26 of 36 at first sight;
    agencies_blind2: IAEA form with dotted leaders, UN Women page with conversational
    headings, at the start of the one after — 26 of 36 at first sight; agencies_blind3: a WMO
    posting in French, an ESCAP form flattened from a PDF, a UNOPS job card — 23 of 36 at
    first sight; agencies_blind4: an IFAD careers page, a UNODC posting in Spanish, an ICAO
    HR export, in the session after that — 28 of 36 at first sight; agencies_blind5: a WHO
    notice, a UNESCO posting in French, a UN-Habitat terms of reference, in the one after that
    — 26 of 36 at first sight, over 34 postings; agencies_blind6: a UNAIDS job-description
    form, a CEPAL posting in Spanish, an ECA notice, in the session after that — 28 of 36 at
    first sight, over 37 postings; agencies_blind7: a UNHCR position description, a WFP terms of
    reference in French, a UPU vacancy notice, later in it — 24 of 30 at first sight, over 40;
    agencies_blind8: an IMO notice, a WIPO page with an Essential/Desirable table, an UNCTAD
    posting in Spanish, in the session after that — 24 of 30 at first sight, over 43;
    agencies_blind9: a UNFCCC careers page, an OHCHR PDF-like form, an ILO posting in French,
    later in it — 18 of 30 at first sight, over 46).
    Since agencies_blind5, "the WHO digital health JPO" and "the UN-Habitat JPO" name two
    postings each: af-033 asks one of them and gets both."""
    from retrieval.services import build_services
    from retrieval.settings import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    for folder in (UNSEEN_POSTINGS, DATA / "agencies", DATA / "agencies_fresh",
                   DATA / "agencies_holdout", DATA / "agencies_blind", DATA / "agencies_blind2",
                   DATA / "agencies_blind3", DATA / "agencies_blind4", DATA / "agencies_blind5",
                   DATA / "agencies_blind6", DATA / "agencies_blind7", DATA / "agencies_blind8",
                   DATA / "agencies_blind9"):
        for posting in folder.iterdir():
            if posting.suffix != ".py":
                shutil.copy(posting, corpus / posting.name)
    services = build_services(Settings(data_dir=tmp_path / "data", corpus_dir=corpus),
                              embeddings=shared_embeddings)
    try:
        scores = {name: evaluate(load_gold(DATA / f"{name}.jsonl"), services.answers.answer)
                  for name in ("dev_unseen", "gold_agencies", "gold_agencies_fresh",
                               "gold_agencies_holdout", "gold_agencies_blind",
                               "gold_agencies_blind2", "gold_agencies_blind3",
                               "gold_agencies_blind4", "gold_agencies_blind5",
                               "gold_agencies_blind6", "gold_agencies_blind7",
                               "gold_agencies_blind8", "gold_agencies_blind9")}
    finally:
        asyncio.run(services.aclose())
    # (gold_agencies 58: since agencies_blind9, "the OHCHR Associate Human Rights Officer JPO"
    # names two postings, one in Geneva and one in Bangkok; ga-052 and ga-053 get both)
    floors = {"dev_unseen": 20, "gold_agencies": 58, "gold_agencies_fresh": 43,
              "gold_agencies_holdout": 31, "gold_agencies_blind": 34, "gold_agencies_blind2": 36,
              "gold_agencies_blind3": 35, "gold_agencies_blind4": 35, "gold_agencies_blind5": 34,
              "gold_agencies_blind6": 36, "gold_agencies_blind7": 29, "gold_agencies_blind8": 27,
              "gold_agencies_blind9": 24}
    for name, result in scores.items():
        assert result["passed"] >= floors[name], (name, result["failures"])
        assert result["posting_recall"] >= 0.95, name


GOLD_COPIES = {"dev.jsonl": "dev.jsonl", "dev_natural.jsonl": "dev_natural.jsonl",
               "dev_multi.jsonl": "dev_multi.jsonl", "dev_unseen.jsonl": "dev_unseen.jsonl",
               "unseen_postings/unep_kingston.md": "postings/unep_kingston.md",
               "unseen_postings/unhcr_tor.txt": "postings/unhcr_tor.txt",
               "gold_format.md": "README.md"}


@pytest.mark.skipif(not SHARED_EVAL.is_dir(), reason="optional: no ../shared/eval beside this "
                    "clone to compare the tests/data copies with")
def test_gold_copies_match_shared() -> None:
    """The copies in tests/data are still the gold sets of ../shared/eval, byte for byte."""
    changed = [copy for copy, original in GOLD_COPIES.items()
               if (DATA / copy).read_bytes() != (SHARED_EVAL / original).read_bytes()]
    assert not changed, f"differ from ../shared/eval: {changed}"


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
