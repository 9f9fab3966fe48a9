"""Settings and small helpers shared by the benchmark's modules."""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = ROOT / ".venv" / "bin"

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "bench_booking"
SECRET_KEY = "benchmark-secret-key-not-for-production"
# The broker the app under test publishes its notification tasks to: a Redis database and a queue of
# the benchmark's own (no worker consumes them; the benchmark deletes them at the end).
BROKER_URL = "redis://127.0.0.1:6379/10"
API = "/api/v1"
GRID = timedelta(minutes=15)

STARTED = time.monotonic()


def broker_queue(url: str) -> str:
    """The queue the app under test publishes to: named after the benchmark's database, so that two runs
    on two databases (a developer's and CI's) never clear each other's."""
    return f"bench-{url.rpartition('/')[2]}"


def log(message: str) -> None:
    """Progress on stderr, with the time since the start."""
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of the values (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]
