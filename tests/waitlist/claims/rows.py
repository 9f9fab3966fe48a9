"""Waitlist rows for the claim tests, written directly: entries waiting, a freed time, and its offers.

Each link's token is derived as the app derives it (``booking.services.waitlist.links``), and only its hash stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from booking.extensions import db
from booking.models import Screening, Service, Therapist
from booking.models.waitlist import OpeningCause, WaitlistEntry, WaitlistOffer, WaitlistOpening
from booking.services.visits import token_hash
from booking.services.waitlist.links import entry_token, offer_token
from tests.factories import PatientFactory

EVERY_DAY = list(range(7))
ALL_DAY = ["morning", "afternoon", "evening"]


@dataclass
class Offered:
    """A freed time and the offers made of it, each with its claim link's token."""

    opening: WaitlistOpening
    offers: list[WaitlistOffer]
    tokens: list[str]


def waiting(screening: Screening, service: Service, *, joined_at: datetime, pair_service: Service | None = None,
            email: str | None = None) -> WaitlistEntry:
    """A patient waiting for this service (or pair) on any day at any time, for a month."""
    patient = PatientFactory(**({"email": email} if email else {}))
    entry = WaitlistEntry(link_id=uuid.uuid4(), token_hash="",
                          patient_id=patient.id, screening_id=screening.id, service_id=service.id,
                          pair_service_id=pair_service.id if pair_service else None, days=EVERY_DAY, parts=ALL_DAY,
                          until=joined_at + timedelta(days=30), joined_at=joined_at)
    entry.token_hash = token_hash(entry_token(entry))
    db.session.add(entry)
    db.session.flush()
    return entry


def offered(therapist: Therapist, service: Service, starts_at: datetime, entries: list[WaitlistEntry], *,
            now: datetime, minutes: int = 30, pair_therapist: Therapist | None = None) -> Offered:
    """The therapist's time freed at ``starts_at`` (a visit of ``service`` cancelled) and offered to each entry
    until ``minutes`` from now; committed."""
    opening = WaitlistOpening(key=f"cancellation:{uuid.uuid4()}:v1", therapist_id=therapist.id, starts_at=starts_at,
                              ends_at=starts_at + service.duration, cause=OpeningCause.CANCELLATION, created_at=now,
                              relayed_at=now)
    db.session.add(opening)
    db.session.flush()
    offers = []
    for entry in entries:
        offer = WaitlistOffer(id=uuid.uuid4(), opening_id=opening.id, entry_id=entry.id, service_id=service.id,
                              pair_therapist_id=pair_therapist.id if pair_therapist else None, offered_at=now,
                              expires_at=now + timedelta(minutes=minutes))
        offer.token_hash = token_hash(offer_token(offer))
        offers.append(offer)
    db.session.add_all(offers)
    db.session.commit()
    return Offered(opening, offers, [offer_token(offer) for offer in offers])
