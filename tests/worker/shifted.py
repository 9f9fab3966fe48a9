"""Run celery with this process's clock moved: ``python -m tests.worker.shifted WHEN celery-arguments...``.

The clock starts at WHEN (ISO 8601) and ticks on from there; the worker's pool
children are forked after the move, so they share it. Nothing else changes: it
is the real celery command, on the real broker and database.
"""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main() -> None:
    """Move the clock, then hand over to celery's own main."""
    when = datetime.fromisoformat(sys.argv[1])
    time_machine.travel(when, tick=True).start()
    sys.argv = ["celery", *sys.argv[2:]]
    from celery.__main__ import main as celery_main

    celery_main()


if __name__ == "__main__":
    main()
