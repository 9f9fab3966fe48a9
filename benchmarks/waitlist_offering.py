#!/usr/bin/env python
"""Waitlist offering benchmark: a freed time matched against 2,000 waiting entries in PostgreSQL and offered.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_waitlist_offering`` on the local PostgreSQL, migrates it and seeds the
   benchmark clinic (``bench/seeding.py``: 30 therapists, ``--appointments`` visits over 4 weeks) and
   ``--entries`` waiting entries (``bench/waitlisting.py``: random services, some pairs, some naming a therapist,
   random days, parts of the day and expiries, each with an email address); then cancels ``--runs`` (+ warm-up)
   random visits two days ahead or more, each opening its time as a cancellation does.
2. Times ``offering.advance`` on each opening, in-process, as the worker's task runs it: the opening locked, the
   waiting entries read and ranked (``matching``), checked against the live calendars, the first offer and its
   email written and committed, the email handed to the broker (the benchmark's own queue, deleted at the end).
   After each turn the offer made is marked expired (untimed), so every turn sees all the entries waiting.
3. The ceiling, in the same run and through the same engine, right before each turn (the machine is shared: both
   then see the same load): a plain SELECT of the waiting entries' rows.
4. Prints p50/p95/max of both (and the CPU of this process in a turn: the rest is PostgreSQL's and waiting, on a
   shared machine), their ratio, how many turns made an offer, the machine and the commit, and the
   target (an opening matched in at most 50 ms, p95) with PASS/FAIL; exits 1 when it is missed.

``--quick`` is a tiny run (CI's ``tests/test_benchmarks.py``): 300 visits, 200 entries, 5 turns.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.common import BROKER_URL, SECRET_KEY, broker_queue, log, percentile  # noqa: E402
from bench.runner import database_arguments, measured, print_header  # noqa: E402
from bench.seeding import seed  # noqa: E402
from bench.waitlisting import free_times, seed_entries  # noqa: E402

DB_NAME = "bench_waitlist_offering"
TARGET_MS = 50.0
ZONE = ZoneInfo("America/Edmonton")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_arguments(parser, DB_NAME)
    parser.add_argument("--entries", type=int, default=2000, help="waiting entries")
    parser.add_argument("--appointments", type=int, default=6000, help="seeded visits over 4 weeks")
    parser.add_argument("--runs", type=int, default=100, help="timed openings")
    parser.add_argument("--warm-up", type=int, default=10, help="untimed openings first")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--quick", action="store_true", help="a tiny run: 300 visits, 200 entries, 5 openings")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.appointments, args.entries, args.runs, args.warm_up = 300, 200, 5, 1
    return args


def ms_since(began: float) -> float:
    """Milliseconds since ``began`` (time.perf_counter())."""
    return (time.perf_counter() - began) * 1000


def turn(opening_id: int) -> tuple[float, float, int]:
    """One timed ``advance`` of the opening: milliseconds, this process's CPU milliseconds and offers made; the
    offers are then expired (untimed)."""
    from sqlalchemy import update

    from booking.extensions import db
    from booking.models import OfferStatus, WaitlistOffer
    from booking.services.waitlist import offering

    began, cpu = time.perf_counter(), time.process_time()
    made = offering.advance(opening_id)
    ms, cpu_ms = ms_since(began), (time.process_time() - cpu) * 1000
    db.session.execute(update(WaitlistOffer).where(WaitlistOffer.opening_id == opening_id)
                       .values(status=OfferStatus.EXPIRED))
    db.session.commit()
    return ms, cpu_ms, len(made)


def plain_select() -> float:
    """The ceiling: every waiting entry's row by one plain SELECT, through the app's engine; milliseconds."""
    from sqlalchemy import text

    from booking.extensions import db

    began = time.perf_counter()
    rows = db.session.execute(text("SELECT * FROM waitlist_entries WHERE status = 'waiting'")).all()
    db.session.commit()
    ms = ms_since(began)
    if not rows:
        raise RuntimeError("no waiting entry to select")
    return ms


def summary(values: list[float]) -> dict[str, float]:
    """p50, p95 and max, in milliseconds."""
    return {"p50": round(percentile(values, 0.50), 2), "p95": round(percentile(values, 0.95), 2),
            "max": round(max(values), 2)}


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed, then time each opening's turn and the plain SELECT beside it."""
    seeded = seed(url, ZONE, appointments=args.appointments, weeks=4, seed_value=args.seed)
    seed_entries(url, seeded, args.entries, args.seed)
    opening_ids = free_times(url, args.warm_up + args.runs, args.seed)
    log(f"seeded {seeded.appointments} visits, {args.entries} waiting entries, {len(opening_ids)} freed times")
    from booking import create_app
    from booking.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                      "REDIS_URL": BROKER_URL, "CELERY_BROKER_URL": None, "CELERY_QUEUE": broker_queue(url)},
                     environ={})
    with app.app_context():
        for opening_id in opening_ids[:args.warm_up]:
            turn(opening_id)
            plain_select()
        log(f"timing {args.runs} openings, each right after the ceiling")
        ceiling, turns = [], []
        for opening_id in opening_ids[args.warm_up:]:
            ceiling.append(plain_select())
            turns.append(turn(opening_id))
        db.session.remove()
        db.engine.dispose()
    return {"entries": args.entries, "appointments": seeded.appointments, "runs": len(turns),
            "offered": sum(1 for *_, made in turns if made), "advance_ms": summary([ms for ms, _, _ in turns]),
            "advance_cpu_ms": summary([cpu for _, cpu, _ in turns]), "plain_select_ms": summary(ceiling)}


def print_report(report: dict[str, Any]) -> bool:
    """The figures beside the ceiling and the target; whether it is met."""
    print_header("Waitlist offering benchmark", report)
    ours, ceiling = report["advance_ms"], report["plain_select_ms"]
    print(f"{report['entries']} waiting entries and {report['appointments']} visits in PostgreSQL, "
          f"{report['runs']} freed times, {report['offered']} of them offered")
    met = ours["p95"] <= TARGET_MS
    print(f"{'work':<48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    print(f"{'offering.advance of one freed time':<48} {ours['p50']:8.2f} {ours['p95']:8.2f} {ours['max']:8.2f}  "
          f"p95 <= {TARGET_MS:.0f} ms {'PASS' if met else 'FAIL'}")
    cpu = report["advance_cpu_ms"]
    print(f"{'  of which CPU of this process (the worker)':<48} {cpu['p50']:8.2f} {cpu['p95']:8.2f} {cpu['max']:8.2f}")
    label = f"ceiling: SELECT of the {report['entries']} entries' rows"
    print(f"{label:<48} {ceiling['p50']:8.2f} {ceiling['p95']:8.2f} {ceiling['max']:8.2f}")
    print(f"{'ratio (ours / ceiling)':<48} {ours['p50'] / ceiling['p50']:8.1f} {ours['p95'] / ceiling['p95']:8.1f}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the target is met, 1 otherwise."""
    args = parse_args(argv)
    return measured(args, measure, print_report, clear_app_queue=True)


if __name__ == "__main__":
    sys.exit(main())
