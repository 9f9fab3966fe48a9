"""One home for every text limit: the forms, the API and the services refuse what the columns cannot hold."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import String, select

from booking.clinic import limits as text_limits
from booking.extensions import db
from booking.models import (
    Appointment,
    AuditEvent,
    CarePlanDismissal,
    ClinicClosure,
    ClinicSettings,
    ContactMessage,
    Notification,
    Patient,
    Service,
    StaffUser,
    Therapist,
    TimeOff,
    VisitOutcome,
)
from booking.services import audit

SIZED = [
    (Patient.name, "NAME_LENGTH"), (Patient.email, "EMAIL_LENGTH"), (Patient.phone, "PHONE_LENGTH"),
    (ContactMessage.name, "NAME_LENGTH"), (ContactMessage.email, "EMAIL_LENGTH"), (ContactMessage.phone, "PHONE_LENGTH"),
    (Therapist.name, "NAME_LENGTH"), (Therapist.email, "EMAIL_LENGTH"), (StaffUser.email, "EMAIL_LENGTH"),
    (Notification.recipient, "EMAIL_LENGTH"), (ClinicSettings.name, "NAME_LENGTH"),
    (ClinicSettings.phone, "PHONE_LENGTH"), (ClinicSettings.address, "ADDRESS_LENGTH"),
    (ClinicClosure.label, "CLOSURE_LABEL_LENGTH"), (Service.code, "SERVICE_CODE_LENGTH"), (Service.name, "NAME_LENGTH"),
    (Appointment.idempotency_key, "KEY_LENGTH"), (Appointment.cancellation_reason, "CANCELLATION_REASON_LENGTH"),
    (CarePlanDismissal.reason, "DISMISSAL_REASON_LENGTH"), (TimeOff.reason, "TIME_OFF_REASON_LENGTH"),
    (VisitOutcome.function_note, "FUNCTION_NOTE_LENGTH"), (AuditEvent.action, "AUDIT_WORD_LENGTH"),
    (AuditEvent.subject_type, "AUDIT_WORD_LENGTH"), (AuditEvent.detail, "AUDIT_DETAIL_LENGTH"),
]


@pytest.mark.parametrize(("column", "limit"), SIZED, ids=lambda value: getattr(value, "key", value))
def test_a_column_holds_exactly_what_its_limit_lets_through(column: object, limit: str) -> None:
    size = column.type  # type: ignore[attr-defined]
    assert isinstance(size, String) and size.length == getattr(text_limits, limit)


def test_an_audit_detail_longer_than_its_column_is_cut_not_refused(app: Flask) -> None:
    audit.record("changed", "settings", 1, "x" * (text_limits.AUDIT_DETAIL_LENGTH + 50))
    db.session.commit()
    stored = db.session.scalars(select(AuditEvent.detail)).one()
    assert stored == "x" * text_limits.AUDIT_DETAIL_LENGTH
