#!/usr/bin/env python
"""Booking benchmark: slot search and booking over HTTP against gunicorn on PostgreSQL, each beside the stack's ceiling.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_booking`` on the local PostgreSQL,
   migrates it (``flask --app booking db upgrade``) and seeds it in bulk with
   COPY: 30 therapists (20 physiotherapy, 10 massage) with weekly hours Monday to
   Saturday, six services, a few days of time off, about 20,000 appointments over
   the 8 weeks starting tomorrow (clinic time; non-overlapping per therapist, inside
   working hours, 15 % cancelled), their patients and screenings.
2. Counts the SQL statements of one request of each kind, in-process, with a
   ``before_cursor_execute`` listener (and, with --profile, profiles each kind
   with pyinstrument).
3. Serves the app with gunicorn as production does (``gunicorn.conf.py``: 2 sync
   workers, its access log; the app's engine options with their connection check,
   CSRF on), rate limits off, on a free loopback port; and beside it, in the same
   gunicorn configuration, a bare Flask + SQLAlchemy app (``bench/ceiling_app.py``)
   doing one SELECT or one INSERT transaction: the stack's ceiling. Drives both with
   closed-loop client threads (http.client, keep-alive when the server allows it):
   warm-up; the ceiling's one SELECT; one-therapist one-day slot search; 14-day slot
   search over 20 therapists; the ceiling's one INSERT; API booking, each booking a
   distinct open time taken from the slots API beforehand; a contention phase where
   16 clients released together race for one therapist's time in each round (at most
   one may win); the HTML booking flow (times page, details form, POST: 303).
   Every measured phase stops by itself (after its time or its work). Then reads the
   memory (RSS) of each gunicorn worker.
4. Checks with SQL that no two live appointments of one therapist overlap
   (double bookings, must be 0), that the stored bookings match the 201s and 303s,
   and counts the deadlocks PostgreSQL detected during the contention phase.
5. Prints a table with p50/p95/p99 and requests per second, the CPU each party
   used (client, gunicorn, PostgreSQL, the rest of this shared machine) and per
   request, issue 15's table (ours, the ceiling, the ratio, the peer's recorded
   figure, the target) and the checks; stops gunicorn and drops the database
   (unless --keep). Exits 1 on any double booking, 2 when the run itself failed.

``--quick`` is a tiny run (CI's ``tests/test_benchmarks.py``): it checks that the benchmark works, not the figures.
Only one run at a time per database: a PostgreSQL advisory lock makes a second run wait.
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
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

HERE = Path(__file__).resolve().parent
# The app's package, not this file, is what ``import booking`` must find; the bench package sits beside this file.
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.ceiling_app import create_table  # noqa: E402
from bench.celery_worker import Queue  # noqa: E402
from bench.client import fetch_json  # noqa: E402
from bench.common import ADMIN_URL, API, BROKER_URL, DB_NAME, broker_queue, log  # noqa: E402
from bench.database import (  # noqa: E402
    app_environment,
    db_url,
    double_bookings,
    drop_database,
    exclusive_run,
    migrate,
    postgres_inserts,
    recreate_database,
)
from bench.inprocess import in_process  # noqa: E402
from bench.load import PhaseResult  # noqa: E402
from bench.machine import code_version, count_database, machine_info  # noqa: E402
from bench.phases import Run, booking_phases, search_phases  # noqa: E402
from bench.report import Bookings, Flows, fill_report, print_report  # noqa: E402
from bench.seeding import Seeded, seed  # noqa: E402
from bench.server import Server  # noqa: E402

# --quick: a run of a minute or so that exercises every phase, for CI.
QUICK = {"appointments": 1000, "weeks": 3, "seconds": 1.0, "booking_seconds": 1.0, "contention_rounds": 3}


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
                        help="length of the API booking and HTML flow phases (each also ends when the open times "
                             "run out)")
    parser.add_argument("--search-clients", type=int, default=8)
    parser.add_argument("--range-clients", type=int, default=8)
    parser.add_argument("--booking-clients", type=int, default=4)
    parser.add_argument("--flow-clients", type=int, default=4)
    parser.add_argument("--contention-clients", type=int, default=16)
    parser.add_argument("--contention-rounds", type=int, default=30)
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run that checks the benchmark works (CI), not the figures: "
                             + ", ".join(f"--{name.replace('_', '-')} {value:g}" for name, value in QUICK.items()))
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="also profile each request kind in-process with pyinstrument; write DIR/*.txt|html")
    parser.add_argument("--profile-requests", type=int, default=200)
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="before each measured phase wait up to SECONDS for other processes to use under "
                             "0.35 cores (the machine is shared); default: do not wait")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    return args


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


def conclude(run: Run, report: dict[str, Any], command: str, searches: list[PhaseResult], bookings: Bookings,
             flows: Flows, inproc: dict[str, Any], pg_alone: dict[str, float]) -> int:
    """Fill in and print the report, check the stored bookings, write --json; the exit status."""
    from booking.config import DEFAULTS

    memory = {"app": run.server.worker_memory(), "bare": run.ceiling.worker_memory()}
    fill_report(report, command=command, servers=(run.server, run.ceiling),
                engine=DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"], seeded=run.seeded, inproc=inproc,
                phases=[*searches, bookings.ceiling, bookings.phase, flows.phase], bookings=bookings, flows=flows,
                memory=memory, pg_alone=pg_alone, quiet=run.quiet)
    contention = bookings.contention
    print_report(report, searches, bookings, flows, inproc)
    created = bookings.phase.statuses[201]
    ok_stored = bookings.stored == created + bookings.warm_created and \
        bookings.stored_after == bookings.stored + contention.statuses[201] and \
        flows.stored == flows.warm_created + flows.phase.statuses[303]
    if not ok_stored:
        print(f"\nWARNING: stored bookings ({bookings.stored}, then {bookings.stored_after}; by the flows "
              f"{flows.stored}) do not match the answers ({bookings.warm_created} warm-up + {created} 201s, then "
              f"+{contention.statuses[201]}; {flows.warm_created} + {flows.phase.statuses[303]} 303s).")
    exit_code = 0
    if bookings.doubles_after_booking or bookings.doubles_after_contention or flows.doubles or \
            any(w > 1 for w in contention.winners):
        exit_code = 1
    if run.args.json:
        run.args.json.write_text(json.dumps(report, indent=2, default=str))
    return exit_code


def clean_up(args: argparse.Namespace, url: str, servers: list[Server], lock: psycopg.Connection, log_dir: Path,
             exit_code: int) -> None:
    """Stop gunicorn, delete the published tasks, drop the database (unless --keep), release the lock;
    keep the logs unless all went well."""
    for server in servers:
        server.stop()
    broker = Queue(BROKER_URL, broker_queue(url))
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
        log(f"gunicorn logs: {log_dir}")


def start_servers(args: argparse.Namespace, url: str, log_dir: Path, servers: list[Server]) -> tuple[Server, Server]:
    """The app and the bare app, each under gunicorn in the same configuration (added to ``servers`` to stop)."""
    settings = {"workers": args.workers, "worker_class": args.worker_class, "threads": args.threads}
    create_table(url)
    # The bare app by its path from the project's root: benchmarks/ on gunicorn's path would make
    # benchmarks/booking.py the ``booking`` that gunicorn.conf.py imports.
    for target, pythonpath, name in ((args.app, args.pythonpath, "gunicorn"),
                                     ("benchmarks.bench.ceiling_app:create_app()", None, "ceiling")):
        server = Server(app_environment(url), target=target, pythonpath=pythonpath,
                        log_path=log_dir / f"{name}.log", **settings)
        servers.append(server)
        server.start()
        log(f"{name} up on port {server.port}: {' '.join(server.command[1:])}")
    return servers[0], servers[1]


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
    servers: list[Server] = []
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
        seconds = 1.0 if args.quick else 3.0
        log(f"PostgreSQL alone: single-row inserts under the exclusion constraint (8 connections, {seconds:.0f} s)")
        pg_alone = postgres_inserts(url, 8, seconds)
        log("counting SQL statements per request (in-process)")
        inproc = in_process(url, seeded, args.profile, args.profile_requests)
        server, ceiling = start_servers(args, url, log_dir, servers)
        screening_ids = [fetch_json(server.port, "POST", f"{API}/screenings",
                                    {"concerns": ["chronic_pain", "muscle_tension"]}, expect=201)["id"]
                         for _ in range(max(args.booking_clients, args.flow_clients, args.contention_clients))]
        run = Run(args, url, server, ceiling, seeded, screening_ids, email_prefix)
        searches = search_phases(run)
        bookings, flows = booking_phases(run, rng)
        exit_code = conclude(run, report, command, searches, bookings, flows, inproc, pg_alone)
    except Exception as exc:  # noqa: BLE001 - report, clean up, exit non-zero
        traceback.print_exc()
        for server in servers:
            print(f"gunicorn log ({server.log_path}):\n{server.log_tail()}", file=sys.stderr)
        print(f"benchmark failed: {exc}", file=sys.stderr)
        exit_code = 2
    finally:
        clean_up(args, url, servers, lock, log_dir, exit_code)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
