"""Helpers of the tests that count SQL statements and of those about the process's copies of the clinic's data."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from booking.clinic import cache
from booking.extensions import db


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Collect the SQL statements sent while the block runs."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def kept_in_process(seconds: float = 2) -> None:
    """Wait until reads use the process's copies of the settings, closed days and services (on PostgreSQL,
    once the process's listener listens: it starts on first use)."""
    deadline = time.monotonic() + seconds
    while not cache.in_use():
        assert time.monotonic() < deadline, f"the process's copies are still not used after {seconds} s"
        time.sleep(0.02)
