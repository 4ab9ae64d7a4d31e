"""Fixtures for the operations tests. The Redis and Chroma servers they use are in
tests/servers.py (registered in tests/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

# The Telegram fakes live next to the bot tests.
BOT_TESTS = Path(__file__).resolve().parent.parent / "bot"
if str(BOT_TESTS) not in sys.path:
    sys.path.insert(0, str(BOT_TESTS))
