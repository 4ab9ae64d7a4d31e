"""`jpo-bot`: index, ask, chat, eval, run (Telegram) and start (whichever fits)."""

from __future__ import annotations

import json
import logging
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from retrieval.models import Answer
    from retrieval.services import Services
    from retrieval.settings import Settings

# Model weights ship inside site-packages: never let a library reach for a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Answers questions about ILO JPO vacancy postings.")
console = Console(stderr=True)
PROVIDERS = "none|openai|ollama|fake"
out = Console()


def _settings(provider: str | None = None) -> Settings:
    from retrieval.settings import Settings

    settings = Settings()
    if provider:
        settings = settings.model_copy(update={"llm_provider": provider})
    return settings


def _services(provider: str | None = None, *, warm: bool = False) -> Services:
    from retrieval.services import build_services
    from retrieval.store import IndexMismatchError, IndexUnavailableError

    logging.basicConfig(level=logging.WARNING)
    try:
        services = build_services(_settings(provider))
        services.store.snapshot()  # an index built by another embedding model is refused here
        if warm:
            services.warm_up()
    except (IndexMismatchError, IndexUnavailableError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    return services


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        out.print_json(answer.model_dump_json())
        return
    out.print(escape(answer.text))
    if answer.citations:
        out.print("[dim]Sources:[/dim]")
        seen: set[str] = set()
        for c in answer.citations:
            if c.label not in seen:
                seen.add(c.label)
                out.print(f"[dim]  • {escape(c.label)}[/dim]")
    if answer.note:
        out.print(f"[yellow]{escape(answer.note)}[/yellow]")


@app.command()
def index(rebuild: Annotated[bool, typer.Option(help="Re-embed everything.")] = False) -> None:
    """Build or refresh the index from the corpus folder."""
    from retrieval.indexer import IndexBuildError, Indexer
    from retrieval.store import IndexStore, IndexUnavailableError

    logging.basicConfig(level=logging.WARNING)
    settings = _settings()
    indexer = Indexer(settings, IndexStore(settings))
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("Indexing…")
        try:
            report = indexer.reindex(lambda m: progress.update(task, description=m),
                                     rebuild=rebuild)
        except (IndexBuildError, IndexUnavailableError) as exc:
            console.print(f"[red]Index not changed: {escape(str(exc))}[/red]")
            raise typer.Exit(1) from exc
    for message in report.skipped:
        console.print(f"[yellow]skipped {escape(message)}[/yellow]")
    state = "unchanged" if report.unchanged else "built"
    out.print(f"Index {state}: {report.postings} postings, {report.chunks} chunks, "
              f"{report.seconds:.2f} s ({report.embedded} chunks embedded, {report.reused} reused)")
    for label, ids in (("added", report.added), ("updated", report.updated),
                       ("removed", report.removed)):
        if ids:
            out.print(f"  {label}: {', '.join(ids)}")
    # What the parser recognised, so a bad parse is seen before anyone asks about it.
    for posting_id, organisation in sorted(report.organisations.items()):
        missing = report.missing_fields.get(posting_id, [])
        fields = f"missing: {', '.join(missing)}" if missing else "all key fields found"
        out.print(f"  {escape(posting_id)} [{escape(organisation or 'organisation?')}]: "
                  f"{escape(fields)}")


@app.command()
def ask(question: str,
        as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
        provider: Annotated[str | None, typer.Option(help=PROVIDERS)] = None) -> None:
    """Answer one question."""
    services = _services(provider)
    _print_answer(services.answers.answer(question, "cli"), as_json)


@app.command()
def chat(provider: Annotated[str | None, typer.Option(help=PROVIDERS)] = None) -> None:
    """A terminal conversation (follow-ups work; /reset, /quit)."""
    services = _services(provider, warm=True)
    conversation = f"chat-{uuid.uuid4().hex[:8]}"
    n = len(services.catalog)
    console.print(f"[bold]JPO assistant[/bold] — {n} postings. Ask a question; "
                  "/reset to start over, /quit to leave.")
    while True:
        try:
            question = console.input("[bold cyan]you>[/bold cyan] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        if not question:
            continue
        if question in {"/quit", "/exit", "quit", "exit"}:
            break
        if question == "/reset":
            services.answers.reset(conversation)
            console.print("[dim]Conversation cleared.[/dim]")
            continue
        _print_answer(services.answers.answer(question, conversation), as_json=False)


@app.command(name="eval")
def evaluate_cmd(
    gold: Annotated[Path, typer.Option(help="Gold questions (JSON Lines).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    provider: Annotated[str | None, typer.Option(help=PROVIDERS)] = None,
) -> None:
    """Score answers on a gold file (format: tests/data/gold_format.md)."""
    from retrieval.evaluation import GoldFormatError, evaluate, load_gold

    try:
        items = load_gold(gold)
    except GoldFormatError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    services = _services(provider, warm=True)
    result = evaluate(items, services.answers.answer,
                      lambda q, cid: services.llm_context(q, cid).text)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    out.print(f"accuracy {result['accuracy']:.3f} ({result['passed']}/{result['items']}), "
              f"posting_recall {result['posting_recall']:.3f}, "
              f"context_recall {result['context_recall']:.3f}, "
              f"p50 {result['latency_ms']['p50']} ms, p95 {result['latency_ms']['p95']} ms")
    for cat, row in sorted(result["by_category"].items()):
        out.print(f"  {cat:<22} {row['passed']}/{row['items']}")
    for failure in result["failures"]:
        out.print(f"[red]✗ {failure['id']}[/red] missing {failure['missing']} "
                  f"forbidden {failure['forbidden']}")


@app.command()
def run() -> None:
    """Start the Telegram bot (long polling, or a webhook when configured)."""
    settings = _settings()
    if not settings.telegram_bot_token.get_secret_value():
        console.print("[red]TELEGRAM_BOT_TOKEN is not set.[/red] See README: create a bot with "
                      "@BotFather and put the token in .env.")
        raise typer.Exit(2)
    from bot.app import main as bot_main

    bot_main(settings)


@app.command()
def start() -> None:
    """What `make run` does: the Telegram bot when a token is set, else the terminal chat."""
    settings = _settings()
    if settings.telegram_bot_token.get_secret_value():
        console.print("TELEGRAM_BOT_TOKEN is set: starting the Telegram bot (Ctrl+C to stop).")
        run()
    else:
        console.print("No TELEGRAM_BOT_TOKEN configured: starting the terminal chat instead "
                      "(set it in .env to run the Telegram bot).")
        chat(provider=None)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
