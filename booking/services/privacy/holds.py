"""What keeps a person's records past their date: a legal hold an admin puts and lifts, and the birth date the
minors' rule needs (``booking.privacy.retention``). Each change is an admin's, audited without the reason's or
the date's words: the hold's reason is the clinic's (a lawsuit, an investigation), kept on the record."""

from __future__ import annotations

from datetime import date, datetime

from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone
from booking.database import lock
from booking.extensions import db
from booking.models import Patient, StaffUser
from booking.policy import require_see_patients
from booking.privacy.retention import birth_date_problem
from booking.services import audit

HOLD_REASON_LENGTH = 200  # Patient.legal_hold_reason's length


class HoldError(Exception):
    """A hold or a birth date that cannot be stored: the field and why, in plain words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def put_hold(patient: Patient, reason: str, by: StaffUser, *, now: datetime | None = None) -> None:
    """Put a legal hold on the record (kept past its date until lifted), with the reason; audited."""
    require_see_patients(by)
    reason = " ".join(reason.split())
    if not reason:
        raise HoldError("reason", "Enter why the records are held, like \"lawsuit filed 2026-11-30\".")
    if len(reason) > HOLD_REASON_LENGTH:
        raise HoldError("reason", f"Write at most {HOLD_REASON_LENGTH} characters.")
    lock(patient)
    if patient.legal_hold_at is not None:
        raise HoldError("reason", "These records are already under a legal hold.")
    patient.legal_hold_reason, patient.legal_hold_at, patient.legal_hold_by_id = reason, moment(now), by.id
    audit.record("held", "patient", patient.id, "legal hold put", actor=by, at=now)
    db.session.commit()


def lift_hold(patient: Patient, by: StaffUser, *, now: datetime | None = None) -> bool:
    """Lift the record's legal hold (its date counts again); audited. False when there was none."""
    require_see_patients(by)
    lock(patient)
    if patient.legal_hold_at is None:
        db.session.rollback()
        return False
    patient.legal_hold_reason = patient.legal_hold_at = patient.legal_hold_by_id = None
    audit.record("released", "patient", patient.id, "legal hold lifted", actor=by, at=now)
    db.session.commit()
    return True


def set_birth_date(patient: Patient, born: date, by: StaffUser, *, now: datetime | None = None) -> None:
    """Store the patient's birth date, as they gave it (the minors' retention rule reads it); audited."""
    require_see_patients(by)
    problem = birth_date_problem(born, moment(now).astimezone(clinic_zone()).date())
    if problem is not None:
        raise HoldError("birth_date", problem)
    lock(patient)
    patient.birth_date = born
    audit.record("changed", "patient", patient.id, "birth date", actor=by, at=now)
    db.session.commit()
