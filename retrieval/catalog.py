"""Read access to the indexed postings, always from the active index generation."""

from __future__ import annotations

from datetime import datetime

from retrieval.models import Posting
from retrieval.store import IndexStore


class PostingCatalog:
    def __init__(self, store: IndexStore) -> None:
        self._store = store

    def all(self) -> list[Posting]:
        return list(self._store.snapshot().postings)

    def get(self, posting_id: str) -> Posting | None:
        return self._store.snapshot().by_id.get(posting_id)

    def __len__(self) -> int:
        return len(self._store.snapshot().postings)

    @property
    def last_indexed(self) -> datetime | None:
        built = self._store.snapshot().built_at
        return datetime.fromisoformat(built) if built else None
