#!/usr/bin/env python
"""Waitlist matching benchmark: 2,000 waiting entries ranked for one freed time, in-process (no database).

What it does (see --help):

1. Builds ``--entries`` random waiting entries (massage or physiotherapy, some naming a therapist, some a
   pair, one in ten a care plan's session, random days, parts of the day and expiries) and ``--runs``
   random openings (plus a few warm-up ones) over the next two weeks in America/Edmonton.
2. Times ``ranked`` (the first three entries to offer each opening to) and, as the ceiling measured in the
   same run, a plain ``sorted`` of 2,000 tuples (what the ranking can hardly beat); prints p50/p95/max of
   both, how many entries fitted, the machine and the commit, and the target (p95 <= 50 ms) with
   PASS/FAIL. Exits 1 when the target is missed. ``--quick`` is a tiny run: does it still work?
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.common import log, percentile  # noqa: E402
from bench.runner import finish, new_report, print_header  # noqa: E402

from booking.waitlist import PARTS_OF_DAY, Opening, WaitingEntry, fits, ranked  # noqa: E402

TARGET_MS = 50.0
ZONE = ZoneInfo("America/Edmonton")
NOW = datetime(2027, 1, 11, 15, 0, tzinfo=UTC)
NOTICE = timedelta(hours=2)
OFFERED_AT_ONCE = 3
THERAPISTS = range(1, 13)
SERVICES = {"massage": ("MASSAGE30", "MASSAGE60", "MASSAGE90"), "physiotherapy": ("PHYSIO30", "PHYSIO45")}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000, help="waiting entries")
    parser.add_argument("--runs", type=int, default=300, help="timed openings")
    parser.add_argument("--warm-up", type=int, default=20, help="untimed openings first")
    parser.add_argument("--seed", type=int, default=20270111)
    parser.add_argument("--quick", action="store_true", help="a tiny run (10 openings)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.warm_up = 10, 2
    return args


def waiting_entry(number: int, rng: random.Random) -> WaitingEntry:
    """A random waiting entry, joined up to 60 days ago, waiting up to 30 days more (some already expired)."""
    therapy = rng.choice(tuple(SERVICES))
    joined_at = NOW - timedelta(minutes=rng.randrange(1, 60 * 24 * 60))
    return WaitingEntry(
        id=number, service_code=rng.choice(SERVICES[therapy]), therapy_type=therapy,
        days=frozenset(rng.sample(range(7), rng.randint(1, 7))),
        parts=frozenset(rng.sample(PARTS_OF_DAY, rng.randint(1, len(PARTS_OF_DAY)))),
        until=max(NOW + timedelta(minutes=rng.randrange(-5 * 24 * 60, 30 * 24 * 60)), joined_at + timedelta(hours=1)),
        joined_at=joined_at, therapist_id=rng.choice([None, None, *THERAPISTS]), plan_session=rng.random() < 0.1,
        pair_with=rng.choice(SERVICES["physiotherapy"]) if therapy == "massage" and rng.random() < 0.2 else None)


def opening(rng: random.Random) -> Opening:
    """A random freed hour of one therapist, on the quarter hour between 08:00 and 20:00 local."""
    day = (NOW.astimezone(ZONE) + timedelta(days=rng.randrange(0, 14))).replace(hour=8, minute=0)
    starts_at = (day + timedelta(minutes=15 * rng.randrange(0, 48))).astimezone(UTC)
    therapy = rng.choice(tuple(SERVICES))
    services = set(SERVICES[therapy]) | (set(SERVICES["physiotherapy"]) if rng.random() < 0.5 else set())
    return Opening(therapist_id=rng.choice(THERAPISTS), therapy_type=therapy, starts_at=starts_at,
                   ends_at=starts_at + timedelta(hours=1), zone=ZONE, services=frozenset(services))


def timed(work: Any) -> float:
    """How long ``work()`` took, in milliseconds."""
    began = time.perf_counter()
    work()
    return (time.perf_counter() - began) * 1000


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time ``ranked`` over the runs, and a plain sort of as many tuples beside it; the figures."""
    rng = random.Random(args.seed)
    log(f"building {args.entries} entries and {args.warm_up} + {args.runs} openings")
    waiting = [waiting_entry(number, rng) for number in range(args.entries)]
    openings = [opening(rng) for _ in range(args.warm_up + args.runs)]
    tuples = [[(rng.random(), rng.random(), number) for number in range(args.entries)]
              for _ in range(args.warm_up + args.runs)]
    for freed, plain in zip(openings[:args.warm_up], tuples[:args.warm_up], strict=True):
        ranked(waiting, freed, NOW, NOTICE, OFFERED_AT_ONCE)
        sorted(plain)
    log(f"timing {args.runs} openings")
    ours = [timed(lambda freed=freed: ranked(waiting, freed, NOW, NOTICE, OFFERED_AT_ONCE))
            for freed in openings[args.warm_up:]]
    ceiling = [timed(lambda plain=plain: sorted(plain)) for plain in tuples[args.warm_up:]]
    fitted = [sum(fits(entry, freed, NOW, NOTICE) for entry in waiting) for freed in openings[args.warm_up:]]
    return {
        "entries": args.entries, "runs": args.runs, "offered_at_once": OFFERED_AT_ONCE,
        "fitting_entries_mean": round(sum(fitted) / len(fitted), 1),
        "ranked_ms": {"p50": round(percentile(ours, 0.50), 3), "p95": round(percentile(ours, 0.95), 3),
                      "max": round(max(ours), 3)},
        "plain_sort_ms": {"p50": round(percentile(ceiling, 0.50), 3), "p95": round(percentile(ceiling, 0.95), 3),
                          "max": round(max(ceiling), 3)},
    }


def print_report(report: dict[str, Any]) -> bool:
    """The figures beside the ceiling and the target; whether it is met."""
    figures = report["figures"]
    print_header("Waitlist matching benchmark", report, database=False)
    print(f"{figures['entries']} waiting entries, {figures['runs']} openings, {figures['fitting_entries_mean']} "
          f"entries fitting an opening on average, the first {figures['offered_at_once']} offered")
    met = figures["ranked_ms"]["p95"] <= TARGET_MS
    print(f"{'work':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    for label, key, target in ((f"rank {figures['entries']} entries for one opening", "ranked_ms",
                                f"p95 <= {TARGET_MS:.0f} ms {'PASS' if met else 'FAIL'}"),
                               (f"ceiling: sorted() of {figures['entries']} tuples", "plain_sort_ms", "")):
        row = figures[key]
        print(f"{label:<40} {row['p50']:8.2f} {row['p95']:8.2f} {row['max']:8.2f}  {target}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the target is met, 1 otherwise."""
    args = parse_args(argv)
    report = new_report(figures=measure(args))
    return finish(report, print_report(report), args.json)


if __name__ == "__main__":
    sys.exit(main())
