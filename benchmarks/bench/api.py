"""Requests to the booking API: slot search paths, booking bodies, and open times picked to book."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bench.common import API
from bench.seeding import Seeded

RANGE_TYPE = "physiotherapy"  # the type of the 14-day searches: the one with 20 therapists


def one_day_path(seeded: Seeded, rng: random.Random, days: list[date]) -> str:
    """A slot search for one random therapist, one of their services and one day."""
    therapist = rng.choice(sorted(seeded.therapists))
    code = rng.choice(seeded.services_of(seeded.therapists[therapist]))
    day = rng.choice(days).isoformat()
    return f"{API}/slots?" + urlencode({"service": code, "from": day, "to": day, "therapist_id": therapist})


def range_path(seeded: Seeded, rng: random.Random, days: list[date]) -> str:
    """A type-wide slot search for one random physiotherapy service (20 therapists) over 14 days."""
    code = rng.choice(seeded.services_of(RANGE_TYPE))
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
    """The JSON body of POST /appointments for one booking."""
    return {"screening_id": screening_id, "service": booking.service, "therapist_id": booking.therapist_id,
            "starts_at": booking.starts_at,
            "patient": {"name": "Bench Patient", "email": email, "phone": "403-555-0142"}}


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
