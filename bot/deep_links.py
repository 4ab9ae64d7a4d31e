"""Deep links to postings: `https://t.me/<bot>?start=<payload>` opens the posting's card.

Telegram allows a start payload of up to 64 characters of [A-Za-z0-9_-]. The payload is
derived from the posting id alone (a readable slug of it plus a hash of the whole id), never
from a position or a counter, so a link stays valid across reindexes for as long as the
posting exists; once it is removed, its payload is still well formed but names nothing
("stale"), which is told apart from a payload this bot never made ("malformed").
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from retrieval.models import Posting


class Catalog(Protocol):
    def all(self) -> list[Posting]: ...

PAYLOAD_LIMIT = 64
_DIGEST_CHARS = 10
_SLUG_CHARS = 40
_PAYLOAD_RE = re.compile(rf"[A-Za-z0-9_-]{{0,{_SLUG_CHARS}}}-[0-9a-f]{{{_DIGEST_CHARS}}}")


def posting_payload(posting_id: str) -> str:
    """The start payload of a posting: "000_6199014678cf9c64-1a2b3c4d5e"."""
    stem = PurePosixPath(posting_id).stem or posting_id
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_")[:_SLUG_CHARS]
    digest = hashlib.sha1(posting_id.encode()).hexdigest()[:_DIGEST_CHARS]
    return f"{slug}-{digest}"


def posting_link(bot_username: str, posting_id: str) -> str:
    return f"https://t.me/{bot_username}?start={posting_payload(posting_id)}"


def is_posting_payload(payload: str) -> bool:
    return len(payload) <= PAYLOAD_LIMIT and _PAYLOAD_RE.fullmatch(payload) is not None


@dataclass(frozen=True)
class LinkTarget:
    status: Literal["found", "stale", "malformed"]
    posting: Posting | None = None


def resolve_payload(catalog: Catalog, payload: str) -> LinkTarget:
    """The posting a start payload names: found, stale (removed) or malformed."""
    payload = payload.strip()
    if not is_posting_payload(payload):
        return LinkTarget("malformed")
    posting = next((p for p in catalog.all() if posting_payload(p.id) == payload), None)
    return LinkTarget("found", posting) if posting is not None else LinkTarget("stale")
