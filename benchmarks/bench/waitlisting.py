"""The waitlist benchmarks' seeded waiting entries (by COPY, on top of ``bench.seeding``'s clinic) and the freed
times they are matched against."""

from __future__ import annotations

import json
import random
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench.seeding import Seeded

PARTS = ("morning", "afternoon", "evening")


def entry_row(patient_id: int, screening_id: uuid.UUID, seeded: Seeded, rng: random.Random, now: datetime,
              flexible: bool) -> tuple[Any, ...]:
    """One random waiting entry: any service (one in five massages a pair with physiotherapy), anyone or a
    therapist of its type, random days and parts of the day, joined up to 60 days ago, waiting 1 to 30 days more.
    A ``flexible`` one waits for the shortest service of a therapy type, with anyone, at any time."""
    code = rng.choice(sorted(seeded.services))
    if flexible:
        code = seeded.shortest(rng.choice(("physiotherapy", "massage")))
    service_id, therapy, _, _ = seeded.services[code]
    pair = None
    if therapy == "massage" and rng.random() < 0.2 and not flexible:
        pair = seeded.services[rng.choice(seeded.services_of("physiotherapy"))][0]
    ours = [therapist for therapist, kind in seeded.therapists.items() if kind == therapy]
    therapist = None if flexible else rng.choice([None, None, *ours[:3]])
    days = list(range(7)) if flexible else sorted(rng.sample(range(7), rng.randint(2, 7)))
    parts = list(PARTS) if flexible else sorted(rng.sample(PARTS, rng.randint(1, 3)), key=PARTS.index)
    joined_at = now - timedelta(minutes=rng.randrange(1, 60 * 24 * 60))
    until = now + timedelta(minutes=rng.randrange(24 * 60, 30 * 24 * 60))
    return (uuid.uuid4(), secrets.token_hex(32), patient_id, screening_id, service_id, pair, therapist,
            json.dumps(days), json.dumps(parts), until, joined_at, "waiting")


def seed_entries(url: str, seeded: Seeded, count: int, seed_value: int, flexible: int = 0) -> int:
    """Add ``count`` waiting entries, each of a patient of its own with an email address (the seeded screenings
    reused), the last ``flexible`` of them flexible (``entry_row``); how many were written."""
    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM patients").fetchone()[0]
        screenings = [row[0] for row in cur.execute("SELECT id FROM screenings ORDER BY id LIMIT 500")]
        with cur.copy("COPY patients (id, name, email, phone, created_at) FROM STDIN") as copy:
            for number in range(first, first + count):
                copy.write_row((number, f"Waiting Patient {number}", f"waiting-{number}@example.com",
                                "+14035550143", now))
        with cur.copy("COPY waitlist_entries (link_id, token_hash, patient_id, screening_id, service_id, "
                      "pair_service_id, therapist_id, days, parts, until, joined_at, status) FROM STDIN") as copy:
            for number in range(first, first + count):
                copy.write_row(entry_row(number, rng.choice(screenings), seeded, rng, now,
                                          number >= first + count - flexible))
        cur.execute("SELECT setval(pg_get_serial_sequence('patients', 'id'), "
                    "(SELECT max(id) + 1 FROM patients), false)")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE patients")
        conn.execute("VACUUM ANALYZE waitlist_entries")
    return count


def free_times(url: str, count: int, seed_value: int) -> list[int]:
    """Cancel ``count`` random live visits two days ahead or more, as cancellations would (the visit cancelled, its
    time opened in the same transaction, not handed over yet); the openings' ids."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT setseed(%s)", ((seed_value % 1000) / 1000,))
        ids = [row[0] for row in conn.execute(
            "WITH freed AS (UPDATE appointments SET status = 'cancelled', cancelled_at = now() WHERE id IN ("
            "  SELECT id FROM appointments WHERE status = 'booked' AND starts_at > now() + interval '2 days' "
            "  ORDER BY random() LIMIT %s) RETURNING id, therapist_id, starts_at, blocked_until) "
            "INSERT INTO waitlist_openings (key, therapist_id, starts_at, ends_at, cause, status, created_at) "
            "SELECT 'cancellation:' || id || ':v0', therapist_id, starts_at, blocked_until, 'cancellation', 'open', "
            "now() FROM freed RETURNING id", (count,))]
        conn.commit()
    return ids
