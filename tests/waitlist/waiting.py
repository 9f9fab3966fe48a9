"""Places on the waitlist for the tests, stored as joining stores them (its link's hash included)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from booking.extensions import db
from booking.models import Patient, Therapist, WaitlistEntry
from booking.services.visits.tokens import token_hash
from booking.services.waitlist.links import entry_token
from booking.waitlist import ALL_DAYS, PARTS_OF_DAY
from tests.factories import Clinic, PatientFactory


def waiting(clinic: Clinic, joined_at: datetime, *, kind: str = "massage", pair: bool = False,
            therapist: Therapist | None = None, days: frozenset[int] = ALL_DAYS,
            parts: tuple[str, ...] = tuple(part.name for part in PARTS_OF_DAY), weeks: int = 4,
            patient: Patient | None = None) -> WaitlistEntry:
    """A committed place on the list for the clinic's massage (a pair: then its physiotherapy), or its
    physiotherapy (``kind``), waiting ``weeks`` from ``joined_at``."""
    service = clinic.massage if kind == "massage" else clinic.physio
    screening = clinic.screenings["combined" if pair else kind]
    entry = WaitlistEntry(link_id=uuid.uuid4(), patient=patient or PatientFactory(), screening_id=screening.id,
                          service_id=service.id, pair_service_id=clinic.physio.id if pair else None,
                          therapist_id=therapist.id if therapist else None, days=sorted(days), parts=list(parts),
                          until=joined_at + timedelta(weeks=weeks), joined_at=joined_at)
    entry.token_hash = token_hash(entry_token(entry))
    db.session.add(entry)
    db.session.commit()
    return entry
