"""The frame the in-process benchmarks share: a fresh database, the report's header, the exit status."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.common import ADMIN_URL, BROKER_URL, broker_queue
from bench.database import db_url, drop_database, exclusive_run, migrate, recreate_database
from bench.machine import code_version, machine_info

Report = dict[str, Any]


def new_report(**figures: Any) -> Report:
    """A report: when, on what machine, at which commit, and the figures."""
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine_info(),
            "version": code_version(), **figures}


def database_arguments(parser: argparse.ArgumentParser, db_name: str) -> None:
    """The options of a benchmark on a database of its own: the server to create it on, its name, keeping it."""
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", ADMIN_URL),
                        help="a PostgreSQL database to connect to for creating the benchmark's (default %(default)s)")
    parser.add_argument("--db-name", default=db_name, help="the database to create (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")


def on_fresh_database(args: argparse.Namespace, measure: Callable[[str, argparse.Namespace], Report],
                      cleanup: Callable[[], None] | None = None) -> Report:
    """Measure on a database of the benchmark's own, created and migrated for the run, dropped afterwards."""
    lock = exclusive_run(args.admin_url, args.db_name, wait=600)
    url = db_url(args.admin_url, args.db_name)
    try:
        recreate_database(args.admin_url, args.db_name)
        migrate(url)
        return new_report(**measure(url, args))
    finally:
        if cleanup is not None:
            cleanup()
        if not args.keep:
            drop_database(args.admin_url, args.db_name)
        lock.close()


def measured(args: argparse.Namespace, measure: Callable[[str, argparse.Namespace], Report],
             print_report: Callable[[Report], bool], *, clear_app_queue: bool = False) -> int:
    """Measure on a fresh database (``on_fresh_database``; with ``clear_app_queue`` the tasks the app under test
    published to the benchmark's broker are deleted afterwards), print the report; the exit status (``finish``)."""
    from bench.celery_worker import Queue

    cleanup = None
    if clear_app_queue:
        cleanup = Queue(BROKER_URL, broker_queue(db_url(args.admin_url, args.db_name))).clear
    report = on_fresh_database(args, measure, cleanup=cleanup)
    return finish(report, print_report(report), args.json)


def print_header(title: str, report: Report, *, database: bool = True) -> None:
    """The report's first lines: the title with date and commit, then the machine."""
    version, machine = report["version"], report["machine"]
    print(f"{title}, {report['date']}, commit {version['commit']}"
          f"{' (uncommitted app changes)' if version['uncommitted_app_changes'] else ''}")
    postgresql = f"PostgreSQL {machine['postgresql']}, " if database else ""
    print(f"Machine: {machine['cpus']} CPUs {machine['cpu_model']}, {machine['memory']}, "
          f"{postgresql}Python {machine['python']}")


def finish(report: Report, met: bool, json_path: Any) -> int:
    """Write the JSON report when asked; the exit status: 0 when the targets are met, 1 otherwise."""
    if json_path:
        json_path.write_text(json.dumps(report, indent=2, default=str))
    return 0 if met else 1
