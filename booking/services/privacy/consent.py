"""Consent to messages that are not transactional: recorded and withdrawn by an admin, read when one is sent.

A consent says what the patient agreed to (its purpose, a ``booking.notifications.kinds.Purpose``, and the words
they agreed to), when and how; withdrawing it ends it (the record stays, with when). Both are audited. The
messages a visit needs (confirmations, changes, reminders...) are transactional and need none.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_midnight
from booking.extensions import db
from booking.models import MessageConsent, Patient, StaffUser
from booking.policy import require_see_patients
from booking.services import audit

# How a consent the desk records was given, as the patient's page says it.
HOW = {"in person": "In person", "phone": "On the phone", "in writing": "In writing"}


def live(patient: Patient, purpose: str) -> bool:
    """Whether the patient has a consent of this purpose that was not withdrawn."""
    return db.session.scalar(select(MessageConsent.id).where(
        MessageConsent.patient_id == patient.id, MessageConsent.purpose == purpose,
        MessageConsent.withdrawn_at.is_(None)).limit(1)) is not None


def of(patient: Patient, by: StaffUser) -> list[MessageConsent]:
    """The patient's consents, live and withdrawn, the latest first; Refused unless an admin."""
    require_see_patients(by)
    return list(db.session.scalars(select(MessageConsent).where(MessageConsent.patient_id == patient.id)
                                   .options(joinedload(MessageConsent.recorded_by))
                                   .order_by(MessageConsent.given_at.desc(), MessageConsent.id.desc())))


def record(patient: Patient, purpose: str, wording: str, how: str, given_on: date, by: StaffUser, *,
           now: datetime | None = None) -> MessageConsent:
    """Record a consent the patient gave on ``given_on`` (today: now); audited. Refused unless an admin."""
    require_see_patients(by)
    now = moment(now)
    given_at = now if given_on == now.astimezone(clinic_zone()).date() else local_midnight(given_on)
    consent = MessageConsent(patient_id=patient.id, purpose=purpose, wording=wording, how=how, given_at=given_at,
                             recorded_by_id=by.id)
    db.session.add(consent)
    db.session.flush()
    audit.record("consent recorded", "patient", patient.id, f"consent {consent.id} to {purpose}, {how}",
                 actor=by, at=now)
    db.session.commit()
    return consent


def withdraw(consent: MessageConsent, by: StaffUser, *, now: datetime | None = None) -> None:
    """End a live consent at the patient's request; audited. Refused unless an admin; a withdrawn one stays as it is."""
    require_see_patients(by)
    if consent.withdrawn_at is not None:
        return
    now = moment(now)
    consent.withdrawn_at = now
    audit.record("consent withdrawn", "patient", consent.patient_id, f"consent {consent.id} to {consent.purpose}",
                 actor=by, at=now)
    db.session.commit()
