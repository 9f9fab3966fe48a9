#!/usr/bin/env python
"""Staff pages benchmark: a therapist's week, the admin appointment list and the calendar, server time in-process on
PostgreSQL.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_staff`` on the local PostgreSQL, migrates
   it (``flask --app booking db upgrade``) and seeds it in bulk: 20 therapists, two
   services, 20,000 appointments (15 % of the others cancelled) with their patients and screenings
   (a third of them with a caution), of which 200 fall in therapist 1's coming week and
   150 on one day of twelve other therapists (the calendar's day); every therapist works
   Monday to Saturday, 07:00 to 19:00.
2. Signs in therapist 1 and an admin through server-side sessions (the cookie the
   login would set) and, with the Flask test client in this process, requests
   ``/staff/schedule?view=week`` for that week, ``/admin/appointments`` filtered
   by therapist and status, ``/admin/calendar`` for the twelve therapists' day and
   ``/admin/calendar/week`` for therapist 1's week: warm-up, then ``--requests`` timed
   requests of each, measuring the server's time per request (routing, queries, template,
   audit row).
3. Prints p50/p95/max per page and the targets (week p95 <= 100 ms, list p95 <= 150 ms,
   the calendar's day and week p95 <= 50 ms each) with PASS/FAIL, the machine and the
   commit; drops the database (unless --keep).
   Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.common import SECRET_KEY, log, percentile  # noqa: E402
from bench.runner import database_arguments, finish, on_fresh_database, print_header  # noqa: E402

DB_NAME = "bench_staff"
TARGETS_MS = {"week": 100.0, "list": 150.0, "calendar_day": 50.0, "calendar_week": 50.0}
CALENDAR_THERAPISTS = 12  # the columns of the calendar's day measured
CAUTION = {"concerns": ["relaxation"], "precautions": ["anticoagulants"]}
PLAIN = {"concerns": ["relaxation"]}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_arguments(parser, DB_NAME)
    parser.add_argument("--appointments", type=int, default=20_000)
    parser.add_argument("--week-visits", type=int, default=200, help="visits in therapist 1's measured week")
    parser.add_argument("--day-visits", type=int, default=150, help="visits on the calendar's measured day")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def seed(appointments: int, week_visits: int, day_visits: int, monday: date) -> dict[str, Any]:
    """Bulk-insert the clinic (in the app's context): therapist 1's busy week, the calendar's busy day twelve weeks
    on (past the rest, spread over the 20 weeks around now), every therapist's weekly hours."""
    from booking.clinic.times import clinic_zone
    from booking.extensions import db
    from booking.models import Appointment, Patient, Screening, Service, StaffRole, StaffUser, Therapist, WorkingHours
    from booking.routing import recommend
    from booking.services.staff_accounts.passwords import hash_password

    rng = random.Random(8)
    zone = clinic_zone()
    services = [Service(code="massage-30", name="Massage therapy (30 minutes)", description="", therapy_type="massage",
                        duration_minutes=30, buffer_minutes=0, price_cents=6000, active=True),
                Service(code="physio-30", name="Physiotherapy follow-up", description="", therapy_type="physiotherapy",
                        duration_minutes=30, buffer_minutes=0, price_cents=8000, active=True)]
    therapists = [Therapist(name=f"Therapist {n:02d}", email=f"therapist{n:02d}@bench.example",
                            therapy_type="massage" if n % 2 else "physiotherapy", bio="", active=True)
                  for n in range(1, 21)]
    db.session.add_all([*services, *therapists])
    db.session.flush()
    db.session.add_all([WorkingHours(therapist_id=therapist.id, weekday=weekday, start_time=clock(7),
                                     end_time=clock(19)) for therapist in therapists for weekday in range(6)])
    recommendations = {key: dict(recommend(answers).to_dict()) for key, answers in (("caution", CAUTION),
                                                                                    ("plain", PLAIN))}
    patients = [{"name": f"Patient {n}", "email": f"patient{n}@bench.example", "phone": "+14035550142",
                 "created_at": datetime.now(UTC)} for n in range(2_000)]
    db.session.execute(db.insert(Patient), patients)
    patient_ids = list(db.session.scalars(db.select(Patient.id)))
    now = datetime.now(UTC)
    screenings, visits = [], []

    def add(therapist: Therapist, starts_at: datetime, *, may_cancel: bool = True) -> None:
        kind = "caution" if rng.random() < 0.33 else "plain"
        screening_id = uuid.uuid4()
        recommendation = recommendations[kind]
        screenings.append({"id": screening_id, "answers": CAUTION if kind == "caution" else PLAIN,
                           "recommendation": recommendation, "pathway": recommendation["pathway"],
                           "urgency": recommendation["urgency"], "rules_version": recommendation["rules_version"],
                           "created_at": now})
        cancelled = may_cancel and rng.random() < 0.15
        service = services[0] if therapist.therapy_type == "massage" else services[1]
        visits.append({"id": uuid.uuid4(), "patient_id": rng.choice(patient_ids), "therapist_id": therapist.id,
                       "service_id": service.id, "screening_id": screening_id, "starts_at": starts_at,
                       "ends_at": starts_at + timedelta(minutes=30), "blocked_until": starts_at + timedelta(minutes=30),
                       "status": "cancelled" if cancelled else "booked", "sequence": 0,
                       "manage_token_hash": uuid.uuid4().hex, "created_at": now,
                       "cancelled_at": now if cancelled else None})

    def slots(first: date, days: int, per_day: int) -> list[datetime]:
        return [datetime.combine(first + timedelta(days=d), datetime.min.time(), tzinfo=zone).astimezone(UTC)
                + timedelta(hours=7, minutes=30 * n) for d in range(days) for n in range(per_day)]

    busy = slots(monday, 7, -(-week_visits // 7))[:week_visits]
    for starts_at in busy:
        add(therapists[0], starts_at, may_cancel=False)  # all 200 shown
    calendar_day = monday + timedelta(weeks=12, days=2)  # a Wednesday past the visits spread below
    columns = therapists[1:CALENDAR_THERAPISTS + 1]
    per_column = -(-day_visits // len(columns))
    for n in range(day_visits):
        add(columns[n % len(columns)], slots(calendar_day, 1, per_column)[n // len(columns)], may_cancel=False)
    others = [(t, s) for t in therapists[1:] for s in slots(monday - timedelta(weeks=10), 140, 10)]
    for therapist, starts_at in rng.sample(others, appointments - len(busy) - day_visits):
        add(therapist, starts_at)
    db.session.execute(db.insert(Screening), screenings)
    db.session.execute(db.insert(Appointment), visits)
    password = hash_password("benchmark staff password")
    db.session.add_all([StaffUser(email="therapist@bench.example", password_hash=password,
                                  role=StaffRole.THERAPIST, therapist_id=therapists[0].id, active=True),
                        StaffUser(email="admin@bench.example", password_hash=password, role=StaffRole.ADMIN,
                                  totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", active=True)])
    db.session.commit()
    return {"appointments": len(visits), "week_visits": len(busy), "therapist_id": therapists[0].id,
            "day_visits": day_visits, "calendar_day": calendar_day.isoformat(),
            "calendar_therapists": [therapist.id for therapist in columns]}


def timed(client: Any, path: str, requests: int, marker: str, shown: int) -> dict[str, float]:
    """Warm up (checking the page shows ``shown`` items ``marker``), then time ``requests`` GETs (milliseconds)."""
    for _ in range(5):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    if response.get_data(as_text=True).count(marker) < shown:
        raise RuntimeError(f"{path} shows fewer than {shown} of {marker!r}: not the page meant to be measured")
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "max": max(times), "requests": requests}


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed, sign the two staff members in, and time both pages."""
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    from booking import create_app
    from booking.extensions import db
    from booking.models import StaffUser
    from booking.services.staff_accounts import sessions
    from booking.services.visits.schedule import clinic_today
    from booking.staff.access import SESSION_KEY

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                      "CELERY_BROKER_URL": None}, environ={})
    with app.app_context():
        today = clinic_today()
        monday = today - timedelta(days=today.weekday())
        log(f"seeding {args.appointments} appointments ({args.week_visits} in therapist 1's week of {monday})")
        began = time.perf_counter()
        seeded = seed(args.appointments, args.week_visits, args.day_visits, monday)
        seeded["seconds"] = round(time.perf_counter() - began, 1)
        clients = {}
        for email in ("therapist@bench.example", "admin@bench.example"):
            user = db.session.scalar(db.select(StaffUser).where(StaffUser.email == email))
            client = app.test_client()
            with client.session_transaction() as cookie:
                cookie[SESSION_KEY] = sessions.start_session(user, verified=True)
            clients[user.role] = client
        db.session.remove()
    # Outside the app context above: each request then has its own, with its own ``g``, as under a server
    # (inside it, every request would share one ``g``, and with it the first request's signed-in user).
    week = f"/staff/schedule?view=week&day={monday.isoformat()}"
    listing = f"/admin/appointments?therapist={seeded['therapist_id']}&status=booked"
    log(f"timing {week}")
    results = {"week": timed(clients["therapist"], week, args.requests, 'class="grid-visit ', seeded["week_visits"])}
    log(f"timing {listing}")
    results["list"] = timed(clients["admin"], listing, args.requests, 'href="/admin/appointments/', 50)
    chosen = "&".join(f"therapist={therapist_id}" for therapist_id in seeded["calendar_therapists"])
    calendar_day = f"/admin/calendar?day={seeded['calendar_day']}&{chosen}"
    log(f"timing {calendar_day}")
    results["calendar_day"] = timed(clients["admin"], calendar_day, args.requests, 'class="grid-visit ',
                                    seeded["day_visits"])
    calendar_week = f"/admin/calendar/week?therapist={seeded['therapist_id']}&day={monday.isoformat()}"
    log(f"timing {calendar_week}")
    results["calendar_week"] = timed(clients["admin"], calendar_week, args.requests, 'class="grid-visit ',
                                     seeded["week_visits"])
    with app.app_context():
        db.engine.dispose()
    return {"seeded": seeded, "pages": {"week": week, "list": listing, "calendar_day": calendar_day,
                                        "calendar_week": calendar_week}, "results": results}


def print_report(report: dict[str, Any]) -> bool:
    """The figures and the targets; whether every target is met."""
    print_header("Staff pages benchmark", report)
    seeded = report["seeded"]
    print(f"Seeded: {seeded['appointments']} appointments, {seeded['week_visits']} in the measured week, "
          f"{seeded['day_visits']} on the calendar's day ({seeded['seconds']} s)")
    print(f"{'page':<48} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    met = True
    for name, label in (("week", "therapist's week (200 visits)"), ("list", "admin list, therapist + status"),
                        ("calendar_day", f"calendar day, {CALENDAR_THERAPISTS} therapists, {seeded['day_visits']} visits"),
                        ("calendar_week", f"calendar week, one therapist ({seeded['week_visits']} visits)")):
        figures = report["results"][name]
        passed = figures["p95"] <= TARGETS_MS[name]
        met &= passed
        print(f"{label:<48} {figures['p50']:8.1f} {figures['p95']:8.1f} {figures['max']:8.1f}  "
              f"p95 <= {TARGETS_MS[name]:.0f} ms {'PASS' if passed else 'FAIL'}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every target is met, 1 otherwise."""
    args = parse_args(argv)
    report = on_fresh_database(args, measure)
    return finish(report, print_report(report), args.json)


if __name__ == "__main__":
    sys.exit(main())
