"""The benchmark's no-op task, loaded only into the benchmark's worker (``celery worker -I bench.noop``).

The rate at which one worker runs it is the ceiling the notifications benchmark compares delivery with:
what the broker, the prefork pool and Celery's own bookkeeping allow when a task does nothing.
"""

from __future__ import annotations

from celery import shared_task

NOOP_TASK = "bench.noop"


@shared_task(name=NOOP_TASK, ignore_result=True)
def noop(number: int) -> None:
    """Do nothing (the argument makes each message the size of a delivery task's)."""
