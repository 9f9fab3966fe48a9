"""A small clinic on a frozen clock (the notifications' fixtures), and visits with their questions."""

from __future__ import annotations

from datetime import datetime

from booking.extensions import db
from booking.models import Appointment, Screening
from booking.services.questionnaires import questionnaire_for, questionnaire_token
from tests.factories import AppointmentFactory, Clinic, PatientFactory, care_plan
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
    plan = care_plan(clinic, screening or clinic.screenings["massage"], patient)
    return [AppointmentFactory(patient=patient, service=clinic.massage, therapist=clinic.massage_therapists[0],
                               care_plan_id=plan.id, starts_at=starts_at) for starts_at in starts]
