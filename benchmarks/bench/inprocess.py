"""In-process measurements: SQL statements and round trips per request, and pyinstrument profiles."""

from __future__ import annotations

import os
import random
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.api import Booking, booking_body, greedy, one_day_path, range_path
from bench.common import API, BROKER_URL, SECRET_KEY, broker_queue
from bench.seeding import Seeded


class RoundTrips:
    """Every exchange with PostgreSQL on an engine's connections, read from libpq's protocol trace.

    ``before_cursor_execute`` sees only the statements; a BEGIN, a ROLLBACK or the pool's ping is a
    round trip too. Each ReadyForQuery the server sends ends one round trip, whatever it carried.
    """

    def __init__(self, engine: Any, folder: Path) -> None:
        from sqlalchemy import event

        self.engine, self.folder, self.traced = engine, folder, []
        event.listen(engine, "connect", self._trace)

    def _trace(self, dbapi_connection: Any, _record: Any) -> None:
        """Trace a new connection into a file of its own (its startup already done, so not counted)."""
        path = self.folder / f"{len(self.traced)}.trace"
        trace = path.open("w")
        dbapi_connection.pgconn.trace(trace.fileno())
        self.traced.append((dbapi_connection, trace, path))

    def count(self) -> int:
        """Round trips so far, on every connection traced."""
        return sum(path.read_text().count("\tReadyForQuery\t") for _, _, path in self.traced)

    def stop(self) -> None:
        """Stop tracing: the connections still open, and new ones."""
        from sqlalchemy import event

        event.remove(self.engine, "connect", self._trace)
        for connection, trace, _ in self.traced:
            if not connection.closed:
                connection.pgconn.untrace()
            trace.close()
        self.traced = []


def kept_in_process(app: Any, request: Callable[[], Any], seconds: float = 5) -> None:
    """Make a process's first requests, as a server long up has made them: they start its listener and fill its
    copies of the clinic's settings, closed days and services (booking.clinic.cache), which later requests use."""
    from booking.clinic import cache

    deadline = time.monotonic() + seconds
    with app.app_context():
        while not cache.in_use():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the process's copies of the clinic's settings are not used after {seconds} s")
            time.sleep(0.01)
    request()


def in_process(url: str, seeded: Seeded, profile_dir: Path | None, profile_requests: int) -> dict[str, Any]:
    """Count the SQL statements and round trips of one request of each kind (and profile each kind when asked)."""
    import tempfile

    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    from sqlalchemy import event

    from booking import create_app
    from booking.extensions import db

    settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                "REDIS_URL": BROKER_URL, "CELERY_QUEUE": broker_queue(url), "CELERY_BROKER_URL": None}
    # Does the JSON API take a POST without a CSRF token, as an API client sends it?
    probe_app = create_app(settings)
    probe = probe_app.test_client().post(f"{API}/screenings", json={"concerns": ["chronic_pain"]})
    csrf_probe = {"status": probe.status_code, "body": probe.get_data(as_text=True)[:200]}
    with probe_app.app_context():
        db.engine.dispose()
    app = create_app({**settings, "WTF_CSRF_ENABLED": False})
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, _parameters, _context, _executemany):  # noqa: ANN001
        statements.append(" ".join(statement.split()))

    traces = tempfile.TemporaryDirectory(prefix="bench-trace-")
    round_trips = RoundTrips(engine, Path(traces.name))
    client = app.test_client()
    rng = random.Random(7)
    days = seeded.working_days()
    screening = client.post(f"{API}/screenings", json={"concerns": ["chronic_pain", "muscle_tension"]})
    if screening.status_code != 201:
        raise RuntimeError(f"POST /screenings answered {screening.status_code}: {screening.get_data(as_text=True)}")
    screening_id = screening.get_json()["id"]

    def free_booking(therapist: int) -> Booking:
        kind = seeded.therapists[therapist]
        code = seeded.shortest(kind)
        for day in days[3:]:
            answer = client.get(f"{API}/slots?" + urlencode({"service": code, "from": day.isoformat(),
                                                             "to": day.isoformat(), "therapist_id": therapist}))
            slots = answer.get_json()["slots"]
            if slots:
                return Booking(therapist, code, rng.choice(slots)["starts_at"])
        raise RuntimeError(f"no open time for therapist {therapist}")

    counts: dict[str, dict[str, Any]] = {}

    def measure(name: str, call: Callable[[], Any], expect: int) -> None:
        statements.clear()
        before = round_trips.count()
        response = call()
        if response.status_code != expect:
            raise RuntimeError(f"{name}: answered {response.status_code}, not {expect}: "
                               f"{response.get_data(as_text=True)[:500]}")
        counts[name] = {"queries": len(statements), "round_trips": round_trips.count() - before,
                        "statements": [s[:160] for s in statements], "bytes": len(response.get_data())}

    day = days[len(days) // 2]
    physio = next(t for t, kind in seeded.therapists.items() if kind == "physiotherapy")
    kept_in_process(app, lambda: client.get(f"{API}/slots?" + urlencode(
        {"service": "physio-follow-up-30", "from": day.isoformat(), "to": day.isoformat()})))
    measure("slot search, one therapist, one day", lambda: client.get(f"{API}/slots?" + urlencode(
        {"service": "physio-follow-up-30", "from": day.isoformat(), "to": day.isoformat(),
         "therapist_id": physio})), 200)
    measure("slot search, one type, 14 days", lambda: client.get(f"{API}/slots?" + urlencode(
        {"service": "physio-follow-up-30", "from": day.isoformat(),
         "to": (day + timedelta(days=13)).isoformat()})), 200)
    booking = free_booking(physio)
    measure("booking (POST /appointments)", lambda: client.post(f"{API}/appointments", json=booking_body(
        booking, screening_id, f"inproc-{uuid.uuid4().hex[:12]}@example.com")), 201)
    taken = booking
    measure("booking refused, time taken (409)", lambda: client.post(f"{API}/appointments", json=booking_body(
        taken, screening_id, f"inproc-{uuid.uuid4().hex[:12]}@example.com")), 409)
    measure("screening (POST /screenings)", lambda: client.post(
        f"{API}/screenings", json={"concerns": ["chronic_pain"]}), 201)
    round_trips.stop()
    traces.cleanup()

    profiles: dict[str, str] = {}
    if profile_dir is not None:
        from pyinstrument import Profiler

        profile_dir.mkdir(parents=True, exist_ok=True)
        to_book = deque()
        for therapist in sorted(seeded.therapists):
            kind = seeded.therapists[therapist]
            code = seeded.shortest(kind)
            _, _, minutes, buffer = seeded.services[code]
            for first in (days[20], days[20] + timedelta(days=31)):
                last = min(first + timedelta(days=30), seeded.last_day)
                answer = client.get(f"{API}/slots?" + urlencode({"service": code, "from": first.isoformat(),
                                                                 "to": last.isoformat(),
                                                                 "therapist_id": therapist}))
                to_book.extend(greedy(therapist, code, minutes + buffer, answer.get_json()["slots"]))
        kinds = {
            "one_day": lambda: client.get(one_day_path(seeded, rng, days)),
            "range_14_days": lambda: client.get(range_path(seeded, rng, days)),
            "booking": lambda: client.post(f"{API}/appointments", json=booking_body(
                to_book.popleft(), screening_id, f"profile-{uuid.uuid4().hex[:12]}@example.com")),
        }
        for name, call in kinds.items():
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(profile_requests):
                    call()
            text = profiler.output_text(unicode=True, color=False, show_all=False)
            (profile_dir / f"{name}.txt").write_text(text)
            (profile_dir / f"{name}.html").write_text(profiler.output_html())
            profiles[name] = text
    with app.app_context():
        db.engine.dispose()
    return {"counts": counts, "profiles": profiles, "csrf_probe": csrf_probe}
