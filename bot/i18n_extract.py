"""A pybabel extractor for the bot's texts that also looks inside f-strings.

Babel's own Python extractor skips calls inside f-string expressions, such as
f"<b>{_('Grade:')}</b> {value}"; this one walks the syntax tree instead. Used by
`make i18n-extract` (babel.cfg) and by the tests that check every text has translations.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import IO, Any

# function name → how many leading string arguments are messages (singular, plural)
KEYWORDS = {"_": 1, "N_": 1, "gettext": 1, "ngettext": 2}


def messages_in(source: str) -> Iterator[tuple[int, str, str | tuple[str, str]]]:
    """(line, function, message) for every marked text in `source`."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        count = KEYWORDS.get(node.func.id)
        if count is None or len(node.args) < count:
            continue
        values = [a.value for a in node.args[:count]
                  if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if len(values) < count:
            continue  # _(CONSTANT): the text is marked where the constant is defined
        yield node.lineno, node.func.id, values[0] if count == 1 else (values[0], values[1])


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
            options: dict[str, Any]) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel's extractor interface."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for lineno, funcname, message in sorted(messages_in(source), key=lambda m: m[0]):
        yield lineno, funcname, message, []
