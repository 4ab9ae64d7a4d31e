"""The lexicon: every word list, pattern and answer text of the product, as YAML files beside
this module, read by one loader that checks each file's shape when it is first loaded.

A mistake in a YAML file (an intent missing from `priority`, a frame translated into French but
not Spanish, a placeholder renamed in one language, a field family nobody defines) fails at the
first load with a message naming the file and the key, instead of an answer silently missing.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).parent
LANGUAGES = ("en", "fr", "es", "de")


class LexiconError(ValueError):
    """A lexicon file that does not have the shape its readers rely on."""


@cache
def load_yaml(name: str) -> dict[str, Any]:
    """A lexicon file, parsed and checked (cached: the files do not change while running)."""
    with open(LEXICON_DIR / name, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise LexiconError(f"{name}: expected a mapping at the top level")
    check = _CHECKS.get(name)
    if check is not None:
        check(name, data)
    return data


# ---- checks ------------------------------------------------------------------------------------

def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _same_frames(name: str, reference: dict[str, Any], other: dict[str, Any],
                 where: str) -> None:
    """Every text of the English reference exists in the other language, with no
    {placeholder} English lacks; nested tables are compared key by key."""
    for key, value in reference.items():
        if key not in other:
            raise LexiconError(f"{name}: '{where}{key}' has no translation")
        if isinstance(value, dict) and isinstance(other[key], dict):
            _same_frames(name, value, other[key], f"{where}{key}.")
        elif isinstance(value, str) and isinstance(other[key], str) \
                and not _placeholders(other[key]) <= _placeholders(value):
            # a translation may leave a value out ("cette langue"), never ask for one the
            # code does not pass (that would fail when the answer is formatted)
            raise LexiconError(f"{name}: '{where}{key}' uses {sorted(_placeholders(other[key]))}"
                               f" where English uses {sorted(_placeholders(value))}")


def _check_translated(name: str, data: dict[str, Any]) -> None:
    if "en" not in data:
        raise LexiconError(f"{name}: no English texts")
    for language in LANGUAGES[1:]:
        if language not in data:
            raise LexiconError(f"{name}: no texts in '{language}'")
        _same_frames(f"{name} [{language}]", data["en"], data[language], "")


def _check_intents(name: str, data: dict[str, Any]) -> None:
    patterns, priority = data.get("intents", {}), data.get("priority", [])
    unranked = sorted(set(patterns) - set(priority))
    if unranked:
        # an intent outside the priority list would match and then be dropped
        raise LexiconError(f"{name}: intents {unranked} are missing from 'priority'")
    for intent, regexes in patterns.items():
        for regex in regexes:
            try:
                re.compile(regex)
            except re.error as exc:
                raise LexiconError(f"{name}: intent '{intent}': {regex!r}: {exc}") from exc


def _check_fields(name: str, data: dict[str, Any]) -> None:
    fields = data.get("fields", {})
    families = {f for entry in fields.values() for f in entry.get("families", [])}
    for field, entry in fields.items():
        if not entry.get("terms") or not entry.get("families"):
            raise LexiconError(f"{name}: field '{field}' needs terms and families")
    named = set(data.get("policy_families", [])) | set(data.get("ambiguous_families", []))
    for family, near in data.get("near", {}).items():
        named |= {family, *near}
    unknown = sorted(named - families)
    if unknown:
        raise LexiconError(f"{name}: families {unknown} belong to no field")


def _check_degrees(name: str, data: dict[str, Any]) -> None:
    for kind in ("advanced", "first", "titles", "generic", "study"):
        entries = data.get(kind)
        if not isinstance(entries, list) or not entries:
            raise LexiconError(f"{name}: '{kind}' must be a non-empty list")
        for entry in entries:
            try:
                re.compile(str(entry))
            except re.error as exc:
                raise LexiconError(f"{name}: '{kind}': {entry!r}: {exc}") from exc
    for kind in ("abbreviations", "phrases", "typed", "short"):
        if set(data.get(kind, {})) != {"advanced", "first"}:
            raise LexiconError(f"{name}: '{kind}' needs exactly 'advanced' and 'first'")


_CHECKS: dict[str, Callable[[str, dict[str, Any]], None]] = {
    "degrees.yaml": _check_degrees,
    "answers.yaml": _check_translated,
    "eligibility.yaml": _check_translated,
    "intents.yaml": _check_intents,
    "fields.yaml": _check_fields,
}


def check_all() -> list[str]:
    """Every lexicon file loaded and checked; the names of those checked (for tests)."""
    names = sorted(p.name for p in LEXICON_DIR.glob("*.yaml"))
    for n in names:
        load_yaml(n)
    return names
