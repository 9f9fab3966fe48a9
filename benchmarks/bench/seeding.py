"""The seeded clinic: services, shifts, time off, appointments, patients and screenings, by COPY."""

from __future__ import annotations

import json
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from bench.common import GRID

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


def ceil_grid(moment: datetime) -> datetime:
    """The first 15-minute grid instant at or after ``moment`` (UTC offsets of whole quarters)."""
    seconds = int(moment.timestamp())
    step = int(GRID.total_seconds())
    return datetime.fromtimestamp(-(-seconds // step) * step, UTC)


@dataclass
class Seeded:
    """What was seeded, and what the load phases need to know about it."""

    first_day: date
    last_day: date
    therapists: dict[int, str]           # id -> therapy type
    services: dict[str, tuple[int, str, int, int]]  # code -> (id, therapy type, minutes, buffer)
    zone: ZoneInfo  # the clinic's
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
        """The codes of the services of one therapy type."""
        return [code for code, (_, kind, _, _) in self.services.items() if kind == therapy_type]

    def shortest(self, therapy_type: str) -> str:
        """The code of the shortest service of one therapy type."""
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
        therapists[number] = "physiotherapy" if number <= 20 else "massage"
    seeded = Seeded(first_day, last_day, therapists, services, zone)
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
