#!/usr/bin/env python
"""Notifications benchmark: one real Celery worker delivering the outbox to a local SMTP sink.

What it does (``make benchmark-notifications`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_notifications`` on the local PostgreSQL,
   migrates it and seeds the benchmark clinic (bench/seeding.py: 30 therapists,
   about 10,000 live visits), then writes 10,000 due confirmation rows into the
   outbox, one per visit, as bookings would have.
2. Starts an SMTP sink (aiosmtpd on a free port, in this process; it accepts at
   once and records each Message-ID and when it was accepted) and uses the
   machine's Redis (a database number and a queue of its own).
3. Ceiling: fills the queue with 10,000 no-op tasks (``bench.noop``, loaded into
   the worker with ``-I bench.noop``, nowhere else), starts ONE worker
   (``celery -A worker.celery_app worker --concurrency 2``) and times how fast it
   empties the queue.
4. Delivery: the real relay (``relay_due``) hands the 10,000 rows over, the same
   worker command is started again, and the benchmark times it from the first
   message taken to the last one accepted by the sink; then counts duplicates
   and losses by Message-ID (both must be 0) and checks the rows in the database.
5. Latency: with that worker running (no beat: the hand-over after each commit
   sends at once), books 100 visits one at a time through the real API view and
   service (in-process test client) and times each confirmation from the
   booking's commit to its acceptance by the sink.
6. Prints the machine, the code, a table and the targets with PASS/FAIL; stops
   the worker, clears its Redis keys and drops the database (unless --keep).
   Exits 1 on any duplicate or lost message, 2 when the run itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.celery_worker import Queue, Worker, worker_environment  # noqa: E402
from bench.common import ADMIN_URL, log  # noqa: E402
from bench.database import db_url, drop_database, exclusive_run, migrate, recreate_database  # noqa: E402
from bench.machine import code_version, count_database, cpu_share, cpu_snapshot, machine_info, wait_for_quiet  # noqa: E402
from bench.noop import NOOP_TASK  # noqa: E402
from bench.notify import (  # noqa: E402
    Throughput,
    book_and_time,
    expected_message_ids,
    outbox_statuses,
    seed_outbox,
)
from bench.notify_report import print_report  # noqa: E402
from bench.seeding import seed  # noqa: E402
from bench.smtp_sink import SmtpSink  # noqa: E402

DB_NAME = "bench_notifications"
REDIS_URL = "redis://127.0.0.1:6379/9"
# --quick: a run of well under a minute that goes through every step, for CI.
QUICK = {"messages": 300, "bookings": 5}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", ADMIN_URL),
                        help="a database URL on the PostgreSQL server to use (default %(default)s)")
    parser.add_argument("--db-name", default=DB_NAME, help="the database to create (default %(default)s)")
    parser.add_argument("--redis-url", default=REDIS_URL,
                        help="the Redis database the broker uses (default %(default)s; its benchmark keys are "
                             "deleted afterwards)")
    parser.add_argument("--messages", type=int, default=10_000, help="due notifications to deliver")
    parser.add_argument("--bookings", type=int, default=100, help="visits booked one at a time for the latency")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--worker-option", action="append", default=[], metavar="OPTION",
                        help="one more option for the worker's command line (repeatable), e.g. "
                             "--worker-option=--prefetch-multiplier=16")
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds a phase may take at most (default %(default)s: a busy shared machine is slow)")
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="before each measured phase wait up to SECONDS for other processes to use under "
                             "0.35 cores (the machine is shared); default: do not wait")
    parser.add_argument("--keep", action="store_true", help="keep the database and the worker's log")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run that checks the benchmark works (CI), not the figures: "
                             + ", ".join(f"--{name} {value}" for name, value in QUICK.items()))
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    return args


def measure_drain(worker: Worker, queue: Queue, total: int, args: argparse.Namespace,
                  done: Callable[[], float] | None = None) -> Throughput:
    """Start the worker on a full queue and time how fast it empties it, from the first message taken
    (and, with ``done``, until ``done()`` answers the time the last message was accepted)."""
    if args.wait_quiet > 0:
        wait_for_quiet(None, args.wait_quiet)
    worker.start()
    first = queue.first_taken(total, args.timeout, worker.check)
    before = cpu_snapshot(worker.pid)  # from the first message on: the worker's start-up is not counted
    drained = queue.drained(args.timeout)
    last = done() if done else drained
    wall = max(last - first, 1e-9)
    share = cpu_share(before, cpu_snapshot(worker.pid), max(time.time() - first, 1e-9))
    return Throughput(total, wall, share)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0, 1 on any duplicate or lost message, 2 when the run itself failed."""
    args = parse_args(argv)
    command = " ".join(["python", "benchmarks/notifications.py", *(argv if argv is not None else sys.argv[1:])])
    url = db_url(args.admin_url, args.db_name)
    count_database(args.db_name)
    zone = ZoneInfo(os.environ.get("CLINIC_TIMEZONE", "America/Edmonton"))
    work_dir = Path(tempfile.mkdtemp(prefix="bench_notifications_"))
    queue = Queue(args.redis_url, f"bench-notifications-{uuid.uuid4().hex[:8]}")
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine_info(),
                              "code": code_version(), "command": command}
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    try:
        lock = exclusive_run(args.admin_url, args.db_name, 900)
    except (RuntimeError, psycopg.Error) as exc:
        print(f"benchmark not run: {exc}", file=sys.stderr)
        return 2
    worker: Worker | None = None
    exit_code = 0
    try:
        with SmtpSink() as sink:
            log(f"creating database {args.db_name}")
            recreate_database(args.admin_url, args.db_name)
            migrate(url)
            seeded = seed(url, zone, appointments=args.messages * 100 // 85 + 200, weeks=8, seed_value=args.seed)
            written = seed_outbox(url, args.messages)
            log(f"seeded {seeded.appointments} appointments; {written} due confirmations in the outbox")
            env = worker_environment(url, args.redis_url, sink.port, work_dir / "instance", queue.name)
            from booking import create_app
            from booking.outbox.relay import relay_due

            app = create_app(environ=env)
            celery = app.extensions["celery"]
            worker = Worker(env, work_dir / "worker.log", celery.control, concurrency=args.concurrency,
                            extra=tuple(args.worker_option))
            report["worker"] = " ".join(["celery", *worker.command[1:]])

            log(f"ceiling: {args.messages} no-op tasks queued, then one worker empties the queue")
            with celery.producer_or_acquire() as producer:
                for number in range(args.messages):
                    celery.send_task(NOOP_TASK, args=[number], producer=producer)
            ceiling = measure_drain(worker, queue, args.messages, args)
            worker.stop()

            log("delivery: the relay hands the outbox over, then one worker sends it all")
            with app.app_context():
                began = time.perf_counter()
                relayed = relay_due()
                relay_seconds = time.perf_counter() - began
                expected = expected_message_ids(app)
            start_index = sink.count()

            def all_accepted() -> float:
                """Wait (the queue is empty now) until every message arrived, or none came for 10 s."""
                seen, quiet_since = -1, time.monotonic()
                while (count := sink.count() - start_index) < len(expected) and \
                        time.monotonic() - quiet_since < 10.0:
                    if count != seen:
                        seen, quiet_since = count, time.monotonic()
                    time.sleep(0.01)
                return max((at for _, at in sink.since(start_index)), default=time.time())

            delivery = measure_drain(worker, queue, relayed, args, all_accepted)
            time.sleep(2.0)  # anything sent twice would arrive now
            duplicates, losses, strangers = sink.tally(expected, start_index)
            statuses = outbox_statuses(url)
            connections = len(sink.connections)

            log(f"latency: {args.bookings} visits booked one at a time, each confirmation timed to acceptance")
            if args.wait_quiet > 0:
                wait_for_quiet(worker.pid, args.wait_quiet)
            worker.wait_ready()
            latency = book_and_time(app, seeded, sink, args.bookings)
            worker.stop()
        report.update(
            concurrency=args.concurrency,
            seeded={"appointments": seeded.appointments, "therapists": len(seeded.therapists)},
            ceiling=ceiling.json(), delivery=delivery.json(),
            relay={"handed_over": relayed, "seconds": round(relay_seconds, 2),
                   "per_second": round(relayed / relay_seconds, 0) if relay_seconds else 0},
            messages={"expected": len(expected), "duplicates": duplicates, "losses": losses, "unexpected": strangers,
                      "outbox": statuses, "smtp_connections": connections},
            latency=latency.json(),
        )
        print_report(report)
        if duplicates or losses or latency.duplicates or latency.losses:
            exit_code = 1
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, default=str))
    except Exception as exc:  # noqa: BLE001 - report, clean up, exit non-zero
        traceback.print_exc()
        if worker is not None:
            print(f"worker log ({worker.log_path}):\n{worker.log_tail()}", file=sys.stderr)
        print(f"benchmark failed: {exc}", file=sys.stderr)
        exit_code = 2
    finally:
        if worker is not None:
            worker.stop()
        queue.clear()
        if not args.keep:
            try:
                drop_database(args.admin_url, args.db_name)
            except psycopg.Error as exc:
                print(f"could not drop {args.db_name}: {exc}", file=sys.stderr)
        lock.close()
        if exit_code == 0 and not args.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            log(f"worker log and instance folder: {work_dir}")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
