"""Static checks of the container files (Docker itself can't run in CI)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from retrieval.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def env_names() -> set[str]:
    """Every environment variable name Settings accepts (prefixed or by alias)."""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        names.add(f"JPO_{name}".upper())
        alias = field.validation_alias
        for choice in getattr(alias, "choices", []) or []:
            names.add(str(choice).upper())
    return names


def test_compose_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"bot", "chroma", "redis", "postgres"}
    assert "chromadb/chroma:" in services["chroma"]["image"]
    assert "redis:7" in services["redis"]["image"]
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"
    assert "postgres:" in services["postgres"]["image"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    volumes = set(compose["volumes"])
    for name in ("chroma", "redis", "postgres"):
        mounted = {v.split(":")[0] for v in services[name]["volumes"]}
        assert mounted <= volumes and mounted, f"{name} has no named volume"


def test_compose_bot_wiring(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    assert bot["build"] == "." and bot["env_file"] == ".env"
    env = bot["environment"]
    # The bot reaches the other services by their compose names and ports.
    assert env["JPO_CHROMA_HOST"] == "chroma" and env["JPO_CHROMA_PORT"] == "8000"
    host, port = re.fullmatch(r"redis://([\w.-]+):(\d+)/\d+", env["REDIS_URL"]).groups()
    assert host == "redis" and port == "6379"
    # Profiles, ratings and languages in the compose PostgreSQL, whose user and database match.
    db = compose["services"]["postgres"]["environment"]
    user, host, port, name = re.fullmatch(r"postgresql://(\w+):[^@]+@([\w.-]+):(\d+)/(\w+)",
                                          env["JPO_STATE_DB_URL"]).groups()
    assert (user, host, port, name) == (db["POSTGRES_USER"], "postgres", "5432",
                                        db["POSTGRES_DB"])
    assert env["JPO_WEB_PORT"] == "8080" and "8080" in [str(p) for p in bot["expose"]]
    # Every variable set is one the settings actually read (no typos silently ignored).
    assert set(env) <= env_names(), set(env) - env_names()
    assert set(bot["depends_on"]) == {"chroma", "redis", "postgres"}
    mounts = {v.split(":")[1] for v in bot["volumes"]}
    assert {env["JPO_DATA_DIR"], env["JPO_CORPUS_DIR"]} <= mounts
    assert "replicas" in bot["deploy"]


def test_env_example_documents_every_compose_and_new_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    for name in ("WEBHOOK_URL", "JPO_WEBHOOK_PATH", "WEBHOOK_SECRET", "JPO_WEB_HOST",
                 "JPO_WEB_PORT", "REDIS_URL", "JPO_CHROMA_HOST", "JPO_LOG_JSON",
                 "JPO_STATE_DB_URL"):
        assert re.search(rf"^{name}=", example, re.MULTILINE), name


def test_dockerfile_pins_cpu_torch_and_runs_unprivileged(dockerfile: str) -> None:
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", dockerfile, re.MULTILINE)
    assert len(stages) >= 2, "multi-stage build expected"
    assert "python:3.11-slim" in dockerfile
    torch = re.search(r"pip install[^\n]*\btorch==([\d.]+)[^\n]*", dockerfile)
    assert torch is not None, "torch must be pinned"
    assert "download.pytorch.org/whl/cpu" in torch.group(0)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'"torch=={torch.group(1)}"' in pyproject  # same pin as the package
    # torch is installed before the package (else pip picks the CUDA build).
    assert dockerfile.index("torch==") < dockerfile.index("pip install -e .")
    runtime = dockerfile[dockerfile.rindex("\nFROM "):]
    users = re.findall(r"^USER\s+(\S+)", runtime, re.MULTILINE)
    assert users and users[-1] not in {"root", "0", "0:0"}
    assert re.search(r"^ENV[^\n]*(\n\s+[^\n]*)*HF_HUB_OFFLINE=1", runtime, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n?.*bot\.healthcheck", runtime, re.MULTILINE)
    assert 'CMD ["jpo-bot", "run"]' in runtime
    assert "COPY --chown=jpo:jpo corpus" in runtime


def test_dockerignore_keeps_secrets_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".git" in ignored and ".venv" in ignored


def test_healthcheck_script(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import healthcheck

    monkeypatch.setenv("JPO_WEB_PORT", "1")  # nothing listens there
    assert healthcheck.main() == 1
