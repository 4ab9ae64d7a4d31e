"""Prompt texts live in `prompts/<name>.txt`, never inside the code; this loads them by name.

Templates use LangChain's f-string syntax (`{variable}`); a file holds one message or block.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from retrieval.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class PromptNotFoundError(FileNotFoundError):
    """No prompt file of that name."""


def prompt_path(name: str, directory: Path | None = None) -> Path:
    if not _NAME_RE.match(name):
        raise ValueError(f"invalid prompt name {name!r}")
    return (directory or PROMPTS_DIR) / f"{name}.txt"


@lru_cache(maxsize=64)
def load_prompt(name: str, directory: Path | None = None) -> str:
    """The text of `prompts/<name>.txt` (trailing whitespace removed)."""
    path = prompt_path(name, directory)
    try:
        return path.read_text(encoding="utf-8").rstrip()
    except FileNotFoundError as exc:
        raise PromptNotFoundError(f"prompt {name!r} not found at {path}") from exc


def template_variables(text: str) -> set[str]:
    """The `{variable}` names a template uses (doubled braces are literal)."""
    return set(re.findall(r"(?<!\{)\{([a-zA-Z_]\w*)\}(?!\})", text))
