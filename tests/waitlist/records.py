"""Waitlist rows written straight to the database, as the services would have left them: entries, openings whose
fate is known, and their offers (for the tests of the clinic's view, which reads what happened)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from itertools import count

from booking.extensions import db
from booking.models import Screening, Service, Therapist, WaitlistEntry, WaitlistOffer, WaitlistOpening
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningCause, OpeningStatus
from booking.services.visits.tokens import token_hash
from booking.services.waitlist import links
from tests.factories import PatientFactory

_keys = count(1)


def entry(service: Service, screening: Screening, joined_at: datetime, *, name: str | None = None,
          therapist: Therapist | None = None, care_plan_id: int | None = None,
          pair_service: Service | None = None, status: EntryStatus = EntryStatus.WAITING,
          days: tuple[int, ...] = tuple(range(7)), parts: tuple[str, ...] = ("morning", "afternoon", "evening"),
          waits: timedelta = timedelta(weeks=8)) -> WaitlistEntry:
    """A place on the list for ``service``, joined at ``joined_at`` and waiting ``waits`` from then."""
    patient = PatientFactory(**({"name": name} if name else {}))
    row = WaitlistEntry(link_id=uuid.uuid4(), patient=patient, screening_id=screening.id, service_id=service.id,
                        pair_service_id=pair_service.id if pair_service else None,
                        therapist_id=therapist.id if therapist else None, care_plan_id=care_plan_id,
                        days=list(days), parts=list(parts), until=joined_at + waits, joined_at=joined_at,
                        status=status)
    row.token_hash = token_hash(links.entry_token(row))
    db.session.add(row)
    db.session.flush()
    return row


def opening(therapist: Therapist, created_at: datetime, status: OpeningStatus, *,
            cause: OpeningCause = OpeningCause.CANCELLATION, starts_in: timedelta = timedelta(days=1),
            minutes: int = 60, filled_by: WaitlistEntry | None = None) -> WaitlistOpening:
    """A time of ``therapist`` freed at ``created_at`` (starting ``starts_in`` later), with its outcome."""
    starts_at = created_at + starts_in
    row = WaitlistOpening(key=f"test:{next(_keys)}", therapist_id=therapist.id, starts_at=starts_at,
                          ends_at=starts_at + timedelta(minutes=minutes), cause=cause, status=status,
                          created_at=created_at, relayed_at=created_at,
                          closed_at=None if status == OpeningStatus.OPEN else created_at + timedelta(hours=1),
                          filled_entry_id=filled_by.id if filled_by else None)
    db.session.add(row)
    db.session.flush()
    return row


def offer(of: WaitlistOpening, to: WaitlistEntry, offered_at: datetime, status: OfferStatus, *,
          answered_at: datetime | None = None, window: timedelta = timedelta(minutes=30)) -> WaitlistOffer:
    """The opening offered to the entry at ``offered_at``, and what became of it (answered at ``answered_at``)."""
    row = WaitlistOffer(id=uuid.uuid4(), opening_id=of.id, entry_id=to.id, service_id=to.service_id,
                        offered_at=offered_at, expires_at=offered_at + window, status=status,
                        answered_at=answered_at)
    row.token_hash = token_hash(links.offer_token(row))
    db.session.add(row)
    db.session.flush()
    return row
