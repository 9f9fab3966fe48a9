#!/usr/bin/env python
"""Booking benchmark: slot search and booking over HTTP against gunicorn on PostgreSQL.

What it does (``make benchmark`` runs it with no arguments; see --help):

1. Drops and creates the database ``bench_booking`` on the local PostgreSQL,
   migrates it (``flask --app booking db upgrade``) and seeds it in bulk with
   COPY: 30 therapists (15 physiotherapy, 15 massage) with weekly hours Monday to
   Saturday, six services, a few days of time off, about 20,000 appointments over
   the 8 weeks starting tomorrow (clinic time; non-overlapping per therapist, inside
   working hours, 15 % cancelled), their patients and screenings.
2. Counts the SQL statements of one request of each kind, in-process, with a
   ``before_cursor_execute`` listener (and, with --profile, profiles each kind
   with pyinstrument).
3. Serves the app with gunicorn (2 workers, a SQLAlchemy connection pool per
   worker, rate limits and CSRF off) on a free loopback port and drives it with
   closed-loop client threads (http.client, keep-alive when the server allows it):
   warm-up; one-therapist one-day slot search; type-wide 14-day slot search;
   booking creation with 16 clients, each booking a distinct open time taken
   from the slots API beforehand; a contention phase where 16 clients released
   together race for one therapist's time in each round (at most one may win).
   Every measured phase stops by itself (after its time or its work).
4. Checks with SQL that no two live appointments of one therapist overlap
   (double bookings, must be 0), that the stored bookings match the 201s, and
   counts the deadlocks PostgreSQL detected during the contention phase.
5. Prints a table with p50/p95/p99 and requests per second, the CPU each party
   used (client, gunicorn, PostgreSQL, the rest of this shared machine) and per
   request, and the targets with PASS/FAIL; stops gunicorn and drops the database
   (unless --keep). Exits 1 on any double booking, 2 when the run itself failed.

Only one run at a time: a PostgreSQL advisory lock makes a second run wait.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as dtime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
# The app's package, not this file (benchmarks/booking.py), is what ``import booking`` must find.
sys.path.insert(0, str(ROOT))

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DB_NAME = "bench_booking"
SECRET_KEY = "benchmark-secret-key-not-for-production"
API = "/api/v1"

TARGETS = {"one_day_rps": 300.0, "range_p95_ms": 50.0, "bookings_per_s": 200.0}
REFERENCE = ("django-appointment under gunicorn on the same kind of 2-core machine: about 100 one-therapist "
             "one-day slot searches/s (p95 about 100 ms), about 34 bookings/s, no double-booking protection; "
             "PostgreSQL alone: about 9,000 single-row inserts/s under the exclusion constraint.")

# Services: (code, name, therapy type, minutes, buffer minutes, price in cents, weight in the seeded mix).
SERVICES = (
    ("physio-follow-up-30", "Physiotherapy follow-up (30 minutes)", "physiotherapy", 30, 0, 8000, 60),
    ("physio-follow-up-45", "Physiotherapy follow-up (45 minutes)", "physiotherapy", 45, 0, 10000, 25),
    ("physio-initial", "Physiotherapy initial assessment", "physiotherapy", 60, 15, 11500, 15),
    ("massage-30", "Massage therapy (30 minutes)", "massage", 30, 15, 6500, 50),
    ("massage-60", "Massage therapy (60 minutes)", "massage", 60, 15, 11000, 40),
    ("massage-90", "Massage therapy (90 minutes)", "massage", 90, 15, 15500, 10),
)
# Weekly shifts (local time), Monday to Saturday; one pattern per therapist in turn.
T = dtime
SHIFT_PATTERNS = (
    {**{d: [(T(7), T(20))] for d in range(5)}, 5: [(T(8), T(17))]},
    {**{d: [(T(8), T(21))] for d in range(5)}, 5: [(T(9), T(18))]},
    {**{d: [(T(7), T(12)), (T(12, 30), T(20, 30))] for d in range(5)}, 5: [(T(8), T(17))]},
)
GRID = timedelta(minutes=15)


# ----------------------------------------------------------------------------------------------
# Small helpers

def log(message: str) -> None:
    """Progress on stderr, with the time since the start."""
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


STARTED = time.monotonic()


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of the values (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def db_url(admin_url: str, name: str) -> str:
    """The URL of another database on the same server."""
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def ceil_grid(moment: datetime) -> datetime:
    """The first 15-minute grid instant at or after ``moment`` (UTC offsets of whole quarters)."""
    seconds = int(moment.timestamp())
    step = int(GRID.total_seconds())
    return datetime.fromtimestamp(-(-seconds // step) * step, UTC)


# ----------------------------------------------------------------------------------------------
# CPU accounting: client (this process), gunicorn (master and workers), PostgreSQL, whole machine

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> tuple[str, int, float] | None:
    """(comm, ppid, cpu seconds) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


# The database whose PostgreSQL backends count as ours (set by main).
OUR_DATABASE = DB_NAME


def _postgres_title(pid: int) -> str:
    """The process title of a postgres process ("postgres: 15/main: user db host state")."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class CpuSnapshot:
    """CPU seconds used so far: this process, and per process gunicorn's and PostgreSQL's.

    PostgreSQL counts the backends connected to the benchmark database and the server's own
    processes (WAL writer, checkpointer...); backends of other databases (other people's tests
    on this shared server) count as "other".
    """

    client: float
    server: dict[int, float]
    postgres: dict[int, float]
    machine_busy: float
    machine_total: float


def cpu_snapshot(server_pid: int | None) -> CpuSnapshot:
    """CPU seconds of this process, gunicorn's processes, our postgres processes and the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server: dict[int, float] = {}
    postgres: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        stat = _proc_stat(pid)
        if stat is None:
            continue
        comm, ppid, cpu = stat
        if server_pid is not None and (pid == server_pid or ppid == server_pid):
            server[pid] = cpu
        elif comm == "postgres" or comm.startswith("postgres:"):
            title = _postgres_title(pid)
            parts = title.split()
            # A backend's title names user and database: "postgres: 15/main: postgres bench_booking ..."
            backend = len(parts) >= 5 and parts[0] == "postgres:" and "(" in title
            if not backend or f" {OUR_DATABASE} " in title:
                postgres[pid] = cpu
    busy, total = _machine_busy()
    return CpuSnapshot(usage.ru_utime + usage.ru_stime, server, postgres, busy, total)


def _delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used in between by the processes alive at the end (new ones: all of theirs)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@dataclass
class CpuShare:
    """Average cores used during a phase by each party (2.0 = both cores of this machine)."""

    client: float
    server: float
    postgres: float
    other: float
    idle: float
    wall: float = 0.0

    def ms_per(self, party: str, requests: int) -> float:
        """CPU milliseconds of one party per request."""
        return getattr(self, party) * self.wall * 1000 / requests if requests else 0.0

    def text(self) -> str:
        return (f"client {self.client:.2f}, gunicorn {self.server:.2f}, postgres {self.postgres:.2f}, "
                f"other {self.other:.2f}, idle {self.idle:.2f} cores")


def cpu_share(before: CpuSnapshot, after: CpuSnapshot, wall: float) -> CpuShare:
    """The cores used by each party between two snapshots."""
    cores = os.cpu_count() or 1
    client = (after.client - before.client) / wall
    server = _delta(before.server, after.server) / wall
    postgres = _delta(before.postgres, after.postgres) / wall
    busy = (after.machine_busy - before.machine_busy) / wall
    total = (after.machine_total - before.machine_total) / wall or cores
    idle = max(0.0, total - busy)
    return CpuShare(client, server, postgres, max(0.0, busy - client - server - postgres), idle, wall)


def wait_for_quiet(server_pid: int | None, limit: float, *, threshold: float = 0.35) -> float:
    """Wait (at most ``limit`` seconds) until the rest of the machine uses under ``threshold`` cores
    over one second; answer the cores it used in the last second measured."""
    deadline = time.monotonic() + limit
    while True:
        before = cpu_snapshot(server_pid)
        time.sleep(1.0)
        share = cpu_share(before, cpu_snapshot(server_pid), 1.0)
        others = share.other + share.postgres
        if others < threshold or time.monotonic() >= deadline:
            return others
        log(f"  the machine is busy ({others:.2f} cores used by other processes); waiting")


# ----------------------------------------------------------------------------------------------
# The database: create, migrate, seed

def exclusive_run(admin_url: str, name: str, wait: float) -> psycopg.Connection:
    """Hold a PostgreSQL advisory lock named after the database for the whole run, so that two
    benchmarks (two people running ``make benchmark``) never drop each other's database and never
    measure each other's load; wait up to ``wait`` seconds for a run in progress to finish."""
    conn = psycopg.connect(admin_url, autocommit=True)
    deadline = time.monotonic() + wait
    told = False
    while not conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (f"benchmark:{name}",)).fetchone()[0]:
        if time.monotonic() >= deadline:
            conn.close()
            raise RuntimeError(f"another benchmark on database {name} is still running; try again later")
        if not told:
            log(f"another benchmark on database {name} is running; waiting for it (up to {wait:.0f} s)")
            told = True
        time.sleep(2)
    return conn


def recreate_database(admin_url: str, name: str) -> None:
    """Drop (forcing our own leftover sessions off) and create the benchmark database."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    """Drop the benchmark database."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_environment(url: str, pool_size: int) -> dict[str, str]:
    """The environment the app runs with in the benchmark (rate limits off)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SQLALCHEMY_", "RATELIMIT_", "FLASK_", "WTF_"))}
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, RATELIMIT_ENABLED="false", WTF_CSRF_ENABLED="false",
               SQLALCHEMY_ENGINE_OPTIONS=json.dumps({"pool_size": pool_size, "max_overflow": 2,
                                                     "pool_pre_ping": False}))
    env.pop("BOOKING_ENV", None)
    return env


def migrate(url: str) -> None:
    """flask --app booking db upgrade, on the benchmark database."""
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "booking", "db", "upgrade"], cwd=ROOT,
                            env=app_environment(url, 1), capture_output=True, text=True, timeout=120)
    if result.returncode:
        raise RuntimeError(f"migration failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class Seeded:
    """What was seeded, and what the load phases need to know about it."""

    first_day: date
    last_day: date
    therapists: dict[int, str]           # id -> therapy type
    services: dict[str, tuple[int, str, int, int]]  # code -> (id, therapy type, minutes, buffer)
    appointments: int = 0
    cancelled: int = 0
    patients: int = 0
    screenings: int = 0
    time_off: int = 0
    shifts: int = 0
    occupancy: float = 0.0
    seconds: float = 0.0

    def working_days(self) -> list[date]:
        """Monday to Saturday within the seeded weeks."""
        days = (self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1))
        return [day for day in days if day.weekday() < 6]

    def services_of(self, therapy_type: str) -> list[str]:
        return [code for code, (_, kind, _, _) in self.services.items() if kind == therapy_type]

    def shortest(self, therapy_type: str) -> str:
        return min(self.services_of(therapy_type), key=lambda code: self.services[code][2])


def _recommendations() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """A few real (answers, recommendation) pairs from the app's routing rules (pure functions)."""
    from booking.routing import recommend

    found = []
    for concerns in (["chronic_pain", "muscle_tension"], ["chronic_pain"], ["muscle_tension"]):
        answers = {"concerns": concerns}
        try:
            recommendation = recommend(answers)
        except Exception:  # noqa: BLE001 - a code the rules do not know: skip it
            continue
        found.append((answers, dict(recommendation.to_dict())))
    if not found:
        raise RuntimeError("the routing rules refused every seeded screening")
    return found


def seed(url: str, zone: ZoneInfo, *, appointments: int, weeks: int, seed_value: int) -> Seeded:
    """Seed the benchmark clinic in bulk (COPY): ``appointments`` rows, 15 % of them cancelled."""
    began = time.perf_counter()
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    first_day = now.astimezone(zone).date() + timedelta(days=1)
    last_day = first_day + timedelta(days=7 * weeks - 1)
    services = {code: (index + 1, kind, minutes, buffer)
                for index, (code, _, kind, minutes, buffer, _, _) in enumerate(SERVICES)}
    therapists: dict[int, str] = {}
    for number in range(1, 31):
        therapists[number] = "physiotherapy" if number <= 15 else "massage"
    seeded = Seeded(first_day, last_day, therapists, services)
    days = seeded.working_days()

    # Time off: a dozen therapists away for one to three days (no visits then).
    away: set[tuple[int, date]] = set()
    time_off_rows = []
    for therapist in rng.sample(sorted(therapists), 12):
        start = rng.choice(days[:-3])
        length = rng.randint(1, 3)
        for offset in range(length):
            away.add((therapist, start + timedelta(days=offset)))
        begins = datetime.combine(start, dtime(), tzinfo=zone).astimezone(UTC)
        ends = datetime.combine(start + timedelta(days=length), dtime(), tzinfo=zone).astimezone(UTC)
        time_off_rows.append((therapist, begins, ends, "Course" if length == 1 else "Holiday"))

    # Pack each therapist's shifts with visits back to back (on the 15-minute grid, small random gaps).
    by_type = {kind: [(code, services[code], weight) for code, _, k, _, _, _, weight in SERVICES if k == kind]
               for kind in ("physiotherapy", "massage")}

    def pack() -> tuple[list[tuple[int, int, datetime, datetime, datetime]], timedelta]:
        rows: list[tuple[int, int, datetime, datetime, datetime]] = []  # therapist, service, start, end, blocked
        hours = timedelta()
        for therapist, kind in therapists.items():
            pattern = SHIFT_PATTERNS[therapist % len(SHIFT_PATTERNS)]
            choices = by_type[kind]
            weights = [weight for *_, weight in choices]
            for day in days:
                for start_time, end_time in pattern.get(day.weekday(), []):
                    shift_start = datetime.combine(day, start_time, tzinfo=zone).astimezone(UTC)
                    shift_end = datetime.combine(day, end_time, tzinfo=zone).astimezone(UTC)
                    hours += shift_end - shift_start
                    if (therapist, day) in away:
                        continue
                    cursor = shift_start
                    while True:
                        cursor = ceil_grid(cursor + rng.choice((GRID * 0,) * 10 + (GRID,)))
                        _, (service_id, _, minutes, buffer), _ = rng.choices(choices, weights)[0]
                        ends = cursor + timedelta(minutes=minutes)
                        if ends > shift_end:
                            break
                        blocked = ends + timedelta(minutes=buffer)
                        rows.append((therapist, service_id, cursor, ends, blocked))
                        cursor = blocked
        return rows, hours

    placed, capacity = pack()
    second_pass, _ = pack()
    used = timedelta()
    # Keep 85 % of the asked number as live visits, freeing the rest of the packed ones; the other
    # 15 % are cancelled visits from a second, independent packing (so they may overlap live ones,
    # as a cancelled time booked again by someone else does).
    live_count = min(len(placed), appointments * 85 // 100)
    live = rng.sample(placed, live_count)
    cancelled = rng.sample(second_pass, min(len(second_pass), appointments - live_count))
    for row in live:
        used += row[4] - row[2]
    seeded.occupancy = used / capacity if capacity else 0.0

    answers_pool = _recommendations()
    patient_count = max(1, appointments // 3)
    created = now - timedelta(days=30)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY services (id, code, name, description, therapy_type, duration_minutes, "
                      "buffer_minutes, price_cents, active) FROM STDIN") as copy:
            for code, name, kind, minutes, buffer, price, _ in SERVICES:
                copy.write_row((services[code][0], code, name, "", kind, minutes, buffer, price, True))
        with cur.copy("COPY therapists (id, name, therapy_type, bio, active) FROM STDIN") as copy:
            for therapist, kind in therapists.items():
                copy.write_row((therapist, f"Bench {kind.title()} Therapist {therapist:02d}", kind, "", True))
        shifts = 0
        with cur.copy("COPY working_hours (therapist_id, weekday, start_time, end_time) FROM STDIN") as copy:
            for therapist in therapists:
                for weekday, spans in SHIFT_PATTERNS[therapist % len(SHIFT_PATTERNS)].items():
                    for start_time, end_time in spans:
                        copy.write_row((therapist, weekday, start_time, end_time))
                        shifts += 1
        with cur.copy("COPY time_off (therapist_id, starts_at, ends_at, reason) FROM STDIN") as copy:
            for row in time_off_rows:
                copy.write_row(row)
        screening_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(patient_count)]
        with cur.copy("COPY screenings (id, answers, recommendation, pathway, urgency, rules_version, "
                      "created_at) FROM STDIN") as copy:
            for screening_id in screening_ids:
                answers, recommendation = rng.choice(answers_pool)
                copy.write_row((screening_id, json.dumps(answers), json.dumps(recommendation),
                                recommendation["pathway"], recommendation["urgency"],
                                recommendation["rules_version"], created))
        with cur.copy("COPY patients (id, name, email, phone, created_at) FROM STDIN") as copy:
            for number in range(1, patient_count + 1):
                copy.write_row((number, f"Seeded Patient {number}", f"seeded-{number}@example.com",
                                "+14035550142", created))
        with cur.copy("COPY appointments (id, patient_id, therapist_id, service_id, screening_id, starts_at, "
                      "ends_at, blocked_until, status, manage_token_hash, created_at, cancelled_at, "
                      "cancellation_reason) FROM STDIN") as copy:
            for status, rows in (("booked", live), ("cancelled", cancelled)):
                for therapist, service_id, starts, ends, blocked in rows:
                    patient = rng.randint(1, patient_count)
                    copy.write_row((uuid.UUID(int=rng.getrandbits(128), version=4), patient, therapist,
                                    service_id, screening_ids[patient - 1], starts, ends, blocked, status,
                                    secrets.token_hex(32), created,
                                    created if status == "cancelled" else None,
                                    "Seeded cancellation" if status == "cancelled" else None))
        for table in ("services", "therapists", "working_hours", "time_off", "patients"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seeded.appointments = len(live) + len(cancelled)
    seeded.cancelled = len(cancelled)
    seeded.patients = seeded.screenings = patient_count
    seeded.time_off = len(time_off_rows)
    seeded.shifts = shifts
    seeded.seconds = time.perf_counter() - began
    return seeded


# ----------------------------------------------------------------------------------------------
# PostgreSQL alone: single-row inserts under the same exclusion constraint

def postgres_inserts(url: str, threads: int, seconds: float) -> dict[str, float]:
    """Autocommit single-row INSERTs from ``threads`` connections into a scratch table with the
    appointments' exclusion constraint (non-overlapping rows): inserts per second."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_inserts")
        conn.execute("CREATE TABLE bench_inserts (id bigserial PRIMARY KEY, therapist_id int NOT NULL, "
                     "starts_at timestamptz NOT NULL, blocked_until timestamptz NOT NULL, "
                     "status varchar(16) NOT NULL DEFAULT 'booked', "
                     "EXCLUDE USING gist (therapist_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&) "
                     "WHERE (status <> 'cancelled'))")
    counts = [0] * threads
    barrier = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            moment = datetime(2030, 1, 1, tzinfo=UTC)
            step = timedelta(minutes=30)
            barrier.wait()
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                conn.execute("INSERT INTO bench_inserts (therapist_id, starts_at, blocked_until) "
                             "VALUES (%s, %s, %s)", (index, moment, moment + step))
                moment += step
                counts[index] += 1

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in workers:
        thread.join(seconds + 30)
    wall = time.perf_counter() - began
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_inserts")
    return {"threads": threads, "inserts_per_second": round(sum(counts) / wall, 0)}


# ----------------------------------------------------------------------------------------------
# SQL checks

DOUBLE_BOOKINGS = """
SELECT count(*) FROM {source} a JOIN {source} b
  ON a.therapist_id = b.therapist_id AND a.id < b.id
 AND a.status <> 'cancelled' AND b.status <> 'cancelled'
 AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until
"""
# The check checked: one overlapping pair (1, 2), touching (2, 3), another therapist (4), cancelled (5).
CHECK_SAMPLE = """WITH sample (id, therapist_id, status, starts_at, blocked_until) AS (VALUES
 (1, 1, 'booked', timestamptz '2030-01-01 09:00Z', timestamptz '2030-01-01 10:00Z'),
 (2, 1, 'booked', timestamptz '2030-01-01 09:45Z', timestamptz '2030-01-01 10:30Z'),
 (3, 1, 'booked', timestamptz '2030-01-01 10:30Z', timestamptz '2030-01-01 11:00Z'),
 (4, 2, 'booked', timestamptz '2030-01-01 09:00Z', timestamptz '2030-01-01 10:00Z'),
 (5, 1, 'cancelled', timestamptz '2030-01-01 09:00Z', timestamptz '2030-01-01 11:00Z'))"""


def double_bookings(url: str) -> int:
    """Pairs of live appointments of one therapist whose [starts_at, blocked_until) overlap."""
    with psycopg.connect(url) as conn:
        sample = CHECK_SAMPLE + DOUBLE_BOOKINGS.format(source="sample")
        found = conn.execute(sample).fetchone()[0]
        if found != 1:
            raise RuntimeError(f"the double-booking check found {found} overlaps in a sample with exactly 1")
        return conn.execute(DOUBLE_BOOKINGS.format(source="appointments")).fetchone()[0]


def stored_bench_bookings(url: str, prefix: str) -> int:
    """Live appointments of the patients the load phases created (emails starting with ``prefix``)."""
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM appointments a JOIN patients p ON p.id = a.patient_id "
                            "WHERE p.email LIKE %s AND a.status = 'booked'", (prefix + "%",)).fetchone()[0]


def deadlocks(url: str) -> int:
    """Deadlocks PostgreSQL has detected in the benchmark database so far."""
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
                            ).fetchone()[0]


def has_exclusion_constraint(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'appointments_no_overlap' "
                                 "AND contype = 'x'").fetchone()[0])


# ----------------------------------------------------------------------------------------------
# Requests: paths and bodies

def one_day_path(seeded: Seeded, rng: random.Random, days: list[date]) -> str:
    therapist = rng.choice(sorted(seeded.therapists))
    code = rng.choice(seeded.services_of(seeded.therapists[therapist]))
    day = rng.choice(days).isoformat()
    return f"{API}/slots?" + urlencode({"service": code, "from": day, "to": day, "therapist_id": therapist})


def range_path(seeded: Seeded, rng: random.Random, days: list[date]) -> str:
    code = rng.choice(sorted(seeded.services))
    first = rng.choice([day for day in days if day + timedelta(days=13) <= seeded.last_day])
    return f"{API}/slots?" + urlencode({"service": code, "from": first.isoformat(),
                                        "to": (first + timedelta(days=13)).isoformat()})


@dataclass(frozen=True)
class Booking:
    """One POST /appointments to send."""

    therapist_id: int
    service: str
    starts_at: str  # ISO 8601 with offset, as the slots API gave it


def booking_body(booking: Booking, screening_id: str, email: str) -> dict[str, Any]:
    return {"screening_id": screening_id, "service": booking.service, "therapist_id": booking.therapist_id,
            "starts_at": booking.starts_at,
            "patient": {"name": "Bench Patient", "email": email, "phone": "403-555-0142"}}


# ----------------------------------------------------------------------------------------------
# In-process: SQL statements per request, and the profile

def in_process(url: str, seeded: Seeded, profile_dir: Path | None, profile_requests: int) -> dict[str, Any]:
    """Count the SQL statements of one request of each kind (and profile each kind when asked)."""
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    from sqlalchemy import event

    from booking import create_app
    from booking.extensions import db

    settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 2, "pool_pre_ping": False}}
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
        response = call()
        if response.status_code != expect:
            raise RuntimeError(f"{name}: answered {response.status_code}, not {expect}: "
                               f"{response.get_data(as_text=True)[:500]}")
        counts[name] = {"queries": len(statements), "statements": [s[:160] for s in statements],
                        "bytes": len(response.get_data())}

    day = days[len(days) // 2]
    physio = next(t for t, kind in seeded.therapists.items() if kind == "physiotherapy")
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


def greedy(therapist: int, code: str, block_minutes: int, slots: list[dict[str, Any]],
           reserved: Iterable[tuple[datetime, datetime]] = ()) -> list[Booking]:
    """Open starts of one therapist picked so that no two picked visits (buffer included) overlap."""
    picked: list[Booking] = []
    reserved = sorted(reserved)
    busy_until = datetime.min.replace(tzinfo=UTC)
    block = timedelta(minutes=block_minutes)
    for slot in slots:
        start = datetime.fromisoformat(slot["starts_at"])
        if start < busy_until:
            continue
        if any(start < r_end and r_start < start + block for r_start, r_end in reserved):
            continue
        picked.append(Booking(therapist, code, slot["starts_at"]))
        busy_until = start + block
    return picked


# ----------------------------------------------------------------------------------------------
# The server

class Server:
    """gunicorn serving booking:create_app() on a free loopback port."""

    def __init__(self, url: str, *, workers: int, worker_class: str, threads: int, log_dir: Path,
                 target: str = "booking:create_app()", pythonpath: str | None = None) -> None:
        self.port = free_port()
        self.worker_class = worker_class
        self.threads = threads if worker_class == "gthread" else 1
        self.pool_size = self.threads
        self.command = [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                        "--log-level", "warning", "--timeout", "60"]
        if worker_class == "gthread":
            self.command += ["-k", "gthread", "--threads", str(threads), "--keep-alive", "5"]
        if pythonpath:
            self.command += ["--pythonpath", pythonpath]
        self.command.append(target)
        self.log_path = log_dir / "gunicorn.log"
        self.env = app_environment(url, self.pool_size)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        log_file = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200 and len(self.worker_pids()) >= 1:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pids = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                stat = _proc_stat(int(entry.name))
                if stat and stat[1] == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def logged_errors(self) -> dict[str, int]:
        """Exceptions the app logged, by class (the driver's, else the last one in each traceback)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return {}
        found: Counter = Counter()
        for block in text.split("ERROR in app: ")[1:]:
            names = re.findall(r"^([\w.]+(?:Error|Exception|Detected|Violation|Failure)): ", block, re.M)
            driver = [name for name in names if name.startswith("psycopg.")]
            if names:
                found[(driver or names)[-1]] += 1
        return dict(found)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn master: graceful stop of its workers
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


# ----------------------------------------------------------------------------------------------
# The load generator: closed-loop client threads

# A kept-alive connection the server closed while idle (gunicorn's --keep-alive timeout) fails
# like this when the next request is sent on it; the request never reached the app.
STALE_CONNECTION = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)


class Client:
    """One HTTP client on loopback, keeping the connection alive when the server allows it.

    A request that fails because a reused connection had been closed by the server while idle
    is sent once more on a new connection (``retries`` counts them), as HTTP clients do.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.reused = False  # whether the open connection already carried a response
        self.retries = 0

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except STALE_CONNECTION:
                self.conn.close()
                if not self.reused or attempt == 2:
                    raise
                self.reused = False
                self.retries += 1
                continue
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.reused = False
                raise
            if response.will_close:
                self.conn.close()
                self.reused = False
            else:
                self.reused = True
            return response.status, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


@dataclass
class PhaseResult:
    """What one measured phase did."""

    name: str
    clients: int
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, every answered request
    statuses: Counter = field(default_factory=Counter)
    transport_errors: int = 0
    retries: int = 0  # requests sent again after the server had closed an idle kept-alive connection
    samples: list[str] = field(default_factory=list)  # bodies of unexpected answers
    cpu: CpuShare | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.wall if self.wall else 0.0

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000

    def per_second(self, status: int) -> float:
        return self.statuses[status] / self.wall if self.wall else 0.0


Work = Callable[[int, random.Random], tuple[str, str, dict[str, Any] | None] | None]


def run_phase(name: str, port: int, clients: int, seconds: float, work: Work, *, expect: Iterable[int],
              server_pid: int | None, max_requests: int | None = None, seed_value: int = 0) -> PhaseResult:
    """Run ``clients`` closed-loop threads for ``seconds`` (or until ``work`` answers None or
    ``max_requests`` were sent); record each request's latency and status."""
    result = PhaseResult(name, clients)
    expected = set(expect)
    lock = threading.Lock()
    sent = [0]
    start_barrier = threading.Barrier(clients + 1)
    per_thread: list[tuple[list[float], Counter, int, list[str], int]] = []

    def worker(index: int) -> None:
        rng = random.Random(seed_value * 1000 + index)
        client = Client(port)
        latencies: list[float] = []
        statuses: Counter = Counter()
        errors = 0
        samples: list[str] = []
        start_barrier.wait()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            if max_requests is not None:
                with lock:
                    if sent[0] >= max_requests:
                        break
                    sent[0] += 1
            job = work(index, rng)
            if job is None:
                break
            method, path, body = job
            began = time.perf_counter()
            try:
                status, data = client.send(method, path, body)
            except (http.client.HTTPException, OSError) as exc:
                errors += 1
                if len(samples) < 6:
                    samples.append(f"transport error: {exc!r}")
                continue
            latencies.append(time.perf_counter() - began)
            statuses[status] += 1
            if status not in expected and len(samples) < 3:
                samples.append(f"{status} {data[:300]!r}")
        client.close()
        with lock:
            per_thread.append((latencies, statuses, errors, samples, client.retries))

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    before = cpu_snapshot(server_pid)
    started = time.perf_counter()
    start_barrier.wait()
    for thread in threads:
        thread.join(seconds + 60)
    result.wall = time.perf_counter() - started
    result.cpu = cpu_share(before, cpu_snapshot(server_pid), result.wall)
    for latencies, statuses, errors, samples, retries in per_thread:
        result.latencies.extend(latencies)
        result.statuses.update(statuses)
        result.transport_errors += errors
        result.retries += retries
        result.samples.extend(samples)
    return result


@dataclass
class ContentionResult:
    rounds: int
    clients: int
    winners: list[int]
    statuses: Counter
    transport_errors: int
    wall: float
    samples: list[str]
    latencies: list[float]
    retries: int


def run_contention(port: int, groups: list[list[Booking]], clients: int, screening_ids: list[str],
                   email_prefix: str) -> ContentionResult:
    """Each round, ``clients`` threads released together by a barrier each POST one booking of the
    round's group (pairwise overlapping times of one therapist): at most one may win."""
    barrier = threading.Barrier(clients)
    outcomes: list[list[int]] = [[] for _ in groups]
    lock = threading.Lock()
    errors = [0]
    samples: list[str] = []
    latencies: list[float] = []
    retries = [0]

    def worker(index: int) -> None:
        client = Client(port)
        for number, group in enumerate(groups):
            booking = group[index % len(group)]
            body = booking_body(booking, screening_ids[index % len(screening_ids)],
                                f"{email_prefix}race-{number}-{index}@example.com")
            try:
                barrier.wait(timeout=60)
                began = time.perf_counter()
                status, data = client.send("POST", f"{API}/appointments", body)
                took = time.perf_counter() - began
            except (http.client.HTTPException, OSError, threading.BrokenBarrierError) as exc:
                with lock:
                    errors[0] += 1
                    if len(samples) < 6:
                        samples.append(f"round {number}: {exc!r}")
                continue
            with lock:
                outcomes[number].append(status)
                latencies.append(took)
                if status not in (201, 409) and len(samples) < 3:
                    samples.append(f"{status} {data[:300]!r}")
        client.close()
        with lock:
            retries[0] += client.retries

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses: Counter = Counter(status for round_ in outcomes for status in round_)
    return ContentionResult(len(groups), clients, [round_.count(201) for round_ in outcomes], statuses,
                            errors[0], time.perf_counter() - started, samples, latencies, retries[0])


# ----------------------------------------------------------------------------------------------
# The run

def fetch_json(port: int, method: str, path: str, body: dict[str, Any] | None = None,
               expect: int = 200) -> Any:
    client = Client(port)
    try:
        status, data = client.send(method, path, body)
    finally:
        client.close()
    if status != expect:
        raise RuntimeError(f"{method} {path} answered {status}: {data[:500]!r}")
    return json.loads(data)


def prepare_bookings(port: int, seeded: Seeded, rounds: int, rng: random.Random,
                     ) -> tuple[list[Booking], list[list[Booking]]]:
    """Open times from the slots API (shortest service of each therapist's type, whole period):
    ``rounds`` contention groups (starts s and s+15 min of one therapist) and, apart from them,
    a shuffled list of bookings none of which overlaps another."""
    open_by_therapist: dict[int, list[dict[str, Any]]] = {}
    for therapist, kind in sorted(seeded.therapists.items()):
        code = seeded.shortest(kind)
        slots: list[dict[str, Any]] = []
        first = seeded.first_day
        while first <= seeded.last_day:
            last = min(first + timedelta(days=30), seeded.last_day)
            slots += fetch_json(port, "GET", f"{API}/slots?" + urlencode(
                {"service": code, "from": first.isoformat(), "to": last.isoformat(),
                 "therapist_id": therapist}))["slots"]
            first = last + timedelta(days=1)
        open_by_therapist[therapist] = slots
    # Contention groups: a start s with s + 15 min also open.
    candidates = []
    for therapist, slots in open_by_therapist.items():
        starts = {datetime.fromisoformat(slot["starts_at"]): slot["starts_at"] for slot in slots}
        for moment, text in starts.items():
            later = starts.get(moment + GRID)
            if later:
                candidates.append((therapist, moment, text, later))
    rng.shuffle(candidates)
    groups: list[list[Booking]] = []
    reserved: dict[int, list[tuple[datetime, datetime]]] = {}
    for therapist, moment, text, later in candidates:
        if len(groups) >= rounds:
            break
        code = seeded.shortest(seeded.therapists[therapist])
        _, _, minutes, buffer = seeded.services[code]
        span = (moment, moment + GRID + timedelta(minutes=minutes + buffer))
        if any(span[0] < end and start < span[1] for start, end in reserved.get(therapist, [])):
            continue
        reserved.setdefault(therapist, []).append(span)
        groups.append([Booking(therapist, code, text), Booking(therapist, code, later)])
    pool: list[Booking] = []
    for therapist, slots in open_by_therapist.items():
        code = seeded.shortest(seeded.therapists[therapist])
        _, _, minutes, buffer = seeded.services[code]
        pool += greedy(therapist, code, minutes + buffer, slots, reserved.get(therapist, []))
    rng.shuffle(pool)
    return pool, groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", ADMIN_URL),
                        help="a database URL on the PostgreSQL server to use (default %(default)s)")
    parser.add_argument("--db-name", default=DB_NAME, help="the database to create (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--appointments", type=int, default=20_000)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync",
                        help="gunicorn worker class (default %(default)s: the better tail latency and far fewer "
                             "deadlocks under contention than gthread; see docs/performance.md)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker with gthread")
    parser.add_argument("--app", default="booking:create_app()",
                        help="the WSGI target gunicorn serves (default %(default)s); another one lets you "
                             "measure a change, e.g. a module that patches the app, before making it")
    parser.add_argument("--pythonpath", help="directory gunicorn adds to sys.path (for --app)")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each measured search phase")
    parser.add_argument("--booking-seconds", type=float, default=10.0,
                        help="length of the booking phase (it also ends when its ~4,400 open times run out)")
    parser.add_argument("--search-clients", type=int, default=8)
    parser.add_argument("--range-clients", type=int, default=4)
    parser.add_argument("--booking-clients", type=int, default=16)
    parser.add_argument("--contention-rounds", type=int, default=30)
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="also profile each request kind in-process with pyinstrument; write DIR/*.txt|html")
    parser.add_argument("--profile-requests", type=int, default=200)
    parser.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                        help="before each measured phase wait up to SECONDS for other processes to use under "
                             "0.35 cores (the machine is shared); default: do not wait")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)

    url = db_url(args.admin_url, args.db_name)
    global OUR_DATABASE
    OUR_DATABASE = args.db_name
    zone = ZoneInfo(os.environ.get("CLINIC_TIMEZONE", "America/Edmonton"))
    rng = random.Random(args.seed)
    run_id = uuid.uuid4().hex[:8]
    email_prefix = f"bench-{run_id}-"
    log_dir = Path(tempfile.mkdtemp(prefix="bench_booking_"))
    server: Server | None = None
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                              "code": code_version()}
    exit_code = 0
    # Stopped with SIGTERM: unwind through the clean-up below (stop gunicorn, drop the database).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    try:
        lock = exclusive_run(args.admin_url, args.db_name, 900)
    except (RuntimeError, psycopg.Error) as exc:
        print(f"benchmark not run: {exc}", file=sys.stderr)
        return 2
    try:
        log(f"creating database {args.db_name}")
        recreate_database(args.admin_url, args.db_name)
        migrate(url)
        log("migrated; seeding")
        seeded = seed(url, zone, appointments=args.appointments, weeks=args.weeks, seed_value=args.seed)
        log(f"seeded {seeded.appointments} appointments ({seeded.cancelled} cancelled), {seeded.patients} "
            f"patients, occupancy {seeded.occupancy:.0%} in {seeded.seconds:.1f} s")
        initial_doubles = double_bookings(url)
        if initial_doubles:
            raise RuntimeError(f"the seed itself has {initial_doubles} overlapping pairs")

        log("PostgreSQL alone: single-row inserts under the exclusion constraint (8 connections, 3 s)")
        pg_alone = postgres_inserts(url, 8, 3.0)
        log("counting SQL statements per request (in-process)")
        inproc = in_process(url, seeded, args.profile, args.profile_requests)

        server = Server(url, workers=args.workers, worker_class=args.worker_class, threads=args.threads,
                        log_dir=log_dir, target=args.app, pythonpath=args.pythonpath)
        server.start()
        log(f"gunicorn up on port {server.port}: {' '.join(server.command[1:])}")
        screening_ids = [fetch_json(server.port, "POST", f"{API}/screenings",
                                    {"concerns": ["chronic_pain", "muscle_tension"]}, expect=201)["id"]
                         for _ in range(args.booking_clients)]
        days = seeded.working_days()

        def one_day(_index: int, client_rng: random.Random):
            return "GET", one_day_path(seeded, client_rng, days), None

        def range_14(_index: int, client_rng: random.Random):
            return "GET", range_path(seeded, client_rng, days), None

        def mixed(index: int, client_rng: random.Random):
            return (one_day if index % 2 else range_14)(index, client_rng)

        phases: list[PhaseResult] = []
        quiet: dict[str, float] = {}

        def settle(name: str) -> None:
            if args.wait_quiet > 0:
                quiet[name] = round(wait_for_quiet(server.pid, args.wait_quiet), 2)

        log("warm-up (3 s, 4 clients)")
        run_phase("warm-up", server.port, 4, 3.0, mixed, expect=[200], server_pid=server.pid, seed_value=1)
        settle("slots: 1 therapist, 1 day")
        log(f"one-therapist one-day slot search ({args.search_clients} clients, {args.seconds:.0f} s)")
        phases.append(run_phase("slots: 1 therapist, 1 day", server.port, args.search_clients, args.seconds,
                                one_day, expect=[200], server_pid=server.pid, seed_value=2))
        settle("slots: 1 type, 14 days")
        log(f"type-wide 14-day slot search ({args.range_clients} clients, {args.seconds:.0f} s)")
        phases.append(run_phase("slots: 1 type, 14 days", server.port, args.range_clients, args.seconds,
                                range_14, expect=[200], server_pid=server.pid, seed_value=3))
        settle("slots: 1 type, 14 days (1 client)")
        log("type-wide 14-day slot search, 1 client (latency without queueing, 5 s)")
        phases.append(run_phase("slots: 1 type, 14 days (1 client)", server.port, 1, 5.0, range_14,
                                expect=[200], server_pid=server.pid, seed_value=4))

        log("collecting open times for the booking phases from the slots API")
        pool, groups = prepare_bookings(server.port, seeded, args.contention_rounds, rng)
        log(f"{len(pool)} distinct non-overlapping open times to book; {len(groups)} contention rounds")
        queue = deque(pool)
        counter = iter(range(10**9))
        counter_lock = threading.Lock()

        def book_one(index: int, _rng: random.Random):
            try:
                booking = queue.popleft()
            except IndexError:
                return None
            with counter_lock:
                number = next(counter)
            return "POST", f"{API}/appointments", booking_body(
                booking, screening_ids[index % len(screening_ids)], f"{email_prefix}{number}@example.com")

        log("warm-up bookings (32, 4 clients; not counted)")
        warm = run_phase("warm-up bookings", server.port, 4, 10.0, book_one, expect=[201], server_pid=server.pid,
                         max_requests=32, seed_value=6)
        warm_created = warm.statuses[201]
        settle("bookings (distinct times)")
        log(f"booking creation ({args.booking_clients} clients, up to {args.booking_seconds:.0f} s)")
        booking_phase = run_phase("bookings (distinct times)", server.port, args.booking_clients,
                                  args.booking_seconds, book_one, expect=[201], server_pid=server.pid,
                                  seed_value=5)
        phases.append(booking_phase)
        doubles_after_booking = double_bookings(url)
        stored = stored_bench_bookings(url, email_prefix)
        deadlocks_before = deadlocks(url)

        log(f"contention ({args.booking_clients} clients x {len(groups)} rounds, same times)")
        contention = run_contention(server.port, groups, args.booking_clients, screening_ids, email_prefix)
        doubles_after_contention = double_bookings(url)
        contention_deadlocks = deadlocks(url) - deadlocks_before
        stored_after = stored_bench_bookings(url, email_prefix)
        exclusion = has_exclusion_constraint(url)

        report.update(
            command=" ".join(["python", "benchmarks/booking.py", *(argv if argv is not None else sys.argv[1:])]),
            server=" ".join(["gunicorn", *server.command[1:]]),
            pool={"pool_size": server.pool_size, "max_overflow": 2, "pool_pre_ping": False},
            seeded={k: getattr(seeded, k) for k in ("appointments", "cancelled", "patients", "screenings",
                                                   "time_off", "shifts", "seconds")}
            | {"first_day": seeded.first_day.isoformat(), "last_day": seeded.last_day.isoformat(),
               "therapists": len(seeded.therapists), "occupancy": round(seeded.occupancy, 3)},
            queries={name: value["queries"] for name, value in inproc["counts"].items()},
            statements={name: value["statements"] for name, value in inproc["counts"].items()},
            phases=[phase_json(phase) for phase in phases],
            bookings={"pool": len(pool), "created": booking_phase.statuses[201],
                      "per_second": round(booking_phase.per_second(201), 1),
                      "conflicts_409": booking_phase.statuses[409], "stored": stored,
                      "other": {str(k): v for k, v in booking_phase.statuses.items() if k not in (201, 409)},
                      "transport_errors": booking_phase.transport_errors,
                      "resent_after_idle_close": booking_phase.retries},
            contention={"rounds": contention.rounds, "clients": contention.clients,
                        "created": contention.statuses[201], "conflicts_409": contention.statuses[409],
                        "rounds_with_one_winner": sum(1 for w in contention.winners if w == 1),
                        "rounds_with_more": sum(1 for w in contention.winners if w > 1),
                        "other": {str(k): v for k, v in contention.statuses.items() if k not in (201, 409)},
                        "transport_errors": contention.transport_errors,
                        "resent_after_idle_close": contention.retries,
                        "p50_ms": round(percentile(contention.latencies, .5) * 1000, 1),
                        "p99_ms": round(percentile(contention.latencies, .99) * 1000, 1),
                        "max_ms": round(max(contention.latencies, default=0) * 1000, 1),
                        "stored_total": stored_after,
                        "deadlocks_detected": contention_deadlocks},
            double_bookings={"after_bookings": doubles_after_booking, "after_contention": doubles_after_contention},
            exclusion_constraint=exclusion,
            csrf_probe=inproc["csrf_probe"],
            postgres_alone=pg_alone,
            server_errors=server.logged_errors(),
            quiet_wait=quiet,
        )
        print_report(report, phases, booking_phase, contention, inproc, seeded)
        ok_stored = stored == booking_phase.statuses[201] + warm_created and \
            stored_after == stored + contention.statuses[201]
        if not ok_stored:
            print(f"\nWARNING: stored bookings ({stored}, then {stored_after}) do not match the 201 answers "
                  f"({warm_created} warm-up + {booking_phase.statuses[201]}, then +{contention.statuses[201]}).")
        if doubles_after_booking or doubles_after_contention or any(w > 1 for w in contention.winners):
            exit_code = 1
        if args.json:
            args.json.write_text(json.dumps(report, indent=2, default=str))
    except Exception as exc:  # noqa: BLE001 - report, clean up, exit non-zero
        traceback.print_exc()
        if server is not None:
            print(f"gunicorn log ({server.log_path}):\n{server.log_tail()}", file=sys.stderr)
        print(f"benchmark failed: {exc}", file=sys.stderr)
        exit_code = 2
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            try:
                drop_database(args.admin_url, args.db_name)
            except psycopg.Error as exc:
                print(f"could not drop {args.db_name}: {exc}", file=sys.stderr)
        else:
            log(f"kept database {url}")
        lock.close()  # releases the advisory lock
        if exit_code == 0 and not args.keep:
            shutil.rmtree(log_dir, ignore_errors=True)
        else:
            log(f"gunicorn log: {log_dir / 'gunicorn.log'}")
    return exit_code


def phase_json(phase: PhaseResult) -> dict[str, Any]:
    return {"name": phase.name, "clients": phase.clients, "requests": phase.requests,
            "seconds": round(phase.wall, 2), "rps": round(phase.rps, 1), "p50_ms": round(phase.ms(0.50), 1),
            "p95_ms": round(phase.ms(0.95), 1), "p99_ms": round(phase.ms(0.99), 1),
            "statuses": {str(k): v for k, v in phase.statuses.items()},
            "transport_errors": phase.transport_errors, "resent_after_idle_close": phase.retries,
            "samples": phase.samples,
            "cpu_cores": {k: round(v, 2) for k, v in vars(phase.cpu).items() if k != "wall"} if phase.cpu else None,
            "cpu_ms_per_request": {party: round(phase.cpu.ms_per(party, phase.requests), 2)
                                   for party in ("client", "server", "postgres")} if phase.cpu else None}


def code_version() -> dict[str, Any]:
    """The commit, and a fingerprint of the app's sources as run (the working tree may differ)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "booking").rglob("*.py")) + sorted((ROOT / "migrations").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "booking", "migrations"], cwd=ROOT,
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        head, dirty = "?", True
    return {"commit": head, "uncommitted_app_changes": dirty, "app_sources_sha256": digest.hexdigest()[:12]}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    try:
        with psycopg.connect(ADMIN_URL) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        pg = "?"
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory": memory, "postgresql": pg,
            "python": platform.python_version(), "kernel": platform.release(),
            "load_average_at_start": os.getloadavg()}


def print_report(report: dict[str, Any], phases: list[PhaseResult], booking_phase: PhaseResult,
                 contention: ContentionResult, inproc: dict[str, Any], seeded: Seeded) -> None:
    m = report["machine"]
    print()
    print(f"Booking benchmark, {report['date']}")
    print(f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory']}, PostgreSQL {m['postgresql']}, "
          f"Python {m['python']}; load average at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}")
    code = report["code"]
    print(f"Code: commit {code['commit']}{' with uncommitted app changes' if code['uncommitted_app_changes'] else ''}"
          f", app sources sha256 {code['app_sources_sha256']}")
    print(f"Server: {report['server']}; pool {report['pool']}; rate limits and CSRF off "
          "(RATELIMIT_ENABLED=false, WTF_CSRF_ENABLED=false)")
    probe = report["csrf_probe"]
    if probe["status"] != 201:
        print(f"WARNING: with the default settings (CSRF on) POST {API}/screenings without a CSRF token answers "
              f"{probe['status']} {probe['body']!r}: the JSON API is not exempt from CSRF.")
    s = report["seeded"]
    print(f"Data: {s['therapists']} therapists, {s['appointments']} appointments ({s['cancelled']} cancelled) "
          f"{s['first_day']}..{s['last_day']}, {s['patients']} patients, {s['time_off']} time-off periods, "
          f"booked time {s['occupancy']:.0%} of working hours; seeded in {s['seconds']:.1f} s")
    print()
    header = (f"{'phase':38} {'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8}  statuses")
    print(header)
    print("-" * len(header))
    for phase in phases:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(phase.statuses.items()))
        if phase.transport_errors:
            statuses += f", transport errors: {phase.transport_errors}"
        if phase.retries:
            statuses += f" (+{phase.retries} resent on a new connection)"
        print(f"{phase.name:38} {phase.clients:>7} {phase.requests:>8} {phase.rps:>8.1f} {phase.ms(.5):>8.1f} "
              f"{phase.ms(.95):>8.1f} {phase.ms(.99):>8.1f}  {statuses}")
    print()
    print("CPU during each phase (average cores in use; the machine has "
          f"{m['cpus']}; 'other' is everything else on the machine):")
    for phase in phases:
        if phase.cpu:
            print(f"  {phase.name:38} {phase.cpu.text()}")
    print("CPU per request (ms), independent of what else ran; 'ceiling' = requests/s the machine's cores "
          "would allow at that cost if nothing else ran:")
    cores = m["cpus"] or 1
    for phase in phases:
        if phase.cpu and phase.requests:
            per = {party: phase.cpu.ms_per(party, phase.requests) for party in ("client", "server", "postgres")}
            total = sum(per.values())
            print(f"  {phase.name:38} gunicorn {per['server']:6.2f}, postgres {per['postgres']:5.2f}, "
                  f"client {per['client']:5.2f}; ceiling {cores * 1000 / total if total else 0:7.0f} req/s")
    print(f"PostgreSQL alone: {report['postgres_alone']['inserts_per_second']:.0f} single-row inserts/s under "
          f"the exclusion constraint ({report['postgres_alone']['threads']} connections, autocommit)")
    if report.get("quiet_wait"):
        print(f"Cores used by other processes just before each phase: {report['quiet_wait']}")
    for phase in phases:
        for sample in phase.samples:
            print(f"  unexpected answer in '{phase.name}': {sample}")
    b = report["bookings"]
    c = report["contention"]
    d = report["double_bookings"]
    print()
    print(f"Bookings: {b['created']} created in {booking_phase.wall:.1f} s = {b['per_second']:.1f}/s "
          f"(pool of {b['pool']} distinct open times), 409: {b['conflicts_409']}, other: {b['other'] or 0}, "
          f"stored in the database: {b['stored']}")
    print(f"Contention: {c['rounds']} rounds x {c['clients']} clients on the same therapist and time "
          f"(starts s and s+15 min): {c['created']} created, 409: {c['conflicts_409']}, "
          f"rounds with one winner: {c['rounds_with_one_winner']}, with more than one: {c['rounds_with_more']}, "
          f"other: {c['other'] or 0}, transport errors: {c['transport_errors']}, resent on a new connection: "
          f"{c['resent_after_idle_close']}; latency p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms, max {c['max_ms']} ms; "
          f"deadlocks PostgreSQL detected meanwhile: {c['deadlocks_detected']}")
    for sample in contention.samples:
        print(f"  unexpected answer in contention: {sample}")
    if report.get("server_errors"):
        print(f"Errors the app logged (gunicorn log): {report['server_errors']}")
    print(f"Double bookings (overlapping live appointments of one therapist): after the booking phase "
          f"{d['after_bookings']}, after contention {d['after_contention']}; exclusion constraint present: "
          f"{report['exclusion_constraint']}")
    print()
    print("SQL statements per request (in-process, before_cursor_execute):")
    for name, value in inproc["counts"].items():
        print(f"  {name:40} {value['queries']:>3}  ({value['bytes']} bytes answered)")
    print()
    one_day, range_14 = phases[0], phases[1]
    rows = [
        ("one-day slot search >= 300 req/s", f"{one_day.rps:.0f} req/s", one_day.rps >= TARGETS["one_day_rps"]),
        ("14-day search p95 <= 50 ms", f"{range_14.ms(.95):.1f} ms", range_14.ms(.95) <= TARGETS["range_p95_ms"]),
        ("bookings >= 200/s", f"{b['per_second']:.0f}/s", b["per_second"] >= TARGETS["bookings_per_s"]),
        ("double bookings = 0", f"{d['after_bookings'] + d['after_contention']}",
         d["after_bookings"] == 0 and d["after_contention"] == 0 and c["rounds_with_more"] == 0),
    ]
    queries = report["queries"]
    search_queries = max(queries.get("slot search, one type, 14 days", 0),
                         queries.get("slot search, one therapist, one day", 0))
    rows.append(("slot search: no query per appointment", f"{search_queries} queries", search_queries <= 10))
    errors_5xx = sum(v for phase in phases for k, v in phase.statuses.items() if k >= 500) + \
        sum(v for k, v in contention.statuses.items() if k >= 500)
    rows.append(("no 5xx answers (not a target; a bug)", f"{errors_5xx}", errors_5xx == 0))
    print("Targets:")
    for label, value, met in rows:
        print(f"  {label:40} {value:>14}  {'PASS' if met else 'FAIL'}")
    busy = {phase.name: phase.cpu.other for phase in phases if phase.cpu and phase.cpu.other > 0.2}
    if busy:
        print("  Note: other processes used " + ", ".join(f"{used:.2f} cores during '{name}'"
                                                      for name, used in busy.items())
              + f" (of {cores}); those figures understate the app. Compare the CPU per request, or run "
                "again with --wait-quiet 120.")
    report["targets"] = {label: {"value": value, "met": met} for label, value, met in rows}
    print(f"\nFor scale: {REFERENCE}")
    if inproc["profiles"]:
        print("\nProfiles (pyinstrument, in-process) written; summaries:")
        for name, text in inproc["profiles"].items():
            print(f"--- {name} ---")
            print("\n".join(text.splitlines()[:60]))


if __name__ == "__main__":
    sys.exit(main())
