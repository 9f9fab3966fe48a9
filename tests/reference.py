"""What the tests about the process's copies of the clinic's settings, closed days and services wait for."""

from __future__ import annotations

import time

from booking.clinic import cache


def kept_in_process(seconds: float = 2) -> None:
    """Wait until reads use the process's copies of the settings, closed days and services (on PostgreSQL,
    once the process's listener listens: it starts on first use)."""
    deadline = time.monotonic() + seconds
    while not cache.in_use():
        assert time.monotonic() < deadline, f"the process's copies are still not used after {seconds} s"
        time.sleep(0.02)
