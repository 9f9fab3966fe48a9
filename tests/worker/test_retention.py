"""The nightly retention task on a real worker: it takes no arguments, destroys the records whose date has come,
keeps a held person's and anyone else's, and leaves the audit row; the scheduler starts it at the clinic's night."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, AuditEvent, Patient
from tests.factories import AppointmentFactory, Clinic, PatientFactory, local
from tests.worker.processes import Process, eventually
from worker.schedule import beat_schedule

RETENTION_TASK = "privacy.retention"


def served(clinic: Clinic, year: int, hour: int, **details: object) -> int:
    """A patient known to be an adult whose last visit took place on March 1st of ``year``; their id."""
    patient = PatientFactory(adult_on=date(2000, 1, 1), **details)
    AppointmentFactory(patient=patient, service=clinic.physio, therapist=clinic.physiotherapists[0],
                       starts_at=local(year, 3, 1, hour), status="completed")
    db.session.commit()
    return patient.id


def test_the_worker_destroys_what_passed_its_date_and_keeps_a_hold(app: Flask, clinic: Clinic,
                                                                   worker: Process) -> None:
    gone = served(clinic, 2012, 9)
    held = served(clinic, 2012, 10, legal_hold_reason="court order", legal_hold_at=local(2025, 1, 1, 9))
    recent = served(clinic, 2024, 9)
    app.extensions["celery"].send_task(RETENTION_TASK)

    def destroyed() -> bool:
        db.session.rollback()  # a fresh read each time
        return db.session.get(Patient, gone) is None

    eventually(destroyed, 30, "the patient past their date destroyed")
    assert db.session.get(Patient, held) is not None and db.session.get(Patient, recent) is not None
    assert db.session.scalars(select(Appointment.patient_id).order_by(Appointment.patient_id)).all() == [held, recent]
    assert db.session.execute(select(AuditEvent.subject_id, AuditEvent.detail, AuditEvent.actor_id)
                              .where(AuditEvent.action == "destroyed")).one() == (
        str(gone), "rule: ten years after the last service on 2012-03-01", None)


def test_the_scheduler_starts_retention_every_day_at_the_clinics_night() -> None:
    entry = beat_schedule({"CLINIC_TIMEZONE": "America/Edmonton", "OUTBOX_RELAY_SECONDS": 5})["privacy-retention"]
    assert entry["task"] == RETENTION_TASK and "args" not in entry
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({10}, {15})  # 03:15 MST, 04:15 MDT
