#!/usr/bin/env python
"""Waitlist claims benchmark: 50 waitlisters claim one freed time at once over HTTP, beside the stack's ceiling.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_waitlist_claims`` on the local PostgreSQL, migrates it and seeds, in
   this process, a clinic open every day with one physiotherapist and a 60-minute physiotherapy visit; then,
   for each of ``--rounds`` rounds, a freed time of that physiotherapist (a day ahead or more, at 10:00) offered to
   ``--waitlisters`` waiting patients, each offer with its own claim link, held for 30 minutes.
2. Serves the app with gunicorn as production does (``gunicorn.conf.py``: 2 sync workers, CSRF on, rate limits
   off) and beside it, in the same configuration, the bare app of ``bench/ceiling_app.py``.
3. Each round: every waitlister's client opens its claim page (its CSRF token and session cookie), then all are
   released together by a barrier and press "Book this time" (the POST is what is timed). A claim that booked
   answers 303 to the booking's confirmation; one that lost answers 303 back to its claim page, which must then
   say kindly that the time was taken. Right before, the same number of clients released together make the
   ceiling's one INSERT each.
4. Prints per round and in all: bookings (must be 1 a round), clear "taken" answers (must be the rest), 5xx
   (must be 0), other answers, p50/p95/max of the claims and of the ceiling's inserts and their ratio; checks
   with SQL that the time holds one live visit. Exits 1 when a check fails.

``--quick`` is a tiny run (CI's ``tests/test_benchmarks.py``): one round of 10 waitlisters.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.ceiling_app import create_table  # noqa: E402
from bench.client import Client  # noqa: E402
from bench.common import BROKER_URL, SECRET_KEY, log, percentile  # noqa: E402
from bench.database import app_environment  # noqa: E402
from bench.flows import CSRF_TOKEN, HTML  # noqa: E402
from bench.runner import database_arguments, measured, print_header  # noqa: E402
from bench.server import Server  # noqa: E402

DB_NAME = "bench_waitlist_claims"
TAKEN_PAGE = b"Someone else just booked this time"
BOOKED = re.compile(rb'href="/book/confirmed/[^"]+"')


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_arguments(parser, DB_NAME)
    parser.add_argument("--waitlisters", type=int, default=50, help="claims of one time at once")
    parser.add_argument("--rounds", type=int, default=5, help="freed times, claimed one after the other")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--quick", action="store_true", help="a tiny run: one round of 10 waitlisters")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.waitlisters, args.rounds = 10, 1
    return args


def seed(waitlisters: int, rounds: int) -> list[dict[str, Any]]:
    """The clinic and, per round, a freed time offered to ``waitlisters`` entries (in the app's context): each
    round's start and its claim links' paths."""
    from booking.clinic.times import clinic_zone
    from booking.extensions import db
    from booking.models import ClinicSettings, Patient, Service, Therapist, WorkingHours
    from booking.models.waitlist import OpeningCause, WaitlistEntry, WaitlistOffer, WaitlistOpening
    from booking.services.screenings import create_screening
    from booking.services.visits import token_hash
    from booking.services.visits.schedule import clinic_today
    from booking.services.waitlist.links import entry_token, offer_token

    db.session.add(ClinicSettings(name="Benchmark clinic", phone="+1 403-555-0142", address="Calgary",
                                  opening_hours=[["07:00", "21:00"]] * 7, cancel_cutoff_hours=24,
                                  min_notice_minutes=120, reminder_offsets_minutes=[1440, 120]))
    service = Service(code="physio-60", name="Physiotherapy", description="", therapy_type="physiotherapy",
                      duration_minutes=60, buffer_minutes=0, price_cents=9500, active=True)
    therapist = Therapist(name="Therapist 1", email="therapist1@bench.example", bio="", active=True,
                          therapy_type="physiotherapy",
                          hours=[WorkingHours(weekday=day, start_time=clock(8), end_time=clock(20)) for day in range(7)])
    db.session.add_all([service, therapist])
    db.session.flush()
    now = datetime.now().astimezone()
    seeded = []
    for round_number in range(rounds):
        starts_at = datetime.combine(clinic_today() + timedelta(days=1 + round_number), clock(10), tzinfo=clinic_zone())
        opening = WaitlistOpening(key=f"bench:{round_number}", therapist_id=therapist.id, starts_at=starts_at,
                                  ends_at=starts_at + service.duration, cause=OpeningCause.CANCELLATION,
                                  created_at=now, relayed_at=now)
        db.session.add(opening)
        db.session.flush()
        paths = []
        for n in range(waitlisters):
            patient = Patient(name=f"Waiting {round_number}-{n}", email=f"waiting{round_number}-{n}@bench.example",
                              phone="403-555-0101")
            screening = create_screening({"concerns": ["chronic_pain"]})
            db.session.add(patient)
            db.session.flush()
            entry = WaitlistEntry(token_hash="", patient_id=patient.id, screening_id=screening.id,
                                  service_id=service.id, days=list(range(7)),
                                  parts=["morning", "afternoon", "evening"], until=now + timedelta(days=30),
                                  joined_at=now - timedelta(days=n + 1))
            db.session.add(entry)
            db.session.flush()
            entry.token_hash = token_hash(entry_token(entry))
            offer = WaitlistOffer(opening_id=opening.id, entry_id=entry.id, service_id=service.id, token_hash="",
                                  offered_at=now, expires_at=now + timedelta(minutes=30))
            db.session.add(offer)
            db.session.flush()
            offer.token_hash = token_hash(offer_token(offer))
            paths.append(f"/waitlist/offers/{offer_token(offer)}")
        seeded.append({"starts_at": starts_at, "therapist_id": therapist.id, "paths": paths})
    db.session.commit()
    return seeded


def together(clients: list[Client], send: Any) -> list[tuple[int, bytes, float]]:
    """Each client's ``send(client, index)`` started at the same moment from its own thread: its status, body
    and milliseconds."""
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, bytes, float]] = [(0, b"", 0.0)] * len(clients)

    def run(index: int) -> None:
        barrier.wait()
        began = time.perf_counter()
        try:
            status, body = send(clients[index], index)
        except OSError as exc:
            status, body = 0, str(exc).encode()
        results[index] = (status, body, (time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def claim_round(port: int, paths: list[str]) -> dict[str, Any]:
    """Every waitlister opens their claim page, then all press the button at once: what each was told."""
    clients = [Client(port) for _ in paths]
    tokens = []
    for client, path in zip(clients, paths, strict=True):
        status, page = client.send("GET", path, accept=HTML)
        found = CSRF_TOKEN.search(page)
        if status != 200 or found is None:
            raise RuntimeError(f"the claim page answered {status} without its button: {page[:300]!r}")
        tokens.append(found.group(1).decode())

    def press(client: Client, index: int) -> tuple[int, bytes]:
        return client.send("POST", paths[index], form={"csrf_token": tokens[index]}, accept=HTML)

    answers: Counter = Counter()
    times = []
    for index, (status, body, ms) in enumerate(together(clients, press)):
        times.append(ms)
        if status >= 500 or status == 0:
            answers["5xx or no answer"] += 1
        elif status == 303 and BOOKED.search(body):
            answers["booked"] += 1
        elif status == 303 and TAKEN_PAGE in clients[index].send("GET", paths[index], accept=HTML)[1]:
            answers["told taken"] += 1
        else:
            answers[f"other ({status})"] += 1
    for client in clients:
        client.close()
    return {"answers": dict(answers), "ms": times}


def ceiling_round(port: int, clients_count: int) -> list[float]:
    """The same number of clients released together, each making the bare app's one INSERT: milliseconds."""
    clients = [Client(port) for _ in range(clients_count)]
    results = together(clients, lambda client, _index: client.send("POST", "/insert", {"note": "ceiling"}))
    for client in clients:
        client.close()
    if any(status != 201 for status, _, _ in results):
        raise RuntimeError(f"the ceiling answered {Counter(status for status, _, _ in results)}")
    return [ms for _, _, ms in results]


def live_visits(starts_at: datetime, therapist_id: int) -> int:
    """The live visits of the therapist at that time (in the app's context)."""
    from sqlalchemy import func, select

    from booking.extensions import db
    from booking.models import Appointment

    return db.session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.therapist_id == therapist_id, Appointment.starts_at == starts_at,
        Appointment.status == "booked")) or 0


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed, serve the app and its ceiling, and run the rounds."""
    from booking import create_app
    from booking.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                      "REDIS_URL": BROKER_URL, "CELERY_BROKER_URL": None}, environ={})
    log(f"seeding {args.rounds} freed times, each offered to {args.waitlisters} waitlisters")
    with app.app_context():
        seeded = seed(args.waitlisters, args.rounds)
        db.session.remove()
    create_table(url)
    logs = Path(tempfile.mkdtemp(prefix="bench-waitlist-claims-"))
    servers = [Server(app_environment(url), target=target, workers=args.workers, worker_class="sync", threads=1,
                      log_path=logs / f"{name}.log")
               for target, name in (("booking:create_app()", "gunicorn"),
                                    ("benchmarks.bench.ceiling_app:create_app()", "ceiling"))]
    rounds = []
    try:
        for server in servers:
            server.start()
        app_server, ceiling = servers
        for number, offered in enumerate(seeded):
            ceiling_ms = ceiling_round(ceiling.port, args.waitlisters)
            claimed = claim_round(app_server.port, offered["paths"])
            with app.app_context():
                stored = live_visits(offered["starts_at"], offered["therapist_id"])
                db.session.remove()
            rounds.append({**claimed, "ceiling_ms": ceiling_ms, "stored": stored})
            log(f"round {number + 1}: {claimed['answers']}, {stored} visit stored")
        errors = app_server.logged_errors()
    finally:
        for server in servers:
            server.stop()
        with app.app_context():
            db.engine.dispose()
    return {"waitlisters": args.waitlisters, "rounds": rounds, "logged_errors": errors}


def print_report(report: dict[str, Any]) -> bool:
    """The figures and the checks; whether every check passed."""
    print_header("Waitlist claims benchmark", report)
    people = report["waitlisters"]
    print(f"{people} waitlisters claim one freed time at once over HTTP (gunicorn, 2 sync workers), "
          f"{len(report['rounds'])} rounds; the ceiling: {people} clients each making one INSERT at once")
    print(f"{'round':<6} {'booked':>7} {'told taken':>11} {'5xx':>5} {'other':>6} {'stored':>7} "
          f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'ceiling p95':>12} {'ratio':>6}")
    met = not report["logged_errors"]
    claims: list[float] = []
    inserts: list[float] = []
    for number, each in enumerate(report["rounds"], 1):
        answers, ms, ceiling_ms = Counter(each["answers"]), each["ms"], each["ceiling_ms"]
        claims += ms
        inserts += ceiling_ms
        other = sum(count for name, count in answers.items() if name.startswith("other"))
        ok = answers["booked"] == 1 and answers["told taken"] == people - 1 and each["stored"] == 1
        met = met and ok
        print(f"{number:<6} {answers['booked']:>7} {answers['told taken']:>11} {answers['5xx or no answer']:>5} "
              f"{other:>6} {each['stored']:>7} {percentile(ms, 0.5):8.1f} {percentile(ms, 0.95):8.1f} {max(ms):8.1f} "
              f"{percentile(ceiling_ms, 0.95):12.1f} {percentile(ms, 0.95) / percentile(ceiling_ms, 0.95):6.1f}"
              f"  {'PASS' if ok else 'FAIL'}")
    print(f"{'all':<6} {'':>7} {'':>11} {'':>5} {'':>6} {'':>7} {percentile(claims, 0.5):8.1f} "
          f"{percentile(claims, 0.95):8.1f} {max(claims):8.1f} {percentile(inserts, 0.95):12.1f} "
          f"{percentile(claims, 0.95) / percentile(inserts, 0.95):6.1f}")
    print(f"Target: each round one booking, {people - 1} clear \"taken\" answers, no 5xx, one visit stored: "
          f"{'PASS' if met else 'FAIL'}" + (f" (the app logged {report['logged_errors']})"
                                             if report["logged_errors"] else ""))
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every round passed, 1 otherwise."""
    args = parse_args(argv)
    return measured(args, measure, print_report, clear_app_queue=True)


if __name__ == "__main__":
    sys.exit(main())
