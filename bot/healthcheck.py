"""`python -m bot.healthcheck`: the container HEALTHCHECK. Exit 0 when GET /healthz on the
bot's own HTTP server answers 200, else 1. Standard library only, so it starts fast."""

from __future__ import annotations

import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("JPO_WEB_PORT", "8080")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:  # refused, timed out, 503…
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
