"""Claiming an offered time: the first valid claim books it, every later one is told it was taken.

A claim books through the same path as every booking (``visits.book_course``): the therapist's time is
re-checked under a row lock and the exclusion constraint has the last word, so a claim never takes a time a
patient booked meanwhile. Claims of one opening queue on the opening's row lock, taken first: the first
books the time and closes the opening in the booking's own transaction (``CourseRequest.also``), and each
one after it finds the opening filled. A pair books both visits or neither. A claim that is refused
leaves the entry waiting, so the patient keeps their place on the list. The front desk claims an offer for a
caller without email (``calls``) through the same path, as the staff member who booked it, audited.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from booking.clinic.clock import moment
from booking.database import lock
from booking.extensions import db
from booking.models import Appointment, Notification, Service, StaffUser, Therapist
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningStatus, WaitlistOffer, WaitlistOpening
from booking.services import audit
from booking.services.visits import (
    Booked,
    CourseRequest,
    InvalidBooking,
    PatientDetails,
    SlotTaken,
    VisitRequest,
    book_course,
)
from booking.services.waitlist import openings

logger = logging.getLogger(__name__)

# Why a claim booked nothing, as the claim pages tell it.
TAKEN = "taken"  # someone else claimed it first, or the time was booked another way
EXPIRED = "expired"  # the claim window passed, or the time came too close to offer
LEFT = "left"  # the patient left the list (or was removed) while the offer was out


@dataclass(frozen=True)
class Claimed:
    """The offer claimed: its visits booked (a pair's massage first), each with its manage token."""

    offer: WaitlistOffer
    booked: list[Booked]


@dataclass(frozen=True)
class NotClaimed:
    """Nothing booked, and why (TAKEN, EXPIRED or LEFT); the entry keeps waiting unless it left."""

    reason: str


def refusal(offer: WaitlistOffer, *, now: datetime) -> str | None:
    """Why this offer can no longer be claimed (TAKEN, EXPIRED, LEFT), or None while it can be.

    Read from the rows as loaded; ``claim`` reads them again under the opening's lock before it decides.
    """
    if offer.status in (OfferStatus.CLAIMED, OfferStatus.TAKEN) or \
            offer.opening.status in (OpeningStatus.FILLED, OpeningStatus.TAKEN):
        return TAKEN
    if offer.status == OfferStatus.WITHDRAWN or offer.entry.status != EntryStatus.WAITING:
        return LEFT
    if offer.status == OfferStatus.EXPIRED or offer.expires_at <= now or offer.opening.status != OpeningStatus.OPEN:
        return EXPIRED
    return None


@dataclass(frozen=True)
class OfferedVisit:
    """One visit an offer would book: what, with whom, when."""

    service: Service
    therapist: Therapist
    starts_at: datetime

    @property
    def ends_at(self) -> datetime:
        """When the visit ends."""
        return self.starts_at + self.service.duration


def offered_visits(offer: WaitlistOffer) -> list[OfferedVisit]:
    """The visits the offer stands for: its service with the opening's therapist at the opening's start, and
    for a pair the physiotherapy with ``pair_therapist_id`` right when the massage ends."""
    entry, opening = offer.entry, offer.opening
    visits = [OfferedVisit(offer.service, opening.therapist, opening.starts_at)]
    if entry.pair_service is not None and offer.pair_therapist_id is not None:
        visits.append(OfferedVisit(entry.pair_service, db.session.get_one(Therapist, offer.pair_therapist_id),
                                   visits[0].ends_at))
    return visits


def _request(offer: WaitlistOffer, close: Callable[[list[Appointment]], list[Notification]],
             by_staff: StaffUser | None) -> CourseRequest:
    """The booking the offer stands for, on the entry's own patient record, screening and care plan (``booked_by``
    the staff member who claims it for a caller)."""
    entry, patient = offer.entry, offer.entry.patient
    visits = tuple(VisitRequest(visit.service.code, visit.therapist.id, visit.starts_at)
                   for visit in offered_visits(offer))
    return CourseRequest(screening_id=str(entry.screening_id), visits=visits,
                         patient=PatientDetails(name=patient.name, email=patient.email, phone=patient.phone),
                         booked_by=by_staff, patient_id=entry.patient_id, care_plan_id=entry.care_plan_id,
                         also=close)


def _closer(offer: WaitlistOffer, now: datetime,
            by_staff: StaffUser | None) -> Callable[[list[Appointment]], list[Notification]]:
    """What the booking writes in its own transaction: the offer claimed, the entry booked, the opening
    filled by it, the opening's other live offers taken, and the audit row of a staff member's claim. No notice
    of its own: the booking's confirmation (``outbox.for_change``) tells the patient."""

    def close(appointments: list[Appointment]) -> list[Notification]:
        first = appointments[0]
        offer.status, offer.answered_at, offer.appointment_id = OfferStatus.CLAIMED, now, first.id
        entry = offer.entry
        entry.status, entry.ended_at, entry.appointment_id = EntryStatus.BOOKED, now, first.id
        opening = offer.opening
        opening.status, opening.filled_entry_id, opening.closed_at = OpeningStatus.FILLED, entry.id, now
        db.session.execute(update(WaitlistOffer)
                           .where(WaitlistOffer.opening_id == opening.id, WaitlistOffer.id != offer.id,
                                  WaitlistOffer.status == OfferStatus.OFFERED)
                           .values(status=OfferStatus.TAKEN, answered_at=now))
        if by_staff is not None:
            audit.record("claimed", "waitlist entry", entry.id, "booked for the caller by the front desk",
                         actor=by_staff, at=now)
        return []

    return close


def claim(offer: WaitlistOffer, *, now: datetime | None = None,
          by_staff: StaffUser | None = None) -> Claimed | NotClaimed:
    """Book the offered time for the offer's entry (``by_staff``: for a caller, by that staff member), or say why
    not; never raises for a lost race.

    The opening's row is locked first, then the offer and its entry are read afresh: of the claims of one
    opening the first that gets the lock decides. A time the re-check or the exclusion constraint finds
    taken (``SlotTaken``), or that is no longer open for booking, answers TAKEN and the entry keeps waiting.
    """
    now = moment(now)
    lock(offer.opening)
    db.session.refresh(offer)
    db.session.refresh(offer.entry)
    reason = refusal(offer, now=now)
    if reason is not None:
        db.session.rollback()
        return NotClaimed(reason)
    offer_id, opening = offer.id, offer.opening
    try:
        booked = book_course(_request(offer, _closer(offer, now, by_staff), by_staff), now=now)
    except SlotTaken:
        return _lost(offer_id, opening, now)
    except InvalidBooking as exc:  # the time closed meanwhile (new hours, time off, inside the notice)
        logger.info("waitlist offer %s could not be booked: %s", offer_id, ", ".join(sorted(exc.errors)))
        return _lost(offer_id, opening, now)
    logger.info("waitlist offer %s claimed", offer_id)
    return Claimed(offer, booked)


def _lost(offer_id: uuid.UUID, opening: WaitlistOpening, now: datetime) -> NotClaimed:
    """The offer's time was booked another way meanwhile (or closed): the offer is marked taken, so that its link
    says so from now on, and the opening goes back to the worker (``offering.advance``), which closes it or offers
    it on. The entry keeps waiting."""
    db.session.execute(update(WaitlistOffer)
                       .where(WaitlistOffer.id == offer_id, WaitlistOffer.status == OfferStatus.OFFERED)
                       .values(status=OfferStatus.TAKEN, answered_at=now))
    db.session.commit()
    openings.hand_over([opening])
    return NotClaimed(TAKEN)
