"""Waitlist rows written straight to the database, as the services would have left them: entries, openings whose
fate is known, and their offers (for the tests of the clinic's view, which reads what happened)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from itertools import count

from booking.extensions import db
from booking.models import CarePlan, Screening, Service, Therapist
from booking.models.waitlist import (
    EntryStatus,
    OfferStatus,
    OpeningCause,
    OpeningStatus,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
)
from booking.services.visits.tokens import token_hash
from booking.services.waitlist import links
from tests.factories import Clinic, PatientFactory, StaffUserFactory

_keys = count(1)


def care_plan(clinic: Clinic) -> CarePlan:
    """A stored care plan of the clinic's first therapists (a plan session's entry names one)."""
    plan = CarePlan(patient_id=PatientFactory().id, screening_id=clinic.screenings["combined"].id,
                    physiotherapist_id=clinic.physiotherapists[0].id, massage_therapist_id=clinic.massage_therapists[0].id,
                    physio_service_id=clinic.physio.id, massage_service_id=clinic.massage.id, goals="",
                    physio_sessions=2, physio_cadence_days=7, massage_sessions=2, massage_cadence_days=7,
                    tolerance_days=2, back_to_back=False, starts_on=date(2026, 12, 1),
                    created_by_id=StaffUserFactory(admin=True).id)
    db.session.add(plan)
    db.session.flush()
    return plan


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
