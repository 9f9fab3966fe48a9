"""The front desk's calls: a freed time offered to a patient without an email address (a caller the desk put on the
list) is offered in the same priority order and held for the same claim window as any other (``offering``), but
nobody is emailed; the admins see it as a call to make.

From the call the admin books the time for the caller through the claim itself (``claims.claim`` by staff: the
same booking path, audited), or records that it was not wanted or that nobody answered: the offer ends
``expired`` (``answered_at`` says it was answered so, the audit row says by whom) and the opening goes straight
back to the worker (``openings.hand_over``), which offers it to the next entry. A call nobody records expires
with its window and is passed on as an emailed offer is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.clinic.times import local_time
from booking.database import lock
from booking.extensions import db
from booking.models import Patient, StaffUser, WaitlistEntry, WaitlistOffer, WaitlistOpening
from booking.models.waitlist import OfferStatus
from booking.policy import require_book_for_callers, require_run_the_clinic
from booking.services import audit
from booking.services.waitlist import claims, openings
from booking.services.waitlist.claims import Claimed, NotClaimed, OfferedVisit, offered_visits


@dataclass(frozen=True)
class Call:
    """A live offer to make by phone: the offer, and the visits it stands for (a pair: both)."""

    offer: WaitlistOffer
    visits: list[OfferedVisit]

    @property
    def patient(self) -> Patient:
        """Whom to call."""
        return self.offer.entry.patient


# What a call's page and lists show of it, loaded with it.
_ENTRY = joinedload(WaitlistOffer.entry)
SHOWN = (joinedload(WaitlistOffer.opening).joinedload(WaitlistOpening.therapist), joinedload(WaitlistOffer.service),
         _ENTRY.joinedload(WaitlistEntry.patient), _ENTRY.joinedload(WaitlistEntry.pair_service))


def to_call(by: StaffUser, *, now: datetime | None = None) -> list[Call]:
    """The live offers to patients without email, the one held the shortest first; Refused for anyone the policy
    does not let run the clinic."""
    require_run_the_clinic(by)
    offers = db.session.scalars(
        select(WaitlistOffer).join(WaitlistEntry, WaitlistEntry.id == WaitlistOffer.entry_id)
        .join(Patient, Patient.id == WaitlistEntry.patient_id).options(*SHOWN)
        .where(WaitlistOffer.status == OfferStatus.OFFERED, WaitlistOffer.expires_at > moment(now),
               Patient.email.is_(None))
        .order_by(WaitlistOffer.expires_at, WaitlistOffer.id))
    return [Call(offer, offered_visits(offer)) for offer in offers]


def find_call(by: StaffUser, offer_id: uuid.UUID) -> Call | None:
    """The offer with this id to a patient without email, whatever became of it; None for any other id (an emailed
    offer is claimed through its link). Refused for anyone the policy does not let run the clinic."""
    require_run_the_clinic(by)
    offer = db.session.get(WaitlistOffer, offer_id, options=SHOWN)
    if offer is None or offer.entry.patient.email is not None:
        return None
    return Call(offer, offered_visits(offer))


def book_for_caller(call: Call, *, by_staff: StaffUser, now: datetime | None = None) -> Claimed | NotClaimed:
    """The caller wants the time: claim it for them, as ``by_staff`` (``claims.claim``: booked or why not)."""
    require_book_for_callers(by_staff)
    return claims.claim(call.offer, now=now, by_staff=by_staff)


def not_wanted(call: Call, *, by_staff: StaffUser, now: datetime | None = None) -> str | None:
    """The caller did not want the time, or did not answer: end the offer, audited, and hand the opening to the
    worker at once for the next entry. None when recorded; else why the offer was already over (``claims``'
    TAKEN, EXPIRED or LEFT), changing nothing."""
    require_run_the_clinic(by_staff)
    when = moment(now)
    offer = call.offer
    lock(offer.opening)
    db.session.refresh(offer)
    db.session.refresh(offer.entry)
    reason = claims.refusal(offer, now=when)
    if reason is not None:
        db.session.rollback()
        return reason
    offer.status, offer.answered_at = OfferStatus.EXPIRED, when
    audit.record("declined", "waitlist entry", offer.entry_id, f"{local_time(offer.opening.starts_at)} with "
                 f"{offer.opening.therapist.name}: not wanted or no answer on the phone", actor=by_staff, at=when)
    db.session.commit()
    openings.hand_over([offer.opening])
    return None
