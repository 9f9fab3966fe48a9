#!/usr/bin/env python
"""Waitlist latency benchmark: from a cancellation's commit to the first offer's acceptance by an SMTP server.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_waitlist_latency`` on the local PostgreSQL, migrates it and seeds the
   benchmark clinic (``bench/seeding.py``: 30 therapists, ``--appointments`` visits over 4 weeks) and
   ``--entries`` waiting entries (``bench/waitlisting.py``; as many of them as there are cancellations, and a few
   more, wait for the shortest service of their therapy type at any time, so every cancellation has someone to
   offer it to; the others are random); each therapist gets an email address (their notices are sent too).
2. Starts an SMTP server (aiosmtpd in this process, ``bench/smtp_sink.py``: it records when each Message-ID was
   accepted) and ONE real worker, production's command (``celery -A worker.celery_app worker --concurrency 2``),
   on the machine's Redis (a database number and a queue of the run's own), and waits until it answers a ping.
3. The ceiling, same stack, same run: ``--bookings`` visits booked one at a time through the real API (in-process
   test client: view, service, commit, hand-over), each confirmation timed from the booking's commit (a
   SQLAlchemy ``after_commit`` hook) to its acceptance (``bench/notify.py``, as the notifications benchmark does).
4. Ours: ``--cancellations`` visits booked through the API (untimed; their emails delivered first), then cancelled
   one at a time through ``POST /api/v1/appointments/<id>/cancel`` with their manage tokens; each is timed from the
   cancellation's commit to the SMTP acceptance of the first offer its freed time made (``waitlist.advance`` on
   the worker: the waiting entries ranked, the calendar checked, the offer and its email written; then the
   email's delivery).
5. Prints p50/p95/max of both and their ratio, the machine and the commit, and the target (p95 <= 5 s) with
   PASS/FAIL; exits 1 when it is missed or a booking's email was sent twice or lost (a cancellation that made no
   offer fails the run). Stops the worker, clears its Redis keys and drops the database (unless --keep).

``--quick`` is a tiny run (CI's ``tests/test_benchmarks.py``): 300 visits, 200 entries, 5 bookings, 5 cancellations.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from bench.celery_worker import Queue, Worker, worker_environment  # noqa: E402
from bench.common import API, log, percentile  # noqa: E402
from bench.notify import book_and_time, give_therapists_email, open_times  # noqa: E402
from bench.runner import database_arguments, measured, print_header  # noqa: E402
from bench.seeding import Seeded, seed  # noqa: E402
from bench.smtp_sink import SmtpSink  # noqa: E402
from bench.waitlisting import seed_entries  # noqa: E402

DB_NAME = "bench_waitlist_latency"
REDIS_URL = "redis://127.0.0.1:6379/9"
TARGET_SECONDS = 5.0
ZONE = ZoneInfo("America/Edmonton")
QUICK = {"appointments": 300, "entries": 200, "bookings": 5, "cancellations": 5}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database_arguments(parser, DB_NAME)
    parser.add_argument("--redis-url", default=REDIS_URL, help="the broker's Redis database (default %(default)s; "
                                                               "the run's queue is deleted afterwards)")
    parser.add_argument("--appointments", type=int, default=6000, help="seeded visits over 4 weeks")
    parser.add_argument("--entries", type=int, default=2000, help="waiting entries")
    parser.add_argument("--bookings", type=int, default=40, help="bookings timed to their confirmation (ceiling)")
    parser.add_argument("--cancellations", type=int, default=40, help="cancellations timed to their first offer")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one email may take at most")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--quick", action="store_true", help="a tiny run: " + ", ".join(
        f"--{name} {value}" for name, value in QUICK.items()))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    return args


def book_visits(client: Any, seeded: Seeded, count: int) -> list[dict[str, Any]]:
    """Book ``count`` visits through the API, the therapists in turn, a week ahead or more: each with its token."""
    screening = client.post(f"{API}/screenings", json={"concerns": ["chronic_pain", "muscle_tension"]})
    days = seeded.working_days()[7:]
    therapists = sorted(seeded.therapists)
    visits = []
    for number in range(count):
        therapist = therapists[number % len(therapists)]
        code = seeded.shortest(seeded.therapists[therapist])
        slots = open_times(client, therapist, code, days, number // len(therapists))
        answer = client.post(f"{API}/appointments", json={
            "screening_id": screening.get_json()["id"], "service": code, "therapist_id": therapist,
            "starts_at": slots[0]["starts_at"],
            "patient": {"name": "Bench Canceller", "email": f"cancel-{uuid.uuid4().hex[:10]}@example.com",
                        "phone": "403-555-0142"}})
        if answer.status_code != 201:
            raise RuntimeError(f"booking answered {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
        visits.append(answer.get_json())
    return visits


def quiet(sink: SmtpSink, seconds: float = 1.5) -> None:
    """Wait until the SMTP server has accepted nothing for ``seconds``."""
    seen, since = sink.count(), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.05)
        if sink.count() != seen:
            seen, since = sink.count(), time.monotonic()


def first_offer_id(visit_id: str, timeout: float) -> str:
    """The Message-ID of the first offer's email the visit's freed time made, once the worker wrote it."""
    from sqlalchemy import select

    from booking.extensions import db
    from booking.models import Notification, WaitlistOffer, WaitlistOpening
    from booking.notifications.messages import message_id

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        found = db.session.scalars(
            select(Notification).join(WaitlistOffer, WaitlistOffer.id == Notification.waitlist_offer_id)
            .join(WaitlistOpening, WaitlistOpening.id == WaitlistOffer.opening_id)
            .where(WaitlistOpening.key.startswith(f"cancellation:{visit_id}:"))
            .order_by(WaitlistOffer.offered_at)).first()
        if found is not None:
            return message_id(found)
        time.sleep(0.02)
    raise RuntimeError(f"the cancellation of {visit_id} made no offer within {timeout:.0f} s")


def cancel_and_time(app: Any, seeded: Seeded, sink: SmtpSink, count: int, timeout: float) -> list[float]:
    """Book ``count`` visits, then cancel them one at a time through the API: each cancellation's seconds from its
    commit to the acceptance of its time's first offer."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    client = app.test_client()
    visits = book_visits(client, seeded, count)
    quiet(sink)  # their confirmations and the therapists' notices are out of the way
    commits: list[float] = []

    def committed_at(_session: Session) -> None:
        commits.append(time.time())

    event.listen(Session, "after_commit", committed_at)
    seconds = []
    try:
        for visit in visits:
            start_index = sink.count()
            commits.clear()
            answer = client.post(f"{API}/appointments/{visit['id']}/cancel", json={},
                                 headers={"Authorization": f"Bearer {visit['manage_token']}"})
            if answer.status_code != 200:
                raise RuntimeError(f"the cancellation answered {answer.status_code}: {answer.get_data()[:300]!r}")
            committed = commits[0]
            with app.app_context():
                offer_message = first_offer_id(visit["id"], timeout)
            deadline = time.monotonic() + timeout
            while (accepted := sink.first_acceptance(offer_message, start_index)) is None:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the offer of {visit['id']}'s time not accepted within {timeout:.0f} s")
                time.sleep(0.002)
            seconds.append(accepted - committed)
    finally:
        event.remove(Session, "after_commit", committed_at)
    return seconds


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Seed, start the SMTP server and the worker, and time the bookings (ceiling) and the cancellations."""
    seeded = seed(url, ZONE, appointments=args.appointments, weeks=4, seed_value=args.seed)
    seed_entries(url, seeded, args.entries, args.seed, flexible=args.cancellations + 10)
    give_therapists_email(url)
    log(f"seeded {seeded.appointments} visits and {args.entries} waiting entries")
    from booking import create_app

    work_dir = Path(tempfile.mkdtemp(prefix="bench-waitlist-latency-"))
    queue = Queue(args.redis_url, f"bench-waitlist-latency-{uuid.uuid4().hex[:8]}")
    with SmtpSink() as sink:
        env = worker_environment(url, args.redis_url, sink.port, work_dir / "instance", queue.name)
        app = create_app(environ=env)
        worker = Worker(env, work_dir / "worker.log", app.extensions["celery"].control)
        try:
            worker.start()
            worker.wait_ready()
            log(f"ceiling: {args.bookings} bookings, each confirmation timed to its acceptance")
            ceiling = book_and_time(app, seeded, sink, args.bookings, args.timeout)
            log(f"{args.cancellations} cancellations, each timed to its first offer's acceptance")
            ours = cancel_and_time(app, seeded, sink, args.cancellations, args.timeout)
        except Exception:
            print(f"worker log ({worker.log_path}):\n{worker.log_tail()}", file=sys.stderr)
            raise
        finally:
            worker.stop()
            queue.clear()
            with app.app_context():
                from booking.extensions import db

                db.session.remove()
                db.engine.dispose()
    return {"entries": args.entries, "appointments": seeded.appointments, "worker": " ".join(worker.command[1:]),
            "offer_s": summary(ours), "confirmation_s": ceiling.json() | summary(ceiling.seconds)}


def summary(seconds: list[float]) -> dict[str, Any]:
    """How many, and p50, p95 and max in seconds."""
    return {"count": len(seconds), "p50": round(percentile(seconds, 0.50), 3),
            "p95": round(percentile(seconds, 0.95), 3), "max": round(max(seconds, default=0.0), 3)}


def print_report(report: dict[str, Any]) -> bool:
    """The figures beside the ceiling and the target; whether it is met."""
    print_header("Waitlist latency benchmark", report)
    ours, ceiling = report["offer_s"], report["confirmation_s"]
    print(f"{report['entries']} waiting entries and {report['appointments']} visits in PostgreSQL; one worker "
          f"(celery {report['worker']}), Redis, an SMTP server (aiosmtpd)")
    met = ours["p95"] <= TARGET_SECONDS
    print(f"{'from commit to SMTP acceptance':<52} {'count':>5} {'p50 s':>7} {'p95 s':>7} {'max s':>7}  target")
    print(f"{'a cancellation -> its time first offered':<52} {ours['count']:>5} {ours['p50']:7.3f} {ours['p95']:7.3f} "
          f"{ours['max']:7.3f}  p95 <= {TARGET_SECONDS:.0f} s {'PASS' if met else 'FAIL'}")
    print(f"{'ceiling: a booking -> its confirmation':<52} {ceiling['count']:>5} {ceiling['p50']:7.3f} "
          f"{ceiling['p95']:7.3f} {ceiling['max']:7.3f}")
    print(f"{'ratio (ours / ceiling)':<52} {'':>5} {ours['p50'] / ceiling['p50']:7.1f} "
          f"{ours['p95'] / ceiling['p95']:7.1f}")
    print(f"The bookings' confirmations and therapists' notices: {ceiling['duplicates']} sent twice, "
          f"{ceiling['losses']} lost (both must be 0)")
    return met and ceiling["duplicates"] == ceiling["losses"] == 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when the target is met, 1 otherwise."""
    args = parse_args(argv)
    return measured(args, measure, print_report)


if __name__ == "__main__":
    sys.exit(main())
