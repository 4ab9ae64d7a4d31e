"""Load benchmark: N simulated Telegram users against the real bot, over real HTTP.

The bot runs as it does in production — `python -m bot.cli run` in a process of its own,
extractive answers over the real `corpus/` — and talks to a local Bot API server started here
(the end-to-end tests' `FakeBotAPI`, which also checks every reply's HTML and length). Each
simulated user is a private chat that asks its questions one after another: it writes, waits
for the bot's answer, and asks the next (a closed loop, no think time unless `--think`), so
N users keep at most N questions in flight.

- polling: the users' messages are queued in the fake server; the bot fetches them with
  `getUpdates` long polling, as against api.telegram.org.
- webhook: the bot registers a webhook and the users' updates are POSTed to its aiohttp server
  with the secret-token header, as Telegram does; `--replicas 2` starts several bot processes
  (sharing a Redis when `--redis-url` is given) and spreads the updates over them round-robin,
  as a load balancer would.

Latency is from the moment an update is available to the bot (queued for `getUpdates`, or the
webhook POST sent) to the bot's `sendMessage` with the answer arriving at the Bot API server.
An error is a question with no answer within `--timeout`, an answer that is the bot's "something
went wrong" message, or a reply the Bot API server rejected (invalid HTML, too long).

Throttling is switched off in the bot for the run (`JPO_THROTTLE_SECONDS=0`): the simulated
users ask faster than people do, and a throttled question would measure the throttle.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.load --users 10 100 500 --modes polling webhook
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

# The Bot API server of the end-to-end tests is the peer here too.
from tests.support.fake_bot_api import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).parent / "results"

WEBHOOK_SECRET = "bench-webhook-secret"
WEBHOOK_PATH = "/telegram"
ERROR_REPLY = "Something went wrong"

# A mix of what candidates ask: one posting's facts, questions across the corpus, topics,
# eligibility with the profile in the question, and what the postings do not say.
QUESTIONS = [
    "Who supervises the JPO in Standards Policy and Development?",
    "Where is the creative sectors and digital economy JPO based?",
    "What languages are required for the vulnerable work JPO?",
    "Which postings require a law degree?",
    "How long is the AI post?",
    "What are the main duties of the due diligence JPO?",
    "Which postings accept French?",
    "What grade is the multinational enterprises post?",
    "What is the salary of the domestic workers post?",
    "I have a master's in law, 3 years of experience and fluent English. Which postings fit me?",
    "What training does the JPO receive?",
    "Which postings mention UNESCO?",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoadBotAPI(FakeBotAPI):
    """The fake Bot API, plus a future per chat resolved by the bot's next sendMessage, so
    thousands of waiting users cost no scanning of the request log."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, asyncio.Future[tuple[float, str]]] = {}
        self.rejected = 0
        self.webhooks: list[str] = []

    async def _handle(self, request: Any) -> Any:
        response = await super()._handle(request)
        if response.status >= 400 and request.match_info.get("method") in {
                "sendMessage", "editMessageText"}:
            self.rejected += 1
        return response

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        message = await super()._m_sendmessage(params)
        future = self.waiting.pop(int(params["chat_id"]), None)
        if future is not None and not future.done():
            future.set_result((time.perf_counter(), str(params.get("text", ""))))
        return message

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhooks.append(str(params.get("url", "")))
        return True



@dataclass
class BotProcess:
    proc: subprocess.Popen[bytes]
    web_url: str
    log: Path


@dataclass
class RunResult:
    mode: str
    users: int
    replicas: int
    questions: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)  # question -> one answer, to read

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0

        return {
            "mode": self.mode, "users": self.users, "replicas": self.replicas,
            "questions": self.questions, "answered": len(self.latencies),
            "errors": self.errors, "error_kinds": self.error_kinds,
            "seconds": round(self.seconds, 2),
            "answers_per_s": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(pct(0.50), 1), "p95_ms": round(pct(0.95), 1),
            "max_ms": round(max(ordered) * 1000, 1) if ordered else 0,
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0,
            "samples": self.samples,
        }


def bot_env(data_dir: Path, corpus: Path, api_base: str, web_port: int, *,
            webhook: bool, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JPO_")}
    env.update({
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
        "JPO_DATA_DIR": str(data_dir), "JPO_CORPUS_DIR": str(corpus),
        "JPO_TELEGRAM_BOT_TOKEN": TOKEN, "JPO_TELEGRAM_API_BASE": api_base,
        "JPO_WEB_HOST": "127.0.0.1", "JPO_WEB_PORT": str(web_port),
        "JPO_THROTTLE_SECONDS": "0", "JPO_LLM_PROVIDER": "none", "JPO_LOG_LEVEL": "WARNING",
        "JPO_REDIS_URL": redis_url,
        # Webhook mode is on when a public URL is set; the users' updates go straight to the
        # bot's own server (the URL is only what the bot registers with the fake Bot API).
        "JPO_WEBHOOK_URL": "https://bot.bench.invalid" if webhook else "",
        "JPO_WEBHOOK_SECRET": WEBHOOK_SECRET if webhook else "",
    })
    return env


def build_index(data_dir: Path, corpus: Path) -> None:
    env = bot_env(data_dir, corpus, "http://127.0.0.1:9", free_port(), webhook=False,
                  redis_url="")
    # The working folder as cwd: a developer's .env in the repository must not apply.
    subprocess.run([sys.executable, "-m", "bot.cli", "index"], cwd=data_dir.parent, env=env,
                   check=True, stdout=subprocess.DEVNULL)


async def start_bot(api: LoadBotAPI, data_dir: Path, corpus: Path, work: Path, index: int, *,
                    webhook: bool, redis_url: str) -> BotProcess:
    port = free_port()
    log = work / f"bot-{'webhook' if webhook else 'polling'}-{index}.log"
    env = bot_env(data_dir, corpus, api.base_url, port, webhook=webhook, redis_url=redis_url)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=work, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    return BotProcess(proc, f"http://127.0.0.1:{port}", log)


async def wait_ready(api: LoadBotAPI, bots: list[BotProcess], *, webhook: bool,
                     timeout: float = 180.0) -> None:
    """Polling: the bot's first getUpdates. Webhook: every replica has registered its webhook
    (it does so once its server listens)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for bot in bots:
            if bot.proc.poll() is not None:
                raise RuntimeError(f"the bot exited ({bot.proc.returncode}); see {bot.log}")
        if webhook and len(api.webhooks) >= len(bots):
            return
        if not webhook and any(r.method == "getUpdates" for r in api.requests):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError("the bot did not start in time")


async def stop_bot(bot: BotProcess) -> None:
    if bot.proc.poll() is None:
        bot.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(bot.proc.wait, 30)
        except subprocess.TimeoutExpired:
            bot.proc.kill()
            await asyncio.to_thread(bot.proc.wait)


async def run_load(api: LoadBotAPI, bots: list[BotProcess], *, mode: str, users: int,
                   per_user: int, think: float, timeout: float) -> RunResult:
    webhook = mode == "webhook"
    result = RunResult(mode, users, len(bots), users * per_user, 0.0)
    targets = itertools.cycle([bot.web_url + WEBHOOK_PATH for bot in bots])
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def deliver(message: dict[str, Any]) -> None:
            if not webhook:
                await api.push("message", message)
                return
            update = api.update("message", message)
            async with http.post(next(targets), json=update, headers=headers) as response:
                if response.status != 200:
                    raise RuntimeError(f"webhook answered {response.status}")

        async def user(number: int) -> None:
            user_id = 100_000 + number
            for turn in range(per_user):
                text = QUESTIONS[(number + turn) % len(QUESTIONS)]
                loop = asyncio.get_running_loop()
                future: asyncio.Future[tuple[float, str]] = loop.create_future()
                api.waiting[user_id] = future
                sent = time.perf_counter()
                try:
                    await deliver(api.text_message(text, user_id=user_id))
                    answered_at, reply = await asyncio.wait_for(future, timeout)
                except TimeoutError:
                    result.error("timeout")
                    api.waiting.pop(user_id, None)
                    continue
                except (aiohttp.ClientError, RuntimeError) as exc:
                    result.error(type(exc).__name__)
                    api.waiting.pop(user_id, None)
                    continue
                if ERROR_REPLY in reply:
                    result.error("error reply")
                else:
                    result.latencies.append(answered_at - sent)
                    result.samples.setdefault(text, reply)
                if think:
                    await asyncio.sleep(think)

        rejected_before = api.rejected
        started = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(users)))
        result.seconds = time.perf_counter() - started
        for _ in range(api.rejected - rejected_before):
            result.error("rejected by the Bot API")
    return result


async def bench_mode(mode: str, user_counts: list[int], args: argparse.Namespace,
                     data_dir: Path, corpus: Path, work: Path) -> list[dict[str, Any]]:
    webhook = mode == "webhook"
    replicas = args.replicas if webhook else 1  # one getUpdates consumer per bot token
    api = LoadBotAPI()
    await api.start()
    bots = [await start_bot(api, data_dir, corpus, work, i, webhook=webhook,
                            redis_url=args.redis_url) for i in range(replicas)]
    rows = []
    try:
        await wait_ready(api, bots, webhook=webhook)
        # Warm-up: the first answers build per-process caches; not part of any measurement.
        await run_load(api, bots, mode=mode, users=len(QUESTIONS) * replicas, per_user=1,
                       think=0, timeout=args.timeout)
        for users in user_counts:
            result = await run_load(api, bots, mode=mode, users=users, per_user=args.questions,
                                    think=args.think, timeout=args.timeout)
            row = result.summary()
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "samples"}), flush=True)
    finally:
        for bot in bots:
            await stop_bot(bot)
        await api.stop()
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| mode | replicas | users | questions | answers/s | p50 ms | p95 ms | max ms | "
             "errors |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['mode']} | {r['replicas']} | {r['users']} | {r['questions']} | "
                     f"{r['answers_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | "
                     f"{r['errors']} |")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    work = Path(args.work or tempfile.mkdtemp(prefix="jpo-load-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    if not corpus.exists():
        shutil.copytree(ROOT / "corpus", corpus)
    data_dir = work / "data"
    build_index(data_dir, corpus)
    rows: list[dict[str, Any]] = []
    try:
        for mode in args.modes:
            rows += await bench_mode(mode, args.users, args, data_dir, corpus, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--modes", nargs="+", choices=["polling", "webhook"],
                        default=["polling", "webhook"])
    parser.add_argument("--questions", type=int, default=10, help="questions per user")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a user waits after an answer before the next question")
    parser.add_argument("--replicas", type=int, default=1, help="bot processes (webhook mode)")
    parser.add_argument("--redis-url", default="",
                        help="Redis for FSM, throttling and conversations (shared by replicas)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds a user waits for an answer before counting an error")
    parser.add_argument("--work", help="working folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    print()
    print(markdown_table(rows))
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"load-{stamp}.json"
    with contextlib.suppress(OSError):
        out.write_text(json.dumps({"args": vars(args), "rows": rows,
                                   "cpus": os.cpu_count()}, indent=2))
        print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
