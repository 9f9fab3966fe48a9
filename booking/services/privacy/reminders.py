"""Stopping reminders with one click from an email, and an admin turning them back on at the patient's request.

Every patient email carries a "Stop reminders" link (``stop_url``): ``/stop-reminders/<id>/<token>``, where the id
is the random id of the record the email is about (a visit's id, a place on the waitlist's ``link_id``) and the
token ``derive_token("reminders", id)``: unguessable, derived again for each email, nothing stored. It opens no
page of the visit, only the button. Stopping sets ``Patient.reminders_stopped_at`` on the current record of the
person; the reminders' maker then finds them not owed. Confirmations, changes, the questions before a visit and
waitlist emails still come: only reminders stop.
"""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime

from sqlalchemy import select

from booking.clinic.clock import moment
from booking.clinic.links import absolute_url
from booking.extensions import db
from booking.models import Appointment, Patient, StaffUser, WaitlistEntry
from booking.policy import require_see_patients
from booking.services import audit
from booking.services.visits.patients import current_record
from booking.services.visits.tokens import derive_token

PURPOSE = "reminders"


def stop_url(record_id: uuid.UUID) -> str:
    """The absolute "Stop reminders" link of an email about the record with this random id."""
    return absolute_url("public.stop_reminders", record_id=record_id, token=derive_token(PURPOSE, record_id))


def patient_for(record_id: uuid.UUID, token: str) -> Patient | None:
    """The current record of the patient whose email carried this link; None for any other token."""
    if not hmac.compare_digest(derive_token(PURPOSE, record_id), token):
        return None
    patient_id = db.session.scalar(select(Appointment.patient_id).where(Appointment.id == record_id))
    if patient_id is None:
        patient_id = db.session.scalar(select(WaitlistEntry.patient_id).where(WaitlistEntry.link_id == record_id))
    return current_record(patient_id) if patient_id is not None else None


def stop(patient: Patient, *, now: datetime | None = None) -> None:
    """Stop the patient's reminders (the patient's own click: no sign-in); audited once, when they stop."""
    if patient.reminders_stopped_at is not None:
        return
    now = moment(now)
    patient.reminders_stopped_at = now
    audit.record("reminders stopped", "patient", patient.id, "by the patient, with the link in an email", at=now)
    db.session.commit()


def resume(patient: Patient, by: StaffUser, *, now: datetime | None = None) -> None:
    """Turn the patient's reminders back on, at their request; audited. Refused unless an admin."""
    require_see_patients(by)
    if patient.reminders_stopped_at is None:
        return
    now = moment(now)
    patient.reminders_stopped_at = None
    audit.record("reminders turned back on", "patient", patient.id, "at the patient's request", actor=by, at=now)
    db.session.commit()
