#!/usr/bin/env python
"""Plan finder benchmark: a six-week combined-care plan over two 80 % booked calendars, in-process (no database).

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Builds ``--runs`` distinct requests (plus a few warm-up ones), each over two fresh random
   calendars: a physiotherapist and a massage therapist working Monday to Saturday 09:00-17:00
   (America/Edmonton), booked over the nine weeks around the plan with visits of 30-90 minutes
   (buffer included) and gaps of 15-120 minutes drawn so that about ``--occupancy`` of their
   working time is booked (the figure reached is printed).
2. Each request is the clinic's usual plan: six weekly physiotherapy sessions (45 minutes, no
   buffer), three fortnightly massage sessions (60 minutes, 15-minute buffer), massage right
   before physiotherapy, tolerance ±2 days, starting on a Monday a week after "now".
3. Times ``propose_plan`` on each request (building the requests is not timed) and prints
   p50/p95/max, what the plans came to (visits, pairs, gaps), the machine and the commit, and
   the target (p95 <= 200 ms) with PASS/FAIL. Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.common import log, percentile  # noqa: E402
from bench.runner import finish, new_report, print_header  # noqa: E402

from booking.scheduling import (  # noqa: E402
    Course,
    Interval,
    PlanProposal,
    PlanRequest,
    TherapistCalendar,
    WorkingHours,
    propose_plan,
)

TARGET_MS = 200.0
ZONE = ZoneInfo("America/Edmonton")
START = date(2027, 1, 11)  # a Monday; "now" is noon a week before
OPENS, CLOSES = clock(9), clock(17)
VISITS = [30, 45, 60, 75, 90]  # minutes booked per existing visit, buffer included
GAPS = [15, 30, 45, 60, 90, 120]  # minutes free between two visits, when there is a gap


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="timed plans, each over its own calendars")
    parser.add_argument("--warm-up", type=int, default=10, help="untimed plans first")
    parser.add_argument("--occupancy", type=float, default=0.8, help="share of working time booked")
    parser.add_argument("--seed", type=int, default=20270111)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def booked_day(day: date, rng: random.Random, occupancy: float) -> tuple[list[Interval], int]:
    """One working day's bookings, with gaps drawn so that about ``occupancy`` of it is booked."""
    mean_visit, mean_gap = sum(VISITS) / len(VISITS), sum(GAPS) / len(GAPS)
    gap_chance = min(1.0, (1 - occupancy) / occupancy * mean_visit / mean_gap)
    cursor = datetime.combine(day, OPENS, ZONE).astimezone(UTC)
    closes = datetime.combine(day, CLOSES, ZONE).astimezone(UTC)
    busy: list[Interval] = []
    booked = 0
    while cursor < closes:
        if rng.random() < gap_chance:
            cursor += timedelta(minutes=rng.choice(GAPS))
        end = min(cursor + timedelta(minutes=rng.choice(VISITS)), closes)
        if cursor < end:
            busy.append(Interval(cursor, end))
            booked += int((end - cursor).total_seconds() // 60)
        cursor = end
    return busy, booked


def calendar(therapist_id: int, rng: random.Random, occupancy: float) -> tuple[TherapistCalendar, int, int]:
    """A Monday-to-Saturday calendar booked over the nine weeks around the plan; (calendar, booked, worked)."""
    busy: list[Interval] = []
    booked = worked = 0
    for offset in range(-7, 56):
        day = START + timedelta(days=offset)
        if day.weekday() < 6:
            intervals, minutes = booked_day(day, rng, occupancy)
            busy.extend(intervals)
            booked += minutes
            worked += (CLOSES.hour - OPENS.hour) * 60
    hours = [WorkingHours(weekday, OPENS, CLOSES) for weekday in range(6)]
    return TherapistCalendar(therapist_id, hours, busy=busy), booked, worked


def plan_request(rng: random.Random, occupancy: float) -> tuple[PlanRequest, float]:
    """The usual six-week plan over two fresh calendars, and the share of their working time booked."""
    physio, physio_booked, physio_worked = calendar(1, rng, occupancy)
    massage, massage_booked, massage_worked = calendar(2, rng, occupancy)
    request = PlanRequest(
        physiotherapy=Course(physio, timedelta(minutes=45), timedelta(), sessions=6, cadence_days=7),
        massage=Course(massage, timedelta(minutes=60), timedelta(minutes=15), sessions=3, cadence_days=14),
        start=START, tolerance_days=2, back_to_back=True,
        now=datetime.combine(START - timedelta(days=7), clock(12), ZONE), tz=ZONE)
    return request, (physio_booked + massage_booked) / (physio_worked + massage_worked)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time ``propose_plan`` over the runs; the figures."""
    rng = random.Random(args.seed)
    log(f"building {args.warm_up} + {args.runs} requests")
    built = [plan_request(rng, args.occupancy) for _ in range(args.warm_up + args.runs)]
    for request, _ in built[:args.warm_up]:
        propose_plan(request)
    log(f"timing {args.runs} plans")
    timings: list[float] = []
    proposals: list[PlanProposal] = []
    for request, _ in built[args.warm_up:]:
        began = time.perf_counter()
        proposals.append(propose_plan(request))
        timings.append((time.perf_counter() - began) * 1000)
    runs = len(proposals)
    return {
        "runs": runs,
        "occupancy": round(sum(share for _, share in built[args.warm_up:]) / runs, 3),
        "busy_intervals_per_calendar": round(sum(len(request.physiotherapy.calendar.busy)
                                                 for request, _ in built[args.warm_up:]) / runs),
        "p50_ms": round(percentile(timings, 0.50), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "max_ms": round(max(timings), 2),
        "visits_per_plan": round(sum(len(proposal.visits) for proposal in proposals) / runs, 2),
        "pairs_per_plan": round(sum(len({visit.pair for visit in proposal.visits if visit.pair})
                                    for proposal in proposals) / runs, 2),
        "gaps_per_plan": round(sum(len(proposal.gaps) for proposal in proposals) / runs, 2),
        "plans_without_gaps": sum(not proposal.gaps for proposal in proposals),
    }


def print_report(report: dict[str, Any]) -> bool:
    """The figures and the target; whether it is met."""
    figures = report["figures"]
    print_header("Plan finder benchmark", report, database=False)
    print(f"Calendars: {figures['occupancy']:.0%} of working time booked, "
          f"{figures['busy_intervals_per_calendar']} bookings per calendar over nine weeks")
    print(f"Plans: {figures['visits_per_plan']} visits ({figures['pairs_per_plan']} pairs) and "
          f"{figures['gaps_per_plan']} gaps on average of 9 sessions; "
          f"{figures['plans_without_gaps']}/{figures['runs']} plans without a gap")
    met = figures["p95_ms"] <= TARGET_MS
    print(f"{'six-week plan, back to back':<32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    print(f"{'':<32} {figures['p50_ms']:8.1f} {figures['p95_ms']:8.1f} {figures['max_ms']:8.1f}  "
          f"p95 <= {TARGET_MS:.0f} ms {'PASS' if met else 'FAIL'}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the target is met, 1 otherwise."""
    args = parse_args(argv)
    report = new_report(figures=measure(args))
    return finish(report, print_report(report), args.json)


if __name__ == "__main__":
    sys.exit(main())
