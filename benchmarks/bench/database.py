"""The benchmark database: exclusive run, create/drop/migrate, PostgreSQL alone, and the SQL checks."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg

from bench.common import BROKER_URL, ROOT, SECRET_KEY, VENV_BIN, broker_queue, log


def db_url(admin_url: str, name: str) -> str:
    """The URL of another database on the same server."""
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


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
    """Drop the benchmark database; an app of this process that listened for changes of its clinic's settings
    stops quietly (the drop ends the listener's connection: no warning of a lost connection)."""
    from booking.clinic import cache

    cache.stop_listening()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_environment(url: str) -> dict[str, str]:
    """The environment the app runs with in the benchmark: production's settings (engine options with the
    connection check, CSRF), except rate limits, which are off, and the benchmark's database and broker."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SQLALCHEMY_", "RATELIMIT_", "FLASK_", "WTF_", "CELERY_"))}
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, RATELIMIT_ENABLED="false", REDIS_URL=BROKER_URL,
               CELERY_QUEUE=broker_queue(url))
    env.pop("BOOKING_ENV", None)
    return env


def migrate(url: str) -> None:
    """flask --app booking db upgrade, on the benchmark database."""
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "booking", "db", "upgrade"], cwd=ROOT,
                            env=app_environment(url), capture_output=True, text=True, timeout=120)
    if result.returncode:
        raise RuntimeError(f"migration failed:\n{result.stdout}\n{result.stderr}")


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
    """Whether the appointments table has its no-overlap exclusion constraint."""
    with psycopg.connect(url) as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'appointments_no_overlap' "
                                 "AND contype = 'x'").fetchone()[0])
