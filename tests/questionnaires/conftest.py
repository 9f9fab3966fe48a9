"""A small clinic on a frozen clock (the notifications' fixtures), and visits with their questions."""

from __future__ import annotations

from datetime import date, datetime

from booking.extensions import db
from booking.models import Appointment, CarePlan, Screening
from booking.services.questionnaires import questionnaire_for, questionnaire_token
from tests.factories import AppointmentFactory, Clinic, PatientFactory, StaffUserFactory
from tests.notifications.conftest import ALEX, NOW, TEN, book_visit, clinic, clock, notifications, smtp

__all__ = ["ALEX", "NOW", "TEN", "book_visit", "clinic", "clock", "notifications", "smtp"]


def link(visit: Appointment) -> str:
    """The path of the visit's questions, as its email gives it."""
    questionnaire = questionnaire_for(visit)
    db.session.commit()
    return f"/q/{questionnaire_token(questionnaire)}"


def plan_visits(clinic: Clinic, *starts: datetime, screening: Screening | None = None) -> list[Appointment]:
    """Massage visits of one care plan of one patient, at these times (its screening the clinic's, or ``screening``)."""
    patient = PatientFactory()
    plan = CarePlan(patient_id=patient.id, screening_id=(screening or clinic.screenings["massage"]).id,
                    physiotherapist_id=clinic.physiotherapists[0].id, massage_therapist_id=clinic.massage_therapists[0].id,
                    physio_service_id=clinic.physio.id, massage_service_id=clinic.massage.id, goals="",
                    physio_sessions=2, physio_cadence_days=7, massage_sessions=2, massage_cadence_days=7,
                    tolerance_days=2, back_to_back=False, starts_on=date(2026, 12, 1),
                    created_by_id=StaffUserFactory(admin=True).id)
    db.session.add(plan)
    db.session.flush()
    return [AppointmentFactory(patient=patient, service=clinic.massage, therapist=clinic.massage_therapists[0],
                               care_plan_id=plan.id, starts_at=starts_at) for starts_at in starts]
