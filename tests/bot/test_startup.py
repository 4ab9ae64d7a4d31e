"""Start-up and shutdown against a real (fake) Bot API server over HTTP: side calls that fail
never stop the bot (bot/startup.py), and `jpo-bot run` stops cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiogram.utils.backoff import BackoffConfig
from pydantic import SecretStr

from bot.app import create_bot, create_dispatcher, run_polling
from bot.startup import StartupCalls
from tests.servers import free_port
from tests.support.fake_bot_api import TOKEN, FakeBotAPI

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Who supervises the JPO in Standards Policy and Development?"
ANSWER = "Lisa Tortell"
# Short delays so the tests wait little; attempts enough to see retries in the log.
FAST_BACKOFF = BackoffConfig(min_delay=0.05, max_delay=0.2, factor=2, jitter=0)


def bot_services(indexed_services: Any, base_url: str) -> Any:
    settings = indexed_services.settings.model_copy(update={
        "telegram_bot_token": SecretStr(TOKEN), "telegram_api_base": base_url,
        "throttle_seconds": 0})
    return dataclasses.replace(indexed_services, settings=settings)


@dataclasses.dataclass
class Running:
    api: FakeBotAPI
    task: asyncio.Task[None]
    startup: StartupCalls


@asynccontextmanager
async def start_bot(indexed_services: Any, api: FakeBotAPI) -> AsyncIterator[Running]:
    services = bot_services(indexed_services, await api.start())
    bot = create_bot(services.settings)
    dp = create_dispatcher(services)
    startup = StartupCalls(backoff=FAST_BACKOFF, attempts=3)
    task = asyncio.create_task(run_polling(services, bot=bot, dispatcher=dp, startup=startup,
                                           handle_signals=False, polling_timeout=1))
    try:
        await api.wait_for(lambda r: r.method == "getUpdates", timeout=60)
        yield Running(api, task, startup)
    finally:
        if not task.done():
            await dp.stop_polling()
        await asyncio.wait_for(task, 20)
        await api.stop()


async def ask(api: FakeBotAPI, user_id: int) -> str:
    mark = await api.send_text(QUESTION, user_id=user_id)
    replies = await api.replies(user_id, since=mark, timeout=30)
    return " ".join(r["text"] for r in replies)


@pytest.mark.parametrize("kind", ["not_found", "malformed", "flood", "server_error"])
async def test_failing_side_calls_do_not_stop_the_bot(
        indexed_services: Any, kind: str, caplog: pytest.LogCaptureFixture) -> None:
    """setMyCommands and deleteWebhook fail every time, getMe the first time: the bot still
    answers questions, and says in the log what failed."""
    caplog.set_level(logging.INFO)
    api = FakeBotAPI()
    api.fail("setMyCommands", kind)
    api.fail("deleteWebhook", kind)
    api.fail("getMe", kind, times=1)
    async with start_bot(indexed_services, api) as running:
        assert ANSWER in await ask(api, 7101)
        assert not running.task.done()
        assert len(api.calls("getMe")) >= 2
        if kind in ("not_found", "malformed"):  # retried here; the others by the session's
            assert "getMe failed" in caplog.text  # RetryAfterMiddleware already
            assert "getMe succeeded on attempt 2" in caplog.text
        for method in ("setMyCommands", "deleteWebhook"):
            assert api.calls(method)
            if kind == "not_found":  # a method the server lacks is not asked again
                assert f"{method} refused" in caplog.text
                assert len(api.calls(method)) == 1
            else:
                assert f"{method} failed" in caplog.text
        # Still serving once the retries have given up.
        await wait_until(lambda: running.startup.pending == 0)
        assert ANSWER in await ask(api, 7102)
        assert not running.task.done()
    assert "Traceback" not in caplog.text


async def test_side_calls_recover_in_the_background(indexed_services: Any) -> None:
    """A side call that fails twice is published on the third attempt, while serving."""
    api = FakeBotAPI()
    api.fail("setMyCommands", "malformed", times=2)
    api.fail("deleteWebhook", "server_error", times=1)
    async with start_bot(indexed_services, api) as running:
        assert ANSWER in await ask(api, 7103)
        await wait_until(lambda: running.startup.pending == 0)
        menus = api.calls("setMyCommands")
        default_menu = [r for r in menus if not r.get("scope") and not r.get("language_code")]
        assert len(default_menu) == 3  # two failures, then published
        assert [c["command"] for c in default_menu[-1]["commands"]] == [
            "start", "postings", "compare", "eligibility", "profile", "alerts", "reset",
            "language", "help"]
        assert len(api.calls("deleteWebhook")) >= 2


async def wait_until(check: Any, timeout: float = 30.0) -> None:
    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.05)
    await asyncio.wait_for(poll(), timeout)


# ---- `jpo-bot run` as a process ------------------------------------------------------------

async def run_bot_process(indexed_services: Any, api: FakeBotAPI,
                          ) -> asyncio.subprocess.Process:
    settings = indexed_services.settings
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE": api.base_url,
           "JPO_DATA_DIR": str(settings.data_dir), "JPO_CORPUS_DIR": str(settings.corpus_dir),
           "JPO_WEB_HOST": "127.0.0.1", "JPO_WEB_PORT": str(free_port()),
           "JPO_THROTTLE_SECONDS": "0", "REDIS_URL": "", "WEBHOOK_URL": "",
           "PYTHONUNBUFFERED": "1"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


@asynccontextmanager
async def bot_process(indexed_services: Any,
                      api: FakeBotAPI) -> AsyncIterator[asyncio.subprocess.Process]:
    """Starts `api`, then `jpo-bot run` against it; on the way out kills the process if it
    is still running and stops `api`."""
    await api.start()
    proc = await run_bot_process(indexed_services, api)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await api.stop()


async def stop_with(proc: asyncio.subprocess.Process,
                    stop_signal: signal.Signals = signal.SIGTERM) -> str:
    """Sends `stop_signal` and waits for the process to end; returns its stderr."""
    proc.send_signal(stop_signal)
    _, stderr = await asyncio.wait_for(proc.communicate(), 60)
    return stderr.decode(errors="replace")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_run_stops_cleanly_on_a_signal(indexed_services: Any,
                                             stop_signal: signal.Signals) -> None:
    """`python -m bot.cli run` answers, then a signal stops it: exit code 0, nothing left
    unclosed, no traceback."""
    api = FakeBotAPI()
    api.fail("setMyCommands", "not_found")  # as a third-party Bot API server without it
    async with bot_process(indexed_services, api) as proc:
        await api.wait_for(lambda r: r.method == "getUpdates", timeout=180)
        assert ANSWER in await ask(api, 7201)
        log = await stop_with(proc, stop_signal)
    assert proc.returncode == 0, log[-3000:]
    for bad in ("Traceback", "Unclosed", "sys.meta_path is None", "Task was destroyed"):
        assert bad not in log, log[-3000:]
    assert "setMyCommands refused" in log


async def test_run_stops_cleanly_while_getme_keeps_failing(indexed_services: Any) -> None:
    """Stopped before it could ever poll (getMe never answered): still exit code 0."""
    api = FakeBotAPI()
    api.fail("getMe", "server_error")
    async with bot_process(indexed_services, api) as proc:
        await api.wait_for(lambda r: r.method == "getMe", timeout=180)
        log = await stop_with(proc)
    assert proc.returncode == 0, log[-3000:]
    assert "Traceback" not in log and "Unclosed" not in log, log[-3000:]
    assert not api.calls("getUpdates")


async def test_run_stops_cleanly_while_loading(indexed_services: Any) -> None:
    """SIGTERM while the services load (the model, the index) ends the process with 0."""
    api = FakeBotAPI()
    lines: list[str] = []
    async with bot_process(indexed_services, api) as proc:
        assert proc.stderr is not None
        while not any("Loading services" in line for line in lines):
            line = (await asyncio.wait_for(proc.stderr.readline(), 120)).decode(errors="replace")
            assert line, "".join(lines)  # the process ended before loading
            lines.append(line)
        log = "".join(lines) + await stop_with(proc)
    assert proc.returncode == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert not api.requests  # stopped before any call to the Bot API


# ---- StartupCalls on its own ---------------------------------------------------------------

class Flaky:
    """A call failing with `errors` in turn, then answering."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def _api_error(kind: type[Exception], message: str = "x") -> Exception:
    from aiogram.methods import GetMe

    return kind(method=GetMe(), message=message)


async def test_required_call_is_retried_until_answered() -> None:
    from aiogram.exceptions import ClientDecodeError, TelegramServerError

    call = Flaky(ClientDecodeError("not JSON", ValueError("x"), "<html>"),
                 _api_error(TelegramServerError))
    startup = StartupCalls(backoff=FAST_BACKOFF)
    assert await startup.required("getMe", call, asyncio.Event())
    assert call.calls == 3


async def test_required_call_gives_way_to_stop() -> None:
    hung = asyncio.Event()

    async def never_answers() -> None:
        await hung.wait()

    stop = asyncio.Event()
    startup = StartupCalls(backoff=FAST_BACKOFF)
    asyncio.get_running_loop().call_soon(stop.set)
    assert not await startup.required("getMe", never_answers, stop)


async def test_refused_token_is_raised() -> None:
    from aiogram.exceptions import TelegramUnauthorizedError

    startup = StartupCalls(backoff=FAST_BACKOFF)
    with pytest.raises(TelegramUnauthorizedError):
        await startup.required("getMe", Flaky(_api_error(TelegramUnauthorizedError)),
                               asyncio.Event())


async def test_side_call_refused_is_not_retried_and_failing_one_gives_up() -> None:
    from aiogram.exceptions import TelegramNotFound, TelegramServerError

    startup = StartupCalls(backoff=FAST_BACKOFF, attempts=3)
    refused = Flaky(_api_error(TelegramNotFound), _api_error(TelegramNotFound))
    failing = Flaky(*(_api_error(TelegramServerError) for _ in range(5)))
    await startup.side_call("setMyCommands", refused)
    await startup.side_call("deleteWebhook", failing)
    await wait_until(lambda: startup.pending == 0)
    assert refused.calls == 1
    assert failing.calls == 3


async def test_flood_control_waits_as_long_as_asked() -> None:
    from aiogram.exceptions import TelegramRetryAfter
    from aiogram.methods import GetMe
    from aiogram.utils.backoff import Backoff

    from bot.startup import _delay

    flood = TelegramRetryAfter(method=GetMe(), message="Too Many Requests", retry_after=7)
    assert _delay(flood, Backoff(FAST_BACKOFF)) == 7.0
    assert _delay(RuntimeError("x"), Backoff(FAST_BACKOFF)) == FAST_BACKOFF.min_delay


async def test_aclose_stops_the_retries() -> None:
    from aiogram.exceptions import TelegramServerError

    slow = BackoffConfig(min_delay=60, max_delay=120, factor=2, jitter=0)
    startup = StartupCalls(backoff=slow)
    await startup.side_call("setMyCommands", Flaky(_api_error(TelegramServerError)))
    assert startup.pending == 1  # waiting a minute before its second attempt
    await startup.aclose()
    assert startup.pending == 0
