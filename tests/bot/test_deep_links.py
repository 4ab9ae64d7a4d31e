"""Deep-link payloads: within Telegram's limits, derived from the posting id alone."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.deep_links import is_posting_payload, posting_link, posting_payload, resolve_payload
from tests.support.fakes import FakeCatalog, make_postings

TELEGRAM_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


@given(st.text(min_size=1, max_size=300))
def test_any_posting_id_gives_a_valid_stable_payload(posting_id: str) -> None:
    payload = posting_payload(posting_id)
    assert TELEGRAM_PAYLOAD.fullmatch(payload)
    assert is_posting_payload(payload)
    assert payload == posting_payload(posting_id)  # no counter, no position: stable


def test_payloads_read_like_the_posting_id() -> None:
    payload = posting_payload("000_6199014678cf9c64.txt")
    assert payload.startswith("000_6199014678cf9c64-") and len(payload) == 31
    assert posting_payload("2357_creative-sectors.md").startswith("2357_creative_sectors-")
    # Ids that slug alike still get different payloads.
    assert posting_payload("a.b") != posting_payload("a-b")


def test_links_resolve_found_stale_and_malformed() -> None:
    catalog = FakeCatalog(make_postings(3))
    posting = catalog.all()[1]
    assert posting_link("jpo_bot", posting.id) == (
        f"https://t.me/jpo_bot?start={posting_payload(posting.id)}")
    found = resolve_payload(catalog, posting_payload(posting.id))
    assert found.status == "found" and found.posting == posting
    assert resolve_payload(catalog, posting_payload("gone")).status == "stale"
    for payload in ("", "hello", "x" * 80, "000_ai-XYZ", "a b-0123456789"):
        assert resolve_payload(catalog, payload).status == "malformed"
