"""Real Redis and Chroma servers for the tests, as subprocesses on free 127.0.0.1 ports,
stopped in teardown; a test that needs one is skipped (with the reason) when a binary is
missing. The fixtures are registered in tests/conftest.py, so the operations tests and the
end-to-end suite (run a second time against both servers) share one of each per session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if check():
                return True
        except Exception:  # not up yet
            pass
        time.sleep(0.05)
    return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server (no persistence); yields its base URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed (apt-get install redis-server; .ci/run does)")
    import redis

    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.5)
    try:
        if not wait_until(lambda: bool(client.ping()), proc, timeout=10):
            pytest.skip(f"redis-server could not start on port {port}")
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        stop(proc)


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """A clean database 0 per test (the end-to-end suite keeps its state in database 1)."""
    import redis

    client = redis.Redis.from_url(f"{redis_server}/0")
    client.flushdb()
    client.close()
    yield f"{redis_server}/0"


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`chroma run` (the CLI installed with chromadb) on a free port; yields (host, port)."""
    binary = VENV_BIN / "chroma"
    if not binary.exists():
        found = shutil.which("chroma")
        if found is None:
            pytest.skip("the `chroma` CLI is not installed next to the interpreter")
        binary = Path(found)
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = path.parent / f"chroma-{port}.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(binary), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"

    def heartbeat() -> bool:
        with urllib.request.urlopen(url, timeout=0.5) as response:
            return bool(response.status == 200)

    try:
        if not wait_until(heartbeat, proc, timeout=30):
            tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
            pytest.skip(f"`chroma run` could not start on port {port}: {tail}")
        yield "127.0.0.1", port
    finally:
        stop(proc)
