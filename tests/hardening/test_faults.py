"""Faults: Chroma, Redis, the LLM and the Bot API failing, a reindex killed, a restart.

Every server runs on 127.0.0.1 on a free port and is stopped in teardown."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromadb
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import SOMETHING_WENT_WRONG, create_bot, create_dispatcher, run_polling
from bot.metrics import Metrics
from bot.web import create_web_app
from retrieval.indexer import Indexer
from retrieval.llm import NOTE_UNAVAILABLE
from retrieval.models import AnswerMode
from retrieval.services import build_services
from retrieval.settings import PROJECT_ROOT, Settings
from retrieval.store import IndexStore, IndexUnavailableError
from tests.conftest import CORPUS, EXTRA_POSTINGS
from tests.servers import VENV_BIN, free_port, stop, wait_until
from tests.support.fake_bot_api import TOKEN, FakeBotAPI
from tests.support.fakes import (
    USER_ID,
    FakeServices,
    fake_services,
    message_update,
)
from tests.support.mocked_bot import MockedBot
from tests.support.polling import polling_bot

QUESTION = "Who supervises the JPO in Standards Policy and Development?"
ANSWER = "Lisa Tortell"


def closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


def workspace(tmp_path: Path, **settings: Any) -> Settings:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return Settings(_env_file=None, data_dir=tmp_path / "data", corpus_dir=corpus,
                    **settings)


# --------------------------------------------------------------------------- Chroma


def test_chroma_unreachable_at_start_up_is_a_clear_error(tmp_path: Path,
                                                         shared_embeddings: Any) -> None:
    port = closed_port()
    settings = workspace(tmp_path, chroma_host="127.0.0.1", chroma_port=port)
    started = time.monotonic()
    with pytest.raises(IndexUnavailableError, match=f"Chroma server at 127.0.0.1:{port}"):
        build_services(settings, embeddings=shared_embeddings)
    # Before the fix the unreachable server was taken for "no index yet": the whole corpus
    # was embedded first, and only then did the write fail.
    assert time.monotonic() - started < 5


def test_bot_main_exits_with_a_clear_message_when_chroma_is_down(tmp_path: Path) -> None:
    from bot.app import main

    settings = workspace(tmp_path, chroma_host="127.0.0.1", chroma_port=closed_port(),
                         telegram_bot_token="42:TEST")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with pytest.raises(SystemExit, match="Is Chroma running"):
            main(settings)
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def chroma_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A `chroma run` of this test's own, since the test stops it."""
    binary = VENV_BIN / "chroma"
    if not binary.exists():
        pytest.skip("the `chroma` CLI is not installed next to the interpreter")
    port = free_port()
    proc = subprocess.Popen(
        [str(binary), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    client = None

    def up() -> bool:
        nonlocal client
        client = chromadb.HttpClient(host="127.0.0.1", port=port)
        return bool(client.heartbeat())

    try:
        if not wait_until(up, proc, timeout=30):
            pytest.skip("`chroma run` could not start")
        yield proc, port
    finally:
        stop(proc)


@pytest.mark.slow
async def test_chroma_going_down_mid_run_keeps_answering(
        tmp_path: Path, shared_embeddings: Any, chroma_process: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    proc, port = chroma_process
    settings = workspace(tmp_path, chroma_host="127.0.0.1", chroma_port=port,
                         collection="faults", throttle_seconds=0, admin_ids=[1])
    services = build_services(settings, embeddings=shared_embeddings)
    services.warm_up()
    assert ANSWER in services.answers.answer(QUESTION, "before").text
    stop(proc)  # the server goes away

    services.store.snapshot(max_age=0)  # the next pointer check fails…
    assert "answering from the loaded index" in caplog.text
    # …and answers still come, from keyword search over the loaded index.
    answer = services.answers.answer(QUESTION, "during")
    assert ANSWER in answer.text
    snap = services.store.snapshot()
    assert services.store.vector_search(snap, QUESTION, 3) == []
    assert "keyword search only" in caplog.text
    assert [d.metadata["posting_id"] for d in services.answers.retriever.invoke("supervisor")]
    assert len(services.catalog) == 5
    # /healthz: still serving (200), but reported as degraded.
    async with TestClient(TestServer(create_web_app(services, Metrics()))) as http:
        response = await http.get("/healthz")
        assert response.status == 200
        health = await response.json()
    assert health["status"] == "degraded" and health["postings"] == 5
    assert "unreachable" in health["index"]
    # Through the bot too: an answer, not an apology and not silence.
    dp, bot = create_dispatcher(services), MockedBot()
    await dp.feed_update(bot, message_update(QUESTION, user_id=77))
    (reply,) = [m.text for m in bot.requests if getattr(m, "text", None)
                and m.__api_method__ == "sendMessage"]
    assert ANSWER in reply

    # A replica started now has nothing loaded: it refuses to start (clear error) and a
    # question reaching it gets "try again", never silence.
    fresh = IndexStore(settings, shared_embeddings)
    with pytest.raises(IndexUnavailableError):
        fresh.snapshot()
    broken = fake_services(posting_count=1)

    def unavailable(question: str) -> Any:
        return fresh.snapshot()

    broken.answers.respond = unavailable
    dp, bot = create_dispatcher(broken), MockedBot()  # type: ignore[arg-type]
    await dp.feed_update(bot, message_update(QUESTION))
    assert [m.text for m in bot.requests
            if m.__api_method__ == "sendMessage"] == [SOMETHING_WENT_WRONG]


@pytest.mark.slow
async def test_unwritable_index_during_reindex_keeps_the_old_index(
        tmp_path: Path, shared_embeddings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = workspace(tmp_path, admin_ids=[1], throttle_seconds=0)
    services = build_services(settings, embeddings=shared_embeddings)
    before = services.store.pointer()["active"]
    shutil.copy(EXTRA_POSTINGS / "field_office_bangkok.md", settings.corpus_dir)
    if os.geteuid() == 0:
        # Root ignores file permissions: fail the write the way a read-only disk does.
        def read_only(*_a: Any, **_k: Any) -> Any:
            raise OSError(30, "Read-only file system", str(settings.chroma_dir))

        monkeypatch.setattr(services.store, "new_collection", read_only)
    else:  # pragma: no cover - depends on the user running the tests
        for path in [settings.chroma_dir, *settings.chroma_dir.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        dp, bot = create_dispatcher(services), MockedBot()
        await dp.feed_update(bot, message_update("/reindex", user_id=1))
        edits = [m.text for m in bot.requests if m.__api_method__ == "editMessageText"]
        assert "Reindex failed; the previous index keeps answering" in edits[-1]
        assert "Read-only file system" in edits[-1] or "readonly" in edits[-1].lower()
    finally:
        for path in [settings.chroma_dir, *settings.chroma_dir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert services.store.pointer()["active"] == before
    assert "field_office_bangkok" not in {p.id for p in services.catalog.all()}
    assert ANSWER in services.answers.answer(QUESTION, "after").text
    monkeypatch.undo()
    assert "field_office_bangkok" in Indexer(settings, services.store).reindex().added


# --------------------------------------------------------------------------- a killed reindex

KILLED_INDEX = textwrap.dedent("""
    import pathlib, sys, time
    from retrieval.indexer import Indexer
    from retrieval.settings import Settings
    from retrieval.store import IndexStore

    marker, where = pathlib.Path(sys.argv[1]), sys.argv[2]

    class Embeddings:  # the model id comes from the settings; no need to load the model
        def embed_documents(self, texts):
            if where == "embedding":
                marker.write_text("embedding"); time.sleep(120)
            return [[0.1] * 384 for _ in texts]
        def embed_query(self, text):
            return [0.1] * 384

    settings = Settings()
    store = IndexStore(settings, Embeddings())
    if where == "switch":
        def switch(name, info):
            marker.write_text(name); time.sleep(120)
        store.switch = switch
    Indexer(settings, store).reindex(rebuild=True)
""")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["embedding", "switch"])
def test_reindex_killed_midway_leaves_the_old_index_serving(
        tmp_path: Path, shared_embeddings: Any, where: str) -> None:
    settings = workspace(tmp_path)
    services = build_services(settings, embeddings=shared_embeddings)
    before = services.store.pointer()["active"]
    services.store._client = None  # let go of the files while the other process writes
    shutil.copy(EXTRA_POSTINGS / "field_office_bangkok.md", settings.corpus_dir)
    marker = tmp_path / "marker"
    env = {**os.environ, "JPO_DATA_DIR": str(settings.data_dir),
           "JPO_CORPUS_DIR": str(settings.corpus_dir), "ANONYMIZED_TELEMETRY": "False",
           "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_INDEX, str(marker), where],
                            cwd=tmp_path, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # A new process opens the store: the old generation serves, nothing half-built shows.
    store = IndexStore(settings, shared_embeddings)
    snap = store.snapshot()
    assert snap.collection_name == before and len(snap.postings) == 5
    services = build_services(settings, embeddings=shared_embeddings)
    assert ANSWER in services.answers.answer(QUESTION, "k").text
    # A new reindex succeeds; an orphaned half-written generation is dropped by it.
    report = Indexer(settings, store).reindex()
    assert report.added == ["field_office_bangkok"] and report.postings == 6
    active = store.pointer()["active"]
    names = {c if isinstance(c, str) else c.name for c in store.client.list_collections()}
    assert names <= {active, before, f"{settings.collection}-alias"}
    if where == "switch":
        assert marker.read_text() not in names


# --------------------------------------------------------------------------- Redis


async def test_redis_down_the_bot_still_answers(caplog: pytest.LogCaptureFixture) -> None:
    port = closed_port()
    services = fake_services(redis_url=f"redis://127.0.0.1:{port}/0", throttle_seconds=1.0)
    dp, bot = create_dispatcher(services), MockedBot()  # type: ignore[arg-type]
    started = time.monotonic()
    try:
        await dp.feed_update(bot, message_update("Where is the AI post based?"))
        await dp.feed_update(bot, message_update("/eligibility"))  # the wizard, in memory
        texts = [m.text for m in bot.requests if m.__api_method__ == "sendMessage"]
        assert texts[0].startswith("You asked: Where is the AI post based?")
        assert SOMETHING_WENT_WRONG not in texts and len(texts) == 2
        assert services.answers.calls
        # Clear logs: one error for the state, a warning per throttle check.
        assert caplog.text.count("conversation state is kept in memory") == 1
        assert "Throttling skipped, Redis unavailable" in caplog.text
        assert time.monotonic() - started < 10
    finally:
        await dp.fsm.storage.close()


# --------------------------------------------------------------------------- the LLM hangs


class HangingServer:
    """Accepts connections and reads requests, but never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.hits = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            self.conns.append(conn)

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        for conn in self.conns:
            conn.close()
        self.sock.close()


@pytest.mark.slow
async def test_hanging_llm_falls_back_to_the_extractive_answer(indexed_services: Any) -> None:
    from retrieval.answering import AnswerService
    from retrieval.llm import build_llm

    server = HangingServer()
    try:
        settings = indexed_services.settings.model_copy(update={
            "llm_provider": "openai", "llm_api_key": SecretStr("sk-hang"), "llm_timeout": 0.5,
            "llm_base_url": f"http://127.0.0.1:{server.port}/v1"})
        service = AnswerService(settings, indexed_services.store, indexed_services.eligibility,
                                llm=build_llm(settings))
        started = time.monotonic()
        answer = await service.ask(QUESTION, "hang-1")
        assert ANSWER in answer.text
        assert answer.mode == AnswerMode.FALLBACK and answer.note == NOTE_UNAVAILABLE
        streamed = [item async for item in service.astream(QUESTION, "hang-2")]
        assert streamed[-1].mode == AnswerMode.FALLBACK  # type: ignore[union-attr]
        assert time.monotonic() - started < 10  # two tries of 0.5 s each, per question
        assert server.hits >= 2
    finally:
        server.close()


# --------------------------------------------------------------------------- the Bot API fails


class FlakyBotAPI(FakeBotAPI):
    """Fails the next sendMessage calls as queued: 429 with retry_after, 500, or a dropped
    connection (before the message is stored, as when Telegram never got it)."""

    def __init__(self) -> None:
        super().__init__()
        self.faults: list[str] = []

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        if self.faults:
            raise _Fault(self.faults.pop(0))
        return await super()._m_sendmessage(params)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return await super()._handle(request)
        except _Fault as fault:
            if fault.kind == "429":
                return web.json_response({"ok": False, "error_code": 429,
                                          "description": "Too Many Requests: retry after 1",
                                          "parameters": {"retry_after": 1}}, status=429)
            if fault.kind == "500":
                return web.json_response({"ok": False, "error_code": 500,
                                          "description": "Internal Server Error"}, status=500)
            assert request.transport is not None
            request.transport.close()  # "drop"
            raise


class _Fault(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@pytest.mark.parametrize("faults", [["429"], ["500"], ["drop"], ["500", "429", "drop"]])
async def test_bot_api_failures_are_retried_and_delivered_once(faults: list[str]) -> None:
    api = FlakyBotAPI()
    await api.start()
    services = fake_services()
    settings = services.settings.model_copy(update={"telegram_api_base": api.base_url,
                                                    "telegram_bot_token": SecretStr(TOKEN)})
    try:
        async with polling_bot(api, services, settings, timeout=10):
            api.faults = list(faults)
            mark = await api.send_text("Where is the AI post based?", user_id=USER_ID)
            await api.wait_for(lambda r: r.method == "sendMessage" and "You asked" in r["text"]
                               and len(api.messages) > 0, since=mark, timeout=15)
            await asyncio.sleep(0.5)  # anything else would have arrived by now
            attempts = [r for r in api.requests[mark:] if r.method == "sendMessage"]
            delivered = [m for m in api.messages.values() if "You asked" in m["text"]]
            assert len(attempts) == len(faults) + 1  # each failure retried once
            assert len(delivered) == 1  # …and the user sees the reply exactly once
            assert not [m for m in api.messages.values() if SOMETHING_WENT_WRONG in m["text"]]
            assert api.faults == []
    finally:
        await api.stop()


# --------------------------------------------------------------------------- restarts


class BotProcess:
    """The bot in a thread of its own with `asyncio.run`, as in `jpo-bot run`: when polling
    stops, whatever is still running is cancelled, as at the end of a real process."""

    def __init__(self, api: FakeBotAPI, services: FakeServices) -> None:
        self.api, self.services = api, services
        self.ready = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()))
        self.loop: asyncio.AbstractEventLoop | None = None
        self.dp: Any = None

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        settings = self.services.settings.model_copy(
            update={"telegram_api_base": self.api.base_url, "telegram_bot_token": SecretStr(TOKEN)})
        bot = create_bot(settings)
        self.dp = create_dispatcher(self.services)  # type: ignore[arg-type]
        self.ready.set()
        await run_polling(self.services, bot=bot, dispatcher=self.dp,  # type: ignore[arg-type]
                          handle_signals=False, polling_timeout=1)

    async def start(self) -> None:
        self.thread.start()
        await asyncio.to_thread(self.ready.wait, 20)

    async def stop(self) -> None:
        assert self.loop is not None
        await asyncio.wrap_future(
            asyncio.run_coroutine_threadsafe(self.dp.stop_polling(), self.loop))
        await asyncio.to_thread(self.thread.join, 20)
        assert not self.thread.is_alive()


def _answers(api: FakeBotAPI) -> list[str]:
    return [m["text"] for m in api.messages.values() if m["text"].startswith("You asked: ")]


async def _wait(check: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_restart_mid_stream_loses_and_repeats_nothing() -> None:
    api = FakeBotAPI()
    await api.start()
    services = fake_services()
    services.answers.delay = 0.6  # answers take a while: some are in flight at the stop
    try:
        first = BotProcess(api, services)
        await first.start()
        for i in range(4):
            await api.send_text(f"question {i}", user_id=1000 + i)
        await _wait(lambda: len(_answers(api)) >= 1)
        for i in range(4, 8):
            await api.send_text(f"question {i}", user_id=1000 + i)
        last = api.updates[-1]["update_id"]
        # The bot has taken these updates and confirmed them (getUpdates with a later
        # offset): Telegram will not send them again. Stop now, while they are answered.
        await api.wait_for(lambda r: r.method == "getUpdates"
                           and int(r.get("offset") or 0) > last, timeout=10)
        assert len(_answers(api)) < 8
        await first.stop()
        for i in range(8, 12):  # arrive while no bot is running
            await api.send_text(f"question {i}", user_id=1000 + i)
        second = BotProcess(api, services)
        await second.start()
        for i in range(12, 16):
            await api.send_text(f"question {i}", user_id=1000 + i)
        await _wait(lambda: len(_answers(api)) >= 16)
        await asyncio.sleep(1.0)  # a duplicate would arrive within this
        await second.stop()
        answered = sorted(int(re.match(r"You asked: question (\d+)", t).group(1))  # type: ignore[union-attr]
                          for t in _answers(api))
        assert answered == list(range(16))  # every update answered, none twice
        sends = [r for r in api.requests if r.method == "sendMessage"]
        assert len(sends) == 16  # no update answered twice
    finally:
        await api.stop()
