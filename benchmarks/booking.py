#!/usr/bin/env python
"""Booking benchmark: slot search and booking over HTTP against gunicorn on PostgreSQL.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_booking`` on the local PostgreSQL,
   migrates it (``flask --app booking db upgrade``) and seeds it in bulk with
   COPY: 30 therapists (15 physiotherapy, 15 massage) with weekly hours Monday to
   Saturday, six services, a few days of time off, about 20,000 appointments over
   the 8 weeks starting tomorrow (clinic time; non-overlapping per therapist, inside
   working hours, 15 % cancelled), their patients and screenings.
2. Counts the SQL statements of one request of each kind, in-process, with a
   ``before_cursor_execute`` listener (and, with --profile, profiles each kind
   with pyinstrument).
3. Serves the app with gunicorn (2 workers, a SQLAlchemy connection pool per
   worker, rate limits and CSRF off) on a free loopback port and drives it with
   closed-loop client threads (http.client, keep-alive when the server allows it):
   warm-up; one-therapist one-day slot search; type-wide 14-day slot search;
   booking creation with 16 clients, each booking a distinct open time taken
   from the slots API beforehand; a contention phase where 16 clients released
   together race for one therapist's time in each round (at most one may win).
   Every measured phase stops by itself (after its time or its work).
4. Checks with SQL that no two live appointments of one therapist overlap
   (double bookings, must be 0), that the stored bookings match the 201s, and
   counts the deadlocks PostgreSQL detected during the contention phase.
5. Prints a table with p50/p95/p99 and requests per second, the CPU each party
   used (client, gunicorn, PostgreSQL, the rest of this shared machine) and per
   request, and the targets with PASS/FAIL; stops gunicorn and drops the database
   (unless --keep). Exits 1 on any double booking, 2 when the run itself failed.

Only one run at a time: a PostgreSQL advisory lock makes a second run wait.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

HERE = Path(__file__).resolve().parent
# The app's package, not this file, is what ``import booking`` must find; the bench package sits beside this file.
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.api import booking_body, one_day_path, range_path  # noqa: E402
from bench.celery_worker import Queue  # noqa: E402
from bench.client import fetch_json  # noqa: E402
from bench.common import ADMIN_URL, API, BROKER_QUEUE, BROKER_URL, DB_NAME, log  # noqa: E402
from bench.database import (  # noqa: E402
    db_url,
    deadlocks,
    double_bookings,
    drop_database,
    exclusive_run,
    has_exclusion_constraint,
    migrate,
    postgres_inserts,
    recreate_database,
    stored_bench_bookings,
)
from bench.inprocess import in_process  # noqa: E402
from bench.load import PhaseResult, Work, prepare_bookings, run_contention, run_phase  # noqa: E402
from bench.machine import code_version, count_database, machine_info, wait_for_quiet  # noqa: E402
from bench.report import Bookings, fill_report, print_report  # noqa: E402
from bench.seeding import Seeded, seed  # noqa: E402
from bench.server import Server  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", ADMIN_URL),
                        help="a database URL on the PostgreSQL server to use (default %(default)s)")
    parser.add_argument("--db-name", default=DB_NAME, help="the database to create (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--appointments", type=int, default=20_000)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync",
                        help="gunicorn worker class (default %(default)s: the better tail latency and far fewer "
                             "deadlocks under contention than gthread; see docs/performance.md)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker with gthread")
    parser.add_argument("--app", default="booking:create_app()",
                        help="the WSGI target gunicorn serves (default %(default)s); another one lets you "
                             "measure a change, e.g. a module that patches the app, before making it")
    parser.add_argument("--pythonpath", help="directory gunicorn adds to sys.path (for --app)")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each measured search phase")
    parser.add_argument("--booking-seconds", type=float, default=10.0,
                        help="length of the booking phase (it also ends when its ~4,400 open times run out)")
    parser.add_argument("--search-clients", type=int, default=8)
    parser.add_argument("--range-clients", type=int, default=4)
    parser.add_argument("--booking-clients", type=int, default=16)
    parser.add_argument("--contention-rounds", type=int, default=30)
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="also profile each request kind in-process with pyinstrument; write DIR/*.txt|html")
    parser.add_argument("--profile-requests", type=int, default=200)
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="before each measured phase wait up to SECONDS for other processes to use under "
                             "0.35 cores (the machine is shared); default: do not wait")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--seed", type=int, default=20261127)
    return parser.parse_args(argv)


@dataclass
class Run:
    """What the measured phases share: the options, the database, the server and the seeded data."""

    args: argparse.Namespace
    url: str
    server: Server
    seeded: Seeded
    screening_ids: list[str]
    email_prefix: str
    quiet: dict[str, float] = field(default_factory=dict)  # cores others used before each phase (--wait-quiet)

    def settle(self, name: str) -> None:
        """With --wait-quiet, wait for the machine to calm down before phase ``name``."""
        if self.args.wait_quiet > 0:
            self.quiet[name] = round(wait_for_quiet(self.server.pid, self.args.wait_quiet), 2)

    def phase(self, name: str, clients: int, seconds: float, work: Work, expect: int, seed_value: int,
              max_requests: int | None = None) -> PhaseResult:
        """One closed-loop phase against the server."""
        return run_phase(name, self.server.port, clients, seconds, work, expect=[expect],
                         server_pid=self.server.pid, max_requests=max_requests, seed_value=seed_value)


def prepare_database(args: argparse.Namespace, url: str, zone: ZoneInfo) -> Seeded:
    """Create, migrate and seed the benchmark database; check the seed has no overlaps."""
    log(f"creating database {args.db_name}")
    recreate_database(args.admin_url, args.db_name)
    migrate(url)
    log("migrated; seeding")
    seeded = seed(url, zone, appointments=args.appointments, weeks=args.weeks, seed_value=args.seed)
    log(f"seeded {seeded.appointments} appointments ({seeded.cancelled} cancelled), {seeded.patients} "
        f"patients, occupancy {seeded.occupancy:.0%} in {seeded.seconds:.1f} s")
    initial_doubles = double_bookings(url)
    if initial_doubles:
        raise RuntimeError(f"the seed itself has {initial_doubles} overlapping pairs")
    return seeded


def search_phases(run: Run) -> list[PhaseResult]:
    """Warm-up, then the measured slot-search phases."""
    args, seeded = run.args, run.seeded
    days = seeded.working_days()

    def one_day(_index: int, client_rng: random.Random) -> tuple[str, str, None]:
        return "GET", one_day_path(seeded, client_rng, days), None

    def range_14(_index: int, client_rng: random.Random) -> tuple[str, str, None]:
        return "GET", range_path(seeded, client_rng, days), None

    def mixed(index: int, client_rng: random.Random) -> tuple[str, str, None]:
        return (one_day if index % 2 else range_14)(index, client_rng)

    log("warm-up (3 s, 4 clients)")
    run.phase("warm-up", 4, 3.0, mixed, 200, 1)
    phases: list[PhaseResult] = []
    run.settle("slots: 1 therapist, 1 day")
    log(f"one-therapist one-day slot search ({args.search_clients} clients, {args.seconds:.0f} s)")
    phases.append(run.phase("slots: 1 therapist, 1 day", args.search_clients, args.seconds, one_day, 200, 2))
    run.settle("slots: 1 type, 14 days")
    log(f"type-wide 14-day slot search ({args.range_clients} clients, {args.seconds:.0f} s)")
    phases.append(run.phase("slots: 1 type, 14 days", args.range_clients, args.seconds, range_14, 200, 3))
    run.settle("slots: 1 type, 14 days (1 client)")
    log("type-wide 14-day slot search, 1 client (latency without queueing, 5 s)")
    phases.append(run.phase("slots: 1 type, 14 days (1 client)", 1, 5.0, range_14, 200, 4))
    return phases


def booking_phases(run: Run, rng: random.Random) -> Bookings:
    """Warm-up bookings, the booking phase and the contention phase, each checked in the database."""
    args, url = run.args, run.url
    log("collecting open times for the booking phases from the slots API")
    pool, groups = prepare_bookings(run.server.port, run.seeded, args.contention_rounds, rng)
    log(f"{len(pool)} distinct non-overlapping open times to book; {len(groups)} contention rounds")
    queue = deque(pool)
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def book_one(index: int, _rng: random.Random) -> tuple[str, str, dict[str, Any]] | None:
        try:
            booking = queue.popleft()
        except IndexError:
            return None
        with counter_lock:
            number = next(counter)
        return "POST", f"{API}/appointments", booking_body(
            booking, run.screening_ids[index % len(run.screening_ids)], f"{run.email_prefix}{number}@example.com")

    log("warm-up bookings (32, 4 clients; not counted)")
    warm = run.phase("warm-up bookings", 4, 10.0, book_one, 201, 6, max_requests=32)
    run.settle("bookings (distinct times)")
    log(f"booking creation ({args.booking_clients} clients, up to {args.booking_seconds:.0f} s)")
    booked = run.phase("bookings (distinct times)", args.booking_clients, args.booking_seconds, book_one, 201, 5)
    doubles_after_booking = double_bookings(url)
    stored = stored_bench_bookings(url, run.email_prefix)
    deadlocks_before = deadlocks(url)

    log(f"contention ({args.booking_clients} clients x {len(groups)} rounds, same times)")
    contention = run_contention(run.server.port, groups, args.booking_clients, run.screening_ids, run.email_prefix)
    doubles_after_contention = double_bookings(url)
    contention_deadlocks = deadlocks(url) - deadlocks_before
    stored_after = stored_bench_bookings(url, run.email_prefix)
    return Bookings(len(pool), warm.statuses[201], booked, stored, doubles_after_booking, contention, stored_after,
                    doubles_after_contention, contention_deadlocks, has_exclusion_constraint(url))


def conclude(run: Run, report: dict[str, Any], command: str, phases: list[PhaseResult], bookings: Bookings,
             inproc: dict[str, Any], pg_alone: dict[str, float]) -> int:
    """Fill in and print the report, check the stored bookings, write --json; the exit status."""
    phases = [*phases, bookings.phase]
    fill_report(report, command=command, server=run.server, seeded=run.seeded, inproc=inproc, phases=phases,
                bookings=bookings, pg_alone=pg_alone, quiet=run.quiet)
    contention = bookings.contention
    print_report(report, phases, bookings.phase, contention, inproc)
    created = bookings.phase.statuses[201]
    ok_stored = bookings.stored == created + bookings.warm_created and \
        bookings.stored_after == bookings.stored + contention.statuses[201]
    if not ok_stored:
        print(f"\nWARNING: stored bookings ({bookings.stored}, then {bookings.stored_after}) do not match the 201 "
              f"answers ({bookings.warm_created} warm-up + {created}, then +{contention.statuses[201]}).")
    exit_code = 0
    if bookings.doubles_after_booking or bookings.doubles_after_contention or any(w > 1 for w in contention.winners):
        exit_code = 1
    if run.args.json:
        run.args.json.write_text(json.dumps(report, indent=2, default=str))
    return exit_code


def clean_up(args: argparse.Namespace, url: str, server: Server | None, lock: psycopg.Connection, log_dir: Path,
             exit_code: int) -> None:
    """Stop gunicorn, delete the published tasks, drop the database (unless --keep), release the lock;
    keep the log unless all went well."""
    if server is not None:
        server.stop()
    broker = Queue(BROKER_URL, BROKER_QUEUE)
    log(f"{broker.waiting()} notification tasks were published (no worker ran); deleting them")
    broker.clear()
    if not args.keep:
        try:
            drop_database(args.admin_url, args.db_name)
        except psycopg.Error as exc:
            print(f"could not drop {args.db_name}: {exc}", file=sys.stderr)
    else:
        log(f"kept database {url}")
    lock.close()  # releases the advisory lock
    if exit_code == 0 and not args.keep:
        shutil.rmtree(log_dir, ignore_errors=True)
    else:
        log(f"gunicorn log: {log_dir / 'gunicorn.log'}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 0, 1 on any double booking, 2 when the run itself failed."""
    args = parse_args(argv)
    command = " ".join(["python", "benchmarks/booking.py", *(argv if argv is not None else sys.argv[1:])])
    url = db_url(args.admin_url, args.db_name)
    count_database(args.db_name)
    zone = ZoneInfo(os.environ.get("CLINIC_TIMEZONE", "America/Edmonton"))
    rng = random.Random(args.seed)
    email_prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    log_dir = Path(tempfile.mkdtemp(prefix="bench_booking_"))
    server: Server | None = None
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine_info(),
                              "code": code_version()}
    exit_code = 0
    # Stopped with SIGTERM: unwind through the clean-up below (stop gunicorn, drop the database).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    try:
        lock = exclusive_run(args.admin_url, args.db_name, 900)
    except (RuntimeError, psycopg.Error) as exc:
        print(f"benchmark not run: {exc}", file=sys.stderr)
        return 2
    try:
        seeded = prepare_database(args, url, zone)
        log("PostgreSQL alone: single-row inserts under the exclusion constraint (8 connections, 3 s)")
        pg_alone = postgres_inserts(url, 8, 3.0)
        log("counting SQL statements per request (in-process)")
        inproc = in_process(url, seeded, args.profile, args.profile_requests)

        server = Server(url, workers=args.workers, worker_class=args.worker_class, threads=args.threads,
                        log_dir=log_dir, target=args.app, pythonpath=args.pythonpath)
        server.start()
        log(f"gunicorn up on port {server.port}: {' '.join(server.command[1:])}")
        screening_ids = [fetch_json(server.port, "POST", f"{API}/screenings",
                                    {"concerns": ["chronic_pain", "muscle_tension"]}, expect=201)["id"]
                         for _ in range(args.booking_clients)]
        run = Run(args, url, server, seeded, screening_ids, email_prefix)
        phases = search_phases(run)
        bookings = booking_phases(run, rng)
        exit_code = conclude(run, report, command, phases, bookings, inproc, pg_alone)
    except Exception as exc:  # noqa: BLE001 - report, clean up, exit non-zero
        traceback.print_exc()
        if server is not None:
            print(f"gunicorn log ({server.log_path}):\n{server.log_tail()}", file=sys.stderr)
        print(f"benchmark failed: {exc}", file=sys.stderr)
        exit_code = 2
    finally:
        clean_up(args, url, server, lock, log_dir, exit_code)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
