"""The hardening tests reuse the bot test fakes (tests/bot), imported by module name as the bot
tests and the ops tests do."""

from __future__ import annotations

import sys
from pathlib import Path

BOT_TESTS = Path(__file__).resolve().parent.parent / "bot"
if str(BOT_TESTS) not in sys.path:
    sys.path.insert(0, str(BOT_TESTS))
