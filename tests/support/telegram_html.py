"""A strict check of Telegram's HTML parse mode, shared by the unit tests and the fake
Bot API server (which rejects invalid HTML with 400 like the real one)."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}
_TOKEN_RE = re.compile(r"<[^<>]*>|&[^;\s<>&]*;?|[<>]")
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)(\s[^>]*)?>$")
_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);$")


class HtmlError(ValueError):
    pass


def check_html(text: str) -> None:
    """Raise HtmlError the way Telegram says "can't parse entities"."""
    stack: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        if token.startswith("&"):
            if not _ENTITY_RE.match(token):
                raise HtmlError(f"unsupported entity {token!r} at {match.start()}")
            continue
        if token in ("<", ">"):
            if token == "<":
                raise HtmlError(f"unescaped '<' at {match.start()}")
            continue
        tag = _TAG_RE.match(token)
        if not tag or tag.group(2).lower() not in ALLOWED_TAGS:
            raise HtmlError(f"unsupported tag {token!r} at {match.start()}")
        name = tag.group(2).lower()
        if tag.group(1):
            if not stack or stack[-1] != name:
                raise HtmlError(f"unexpected end tag {token!r} at {match.start()}")
            stack.pop()
        else:
            stack.append(name)
    if stack:
        raise HtmlError(f"unclosed tags {stack}")


def html_to_text(text: str) -> str:
    """What the user sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def tg_len(text: str) -> int:
    return len(html_to_text(text).encode("utf-16-le")) // 2
