#!/usr/bin/env python
"""Course booking benchmark: a 12-visit course of care booked at once through the service, in-process on PostgreSQL.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_course`` on the local PostgreSQL, migrates
   it (``flask --app booking db upgrade``) and seeds a clinic open every day: two
   physiotherapists and two massage therapists working 08:00-20:00, a 60-minute
   physiotherapy visit, a 60-minute massage with a 15-minute buffer, and a combined
   screening per course.
2. Books, with ``booking.services.visits.book_course`` in this process, warm-up
   courses and then ``--courses`` timed ones, each on times nobody has booked: six
   back-to-back pairs (massage, then physiotherapy when it ends), one a week for six
   weeks, with one physiotherapist and one massage therapist. Each booking is one
   transaction: the checks, the locks, the re-check of all 12 visits, 12 inserts, their
   outbox rows, the commit and the hand-over of the due notices to Redis (a queue of the
   benchmark's own, deleted at the end; no worker runs).
3. Prints p50/p95/max and the target (p95 <= 150 ms) with PASS/FAIL, the machine and the
   commit; drops the database (unless --keep). Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.celery_worker import Queue  # noqa: E402
from bench.common import BROKER_URL, SECRET_KEY, log, percentile  # noqa: E402
from bench.runner import database_arguments, finish, on_fresh_database, print_header  # noqa: E402

DB_NAME = "bench_course"
QUEUE = "bench-course"
TARGET_P95_MS = 150.0
WARM_UP = 3
PAIR_HOURS = (8, 10, 12, 14, 16, 18)  # a pair takes two hours: massage, then physiotherapy


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_arguments(parser, DB_NAME)
    parser.add_argument("--courses", type=int, default=50, help="timed course bookings (at most 81)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def seed() -> dict[str, Any]:
    """The clinic (in the app's context): settings, two services, two therapists of each kind."""
    from booking.extensions import db
    from booking.models import ClinicSettings, Service, Therapist, WorkingHours

    db.session.add(ClinicSettings(name="Benchmark clinic", phone="+1 403-555-0142", address="Calgary",
                                  opening_hours=[["07:00", "21:00"]] * 7, cancel_cutoff_hours=24,
                                  min_notice_minutes=120, reminder_offsets_minutes=[1440, 120]))
    physio = Service(code="physio-60", name="Physiotherapy", description="", therapy_type="physiotherapy",
                     duration_minutes=60, buffer_minutes=0, price_cents=9500, active=True)
    massage = Service(code="massage-60", name="Massage therapy", description="", therapy_type="massage",
                      duration_minutes=60, buffer_minutes=15, price_cents=9000, active=True)
    therapists = [Therapist(name=f"Therapist {n}", email=f"therapist{n}@bench.example", bio="", active=True,
                            therapy_type="physiotherapy" if n < 2 else "massage",
                            hours=[WorkingHours(weekday=day, start_time=clock(8), end_time=clock(20))
                                   for day in range(7)])
                  for n in range(4)]
    db.session.add_all([physio, massage, *therapists])
    db.session.commit()
    return {"physio": (physio.code, [t.id for t in therapists[:2]]),
            "massage": (massage.code, [t.id for t in therapists[2:]])}


def courses(seeded: dict[str, Any], first_day: date, count: int) -> list[Any]:
    """``count`` course requests on times no other one takes: per therapist pair, day of the first week and hour."""
    from booking.clinic.times import clinic_zone
    from booking.services.screenings import create_screening
    from booking.services.visits import CourseRequest, PatientDetails, VisitRequest

    physio_code, physios = seeded["physio"]
    massage_code, masseurs = seeded["massage"]
    starts = [(pair, first_day + timedelta(days=day), hour)
              for pair in range(2) for day in range(7) for hour in PAIR_HOURS][:count]
    if len(starts) < count:
        raise SystemExit(f"at most {len(starts)} courses fit the benchmark's calendars")
    requests = []
    for n, (pair, day, hour) in enumerate(starts):
        first = datetime.combine(day, clock(hour), tzinfo=clinic_zone())
        visits = []
        for week in range(6):
            massage_at = first + timedelta(weeks=week)
            visits += [VisitRequest(massage_code, masseurs[pair], massage_at),
                       VisitRequest(physio_code, physios[pair], massage_at + timedelta(minutes=60))]
        screening = create_screening({"concerns": ["athletic_performance"]})
        requests.append(CourseRequest(screening_id=str(screening.id), visits=tuple(visits),
                                      patient=PatientDetails(name=f"Patient {n}", email=f"patient{n}@bench.example",
                                                             phone="403-555-0101")))
    return requests


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed, then book the warm-up and the timed courses (milliseconds each)."""
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    from booking import create_app
    from booking.extensions import db
    from booking.services.visits import book_course
    from booking.services.visits.schedule import clinic_today

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                      "REDIS_URL": BROKER_URL, "CELERY_QUEUE": QUEUE, "CELERY_BROKER_URL": None}, environ={})
    with app.app_context():
        seeded = seed()
        requests = courses(seeded, clinic_today() + timedelta(days=1), WARM_UP + args.courses)
        db.session.commit()
        db.session.remove()
        times = []
        log(f"booking {WARM_UP} warm-up and {args.courses} timed courses of 12 visits")
        for n, request in enumerate(requests):
            began = time.perf_counter()
            booked = book_course(request)
            elapsed = (time.perf_counter() - began) * 1000
            if len(booked) != 12 or any(each.replayed for each in booked):
                raise RuntimeError(f"course {n} booked {len(booked)} visits")
            if n >= WARM_UP:
                times.append(elapsed)
            db.session.remove()
        stored = db.session.scalar(db.text("SELECT count(*) FROM appointments"))
        notices = db.session.scalar(db.text("SELECT count(*) FROM notifications"))
        db.engine.dispose()
    if stored != 12 * len(requests):
        raise RuntimeError(f"{stored} visits stored, not {12 * len(requests)}")
    return {"seeded": {"visits": stored, "notifications": notices},
            "results": {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "max": max(times),
                        "courses": len(times)}}


def print_report(report: dict[str, Any]) -> bool:
    """The figures and the target; whether it is met."""
    print_header("Course booking benchmark", report)
    figures, stored = report["results"], report["seeded"]
    print(f"Stored afterwards: {stored['visits']} visits, {stored['notifications']} outbox rows")
    met = figures["p95"] <= TARGET_P95_MS
    print(f"{'booking':<48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    print(f"{'a 12-visit course, ' + str(figures['courses']) + ' courses':<48} {figures['p50']:8.1f} "
          f"{figures['p95']:8.1f} {figures['max']:8.1f}  p95 <= {TARGET_P95_MS:.0f} ms {'PASS' if met else 'FAIL'}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the target is met, 1 otherwise."""
    args = parse_args(argv)
    report = on_fresh_database(args, measure, cleanup=Queue(BROKER_URL, QUEUE).clear)
    return finish(report, print_report(report), args.json)


if __name__ == "__main__":
    sys.exit(main())
