"""The notifications benchmark's parts: the seeded outbox, the checks in the database, and the
booking latency phase (commit to the SMTP server's acceptance)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import psycopg
from flask import Flask

from bench.common import API, percentile
from bench.machine import CpuShare
from bench.seeding import Seeded
from bench.smtp_sink import SmtpSink


@dataclass
class Throughput:
    """How fast one worker got through a full queue, and the CPU each party used meanwhile."""

    messages: int
    wall: float
    cpu: CpuShare

    @property
    def per_second(self) -> float:
        """Messages (tasks) per second."""
        return self.messages / self.wall

    def json(self) -> dict[str, Any]:
        """The figures as JSON."""
        return {"messages": self.messages, "seconds": round(self.wall, 2), "per_second": round(self.per_second, 1),
                "cpu_cores": {k: round(v, 2) for k, v in vars(self.cpu).items() if k != "wall"},
                "cpu_ms_per_message": {party: round(self.cpu.ms_per(party, self.messages), 2)
                                       for party in ("server", "postgres", "client")}}


def give_therapists_email(url: str) -> None:
    """Give each therapist an email address, so that their notices are sent too."""
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE therapists SET email = 'therapist-' || id || '@bench.example'")


def seed_outbox(url: str, count: int) -> int:
    """Write ``count`` due confirmations (one per live visit, as the bookings would have) and give each
    therapist an email address; the number of rows written."""
    give_therapists_email(url)
    with psycopg.connect(url) as conn:
        written = conn.execute(
            "INSERT INTO notifications (key, kind, appointment_id, version, due_at, status, attempts, created_at) "
            "SELECT 'appointment:' || id || ':v0:confirmation', 'confirmation', id, 0, now(), 'pending', 0, now() "
            "FROM appointments WHERE status = 'booked' ORDER BY starts_at LIMIT %s", (count,)).rowcount
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE notifications")
    if written < count:
        raise RuntimeError(f"only {written} live visits to confirm, not {count}")
    return written


def expected_message_ids(app: Flask) -> set[str]:
    """The Message-ID of every notification in the outbox, as the app derives it."""
    from booking.extensions import db
    from booking.models import Notification
    from booking.notifications.messages import message_id

    return {message_id(notification) for notification in db.session.scalars(db.select(Notification))}


def outbox_statuses(url: str) -> dict[str, Any]:
    """The outbox rows by status, and how many needed more than one attempt."""
    with psycopg.connect(url) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM notifications GROUP BY status").fetchall())
        retried = conn.execute("SELECT count(*) FROM notifications WHERE attempts > 1").fetchone()[0]
    return {"statuses": statuses, "attempted_more_than_once": retried}


@dataclass
class Latency:
    """Each confirmation's time from its booking's commit to the sink's acceptance."""

    seconds: list[float] = field(default_factory=list)
    duplicates: int = 0
    losses: int = 0
    unexpected: int = 0

    def json(self) -> dict[str, Any]:
        """The figures as JSON."""
        return {"bookings": len(self.seconds), "p50_ms": round(percentile(self.seconds, 0.5) * 1000, 1),
                "p95_ms": round(percentile(self.seconds, 0.95) * 1000, 1),
                "max_ms": round(max(self.seconds, default=0) * 1000, 1),
                "duplicates": self.duplicates, "losses": self.losses, "unexpected": self.unexpected}


def open_times(client: Any, therapist: int, code: str, days: list[Any], first: int) -> list[dict[str, Any]]:
    """The open times of a therapist on the first day, from ``days[first]`` on, that has any."""
    for day in days[first:] + days[:first]:
        slots = client.get(f"{API}/slots?" + urlencode({"service": code, "from": day.isoformat(),
                                                        "to": day.isoformat(), "therapist_id": therapist}))
        if slots.get_json()["slots"]:
            return slots.get_json()["slots"]
    raise RuntimeError(f"no open time for therapist {therapist}")


def book_and_time(app: Flask, seeded: Seeded, sink: SmtpSink, bookings: int, timeout: float = 30.0) -> Latency:
    """Book visits one at a time through POST /appointments (view, service, commit, hand-over), and time
    each confirmation from the booking's commit to its acceptance; also count duplicates and losses
    among the confirmations and the therapists' notices."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from booking.extensions import db
    from booking.models import Notification
    from booking.notifications.messages import message_id

    commits: list[float] = []

    def committed_at(_session: Session) -> None:
        commits.append(time.time())

    event.listen(Session, "after_commit", committed_at)
    client = app.test_client()
    screening = client.post(f"{API}/screenings", json={"concerns": ["chronic_pain", "muscle_tension"]})
    screening_id = screening.get_json()["id"]
    start_index = sink.count()
    result = Latency()
    expected: set[str] = set()
    days = seeded.working_days()[3:]
    therapists = sorted(seeded.therapists)
    try:
        for number in range(bookings):
            therapist = therapists[number % len(therapists)]
            code = seeded.shortest(seeded.therapists[therapist])
            slots = open_times(client, therapist, code, days, number // len(therapists))
            commits.clear()
            answer = client.post(f"{API}/appointments", json={
                "screening_id": screening_id, "service": code, "therapist_id": therapist,
                "starts_at": slots[0]["starts_at"],
                "patient": {"name": "Bench Patient", "email": f"latency-{uuid.uuid4().hex[:10]}@example.com",
                            "phone": "403-555-0142"}})
            if answer.status_code != 201:
                raise RuntimeError(f"booking answered {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
            committed = commits[0]
            with app.app_context():
                rows = list(db.session.scalars(db.select(Notification).where(
                    Notification.appointment_id == uuid.UUID(answer.get_json()["id"]),
                    Notification.kind.in_(("confirmation", "therapist_booked")))))
                ids = {row.kind: message_id(row) for row in rows}
            expected.update(ids.values())
            deadline = time.monotonic() + timeout
            while (accepted := sink.first_acceptance(ids["confirmation"], start_index)) is None:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"confirmation {number + 1} not accepted within {timeout:.0f} s")
                time.sleep(0.002)
            result.seconds.append(accepted - committed)
    finally:
        event.remove(Session, "after_commit", committed_at)
    time.sleep(1.0)  # the last therapist notice, and anything sent twice
    result.duplicates, result.losses, result.unexpected = sink.tally(expected, start_index)
    return result
