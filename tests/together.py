"""Running requests at the same moment, each in its own thread, for the race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection

from booking.extensions import db

T = TypeVar("T")


def at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Start every call at the same moment, each from its own thread; what each returned, in order.

    The test's own transaction ends first: on SQLite it would hold the one write lock. Each thread works
    on a connection of its own, so the test must commit for real (``@pytest.mark.commits``).
    """
    assert not isinstance(db.session.get_bind(), Connection), "mark the test with @pytest.mark.commits"
    db.session.commit()
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
