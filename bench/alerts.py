"""Alerts benchmark: N subscribers, new fitting postings, every alert through a Bot API server.

The real `AlertService` (matching, the outbox in the state database, the rate-limited sender)
and the real aiogram `Bot` talk over HTTP to the end-to-end tests' local Bot API server, which
timestamps every request. N users with the same fitting profile subscribe; then `--postings`
new postings that fit them appear (as after an upload: `postings_changed`), and the run ends
when the outbox is drained. Measured: time to match and queue, time to deliver, messages per
second, the most messages in any one-second window (overall, and to one chat), the shortest
gap between two messages to one chat, duplicates
(the same chat getting the same posting twice) and rows left undelivered.

    .venv/bin/python -m bench.alerts --subscribers 2000 [--postings 2] [--replicas 2
        --state-db-url postgresql://…]

With `--replicas 2` two services (each its own store connections and sender) share the
database, as two bot replicas do: each gets half of `--rate` (Telegram's limit is per bot).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bot.alerts import AlertService
from bot.app import create_bot
from bot.i18n import create_i18n
from retrieval.alert_matching import AlertMatcher
from retrieval.eligibility import EligibilityChecker
from retrieval.models import Posting
from retrieval.parsing import PostingParser
from retrieval.settings import Settings
from state.alerts import AlertStore, Subscription
from state.profiles import ProfileStore

# The Bot API server of the end-to-end tests, and the postings admins upload there.
from tests.support.fake_bot_api import TOKEN, FakeBotAPI, Request
from tests.support.fakes import FakeCatalog
from tests.support.posting_files import SOCIAL_PROTECTION, markdown_posting

ROOT = Path(__file__).resolve().parent.parent
PROFILE_TEXT = ("I have a master's degree in economics, 3 years of experience in social "
                "security, and speak fluent Spanish and English.")
FIRST_USER = 1_000_000


def new_postings(count: int) -> list[Posting]:
    """`count` variants of an upload that fits the profile (other post numbers and units)."""
    parser = PostingParser()
    postings = []
    for i in range(count):
        spec = {**SOCIAL_PROTECTION, "post_number": str(5150 + i),
                "title": f"{SOCIAL_PROTECTION['title']} {i + 1}"}
        postings.append(parser.parse(markdown_posting(spec).decode(), posting_id=f"new-{i}"))
    return postings


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any `window` seconds (a sliding window over sorted times)."""
    best = 0
    for i, start in enumerate(times):
        best = max(best, bisect.bisect_left(times, start + window, lo=i) - i)
    return best


def min_gap(times_by_chat: dict[int, list[float]]) -> float:
    """The shortest time between two messages to one chat (0 when no chat got two)."""
    gaps = [b - a for times in times_by_chat.values()
            for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
    return min(gaps, default=0.0)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="jpo-bench-alerts-"))
    api = FakeBotAPI()
    base = await api.start()
    target: Path | str = args.state_db_url or work / "state.sqlite3"
    settings = Settings(_env_file=None, data_dir=work, telegram_bot_token=TOKEN,
                        telegram_api_base=base, alerts_rate_per_second=args.rate / args.replicas,
                        alerts_poll_seconds=0.5)
    corpus = [PostingParser().parse(p.read_text(), posting_id=p.stem)
              for p in sorted((ROOT / "corpus").glob("*.txt"))]
    catalog = FakeCatalog(list(corpus))
    i18n = create_i18n(work)
    replicas = []
    for _ in range(args.replicas):
        store, profiles = AlertStore(target), ProfileStore(target)
        service = AlertService(settings, store, profiles, catalog,
                               AlertMatcher(EligibilityChecker(catalog)), i18n)
        replicas.append((service, create_bot(settings)))
    service = replicas[0][0]
    profile = service.matcher.checker.parse_profile(PROFILE_TEXT)
    users = range(FIRST_USER, FIRST_USER + args.subscribers)
    for user in users:
        await service.profiles.save(user, profile)
        await service.store.save(Subscription(user_id=user, chat_id=user))
    await service.catch_up()  # the corpus is the baseline: nobody is alerted about it

    added = new_postings(args.postings)
    catalog._postings.extend(added)
    departures: list[tuple[int, float]] = []
    for replica, bot in replicas:
        replica.sender.departures = departures
        replica.sender.start(bot)
    started = time.monotonic()
    queued = await service.postings_changed({p.id: p.content_hash for p in added})
    matched = time.monotonic()
    expected = args.subscribers * args.postings
    while (await service.store.counts()).get("sent", 0) < expected:
        await asyncio.sleep(0.2)
        if time.monotonic() - started > args.timeout:
            break
    finished = time.monotonic()
    counts = await service.store.counts()
    for replica, bot in replicas:
        await replica.stop()
        await replica.store.close()
        await replica.profiles.close()
        await bot.session.close()
    await api.stop()

    sends: list[Request] = [r for r in api.calls("sendMessage") if int(r["chat_id"]) >= FIRST_USER]
    times = sorted(r.at for r in sends)
    per_chat: dict[int, list[float]] = defaultdict(list)
    for r in sends:
        per_chat[int(r["chat_id"])].append(r.at)
    titles = Counter((int(r["chat_id"]), next(p.id for p in added if p.title in r["text"]))
                     for r in sends)
    span = (times[-1] - times[0]) if len(times) > 1 else 0.0
    left_at = sorted(t for _, t in departures)
    left_by_chat: dict[int, list[float]] = defaultdict(list)
    for chat, at in departures:
        left_by_chat[chat].append(at)
    return {
        "subscribers": args.subscribers, "new_postings": args.postings,
        "replicas": args.replicas, "backend": "postgresql" if args.state_db_url else "sqlite",
        "queued": queued, "delivered": len(sends), "outbox": counts,
        "match_and_queue_s": round(matched - started, 2),
        "total_s": round(finished - started, 2),
        "first_to_last_send_s": round(span, 2),
        "messages_per_s": round((len(sends) - 1) / span, 1) if span else None,
        "max_in_any_second": max_in_window(times),
        "max_per_chat_in_any_second": max((max_in_window(sorted(t)) for t in
                                           per_chat.values()), default=0),
        # the shortest time between two messages arriving in one chat (Telegram asks for ~1 s)
        "min_gap_per_chat_s": round(min_gap(per_chat), 3),
        # the same two, as the requests left the sender (what its limits govern)
        "departures_max_in_any_second": max_in_window(left_at),
        "departures_min_gap_per_chat_s": round(min_gap(left_by_chat), 3),
        "duplicates": sum(n - 1 for n in titles.values() if n > 1),
        "undelivered": expected - len(titles),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--postings", type=int, default=1)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--rate", type=float, default=30.0, help="messages/s for the bot")
    parser.add_argument("--state-db-url", default="", help="PostgreSQL instead of SQLite")
    parser.add_argument("--timeout", type=float, default=900.0)
    result = asyncio.run(run(parser.parse_args()))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
