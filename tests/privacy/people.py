"""A person with every kind of record, across two patient records joined as one, and another patient beside them.

Each record of the person carries a phrase of its own (``MARKS``), and every record of the other patient the word
``OTHER``, so that a test can tell, in any text made of the records, that each kind is there and nothing else is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from booking.extensions import db
from booking.models import (
    AccessRequest,
    Appointment,
    CarePlanDismissal,
    Correction,
    CorrectionRequest,
    Measurement,
    MessageConsent,
    Notification,
    Patient,
    Questionnaire,
    StaffUser,
    VisitNote,
    VisitOutcome,
)
from booking.models.waitlist import OfferStatus, OpeningStatus
from booking.services import patient_records
from tests.factories import AppointmentFactory, Clinic, PatientFactory, ScreeningFactory, StaffUserFactory, care_plan
from tests.waitlist import records

WHEN = datetime(2026, 11, 2, 17, tzinfo=UTC)  # a Monday, 10:00 at the clinic
OTHER = "Quillon"  # in every record of the other patient
MARKS = {
    "name": "Robin Ashdown",
    "joined email": "robin.old@example.com",
    "session note": "Knee stiff after the stairs",
    "handoff note": "Hand over the calf work",
    "outcome": "Walks the dog again",
    "activity": "Climbing the stairs at home",
    "plan goals": "Back to running in spring",
    "dismissal": "Booked elsewhere for now",
    "asked": "My phone number is wrong",
    "corrected from": "+1 403-555-0100",
    "identified": "Driver's licence seen at the desk",
    "consent": "News of the clinic's workshops",
}


@dataclass(frozen=True)
class People:
    """The person (their kept record and the one joined into it), the other patient, and an admin."""

    kept: Patient
    joined: Patient
    other: Patient
    admin: StaffUser
    physio_visit: Appointment
    massage_visit: Appointment


def _visit(clinic: Clinic, patient: Patient, therapy: str, starts_at: datetime, **extra: object) -> Appointment:
    """A visit of the patient, with one of the clinic's therapists of that kind, a screening of its own."""
    service = clinic.physio if therapy == "physiotherapy" else clinic.massage
    therapist = (clinic.physiotherapists if therapy == "physiotherapy" else clinic.massage_therapists)[0]
    return AppointmentFactory(patient=patient, service=service, therapist=therapist, starts_at=starts_at,
                              screening=ScreeningFactory(kind=extra.pop("kind", therapy)), **extra)


def _written(visit: Appointment, admin: StaffUser, session: str, *, handoff: str | None = None,
             outcome: str, activity: str) -> None:
    """A session note (and a handoff note), an outcome, and answered questions on the visit."""
    db.session.add(VisitNote(appointment_id=visit.id, author_id=admin.id, kind="session", body=session))
    if handoff:
        db.session.add(VisitNote(appointment_id=visit.id, author_id=admin.id, kind="handoff", body=handoff))
    db.session.add(VisitOutcome(appointment_id=visit.id, pain=3, function_note=outcome, recorded_by_id=admin.id))
    questionnaire = Questionnaire(id=uuid.uuid4(), appointment_id=visit.id, token_hash=uuid.uuid4().hex * 2,
                                  answered_at=visit.starts_at - timedelta(hours=1))
    db.session.add(questionnaire)
    db.session.flush()
    db.session.add(Measurement(questionnaire_id=questionnaire.id, patient_id=visit.patient_id,
                               care_plan_id=visit.care_plan_id, number=1, answers={"nprs": 4, "psfs": [5]},
                               activities=[activity], answered_in="home", taken_at=questionnaire.answered_at))


def _notice(kind: str, key: str, **about: object) -> None:
    """A notification sent."""
    db.session.add(Notification(key=key, kind=kind, due_at=WHEN, status="sent", sent_at=WHEN, **about))


def person_and_other(clinic: Clinic) -> People:
    """Build the person's records on two records, join them, and the other patient's records."""
    admin = StaffUserFactory(admin=True)
    kept = PatientFactory(name=MARKS["name"], email="robin@example.com", phone="+14035550199")
    joined = PatientFactory(name=MARKS["name"], email=MARKS["joined email"], phone="+14035550100")
    other = PatientFactory(name=f"Sam {OTHER}", email="sam.quillon@example.com")
    physio = _visit(clinic, kept, "physiotherapy", WHEN, status="completed")
    plan = care_plan(clinic, ScreeningFactory(kind="combined"), kept)
    plan.goals = MARKS["plan goals"]
    massage = _visit(clinic, joined, "massage", WHEN + timedelta(days=7), care_plan_id=plan.id)
    _written(physio, admin, MARKS["session note"], handoff=MARKS["handoff note"], outcome=MARKS["outcome"],
             activity=MARKS["activity"])
    dismissed = _visit(clinic, joined, "massage", WHEN + timedelta(days=14), kind="combined", status="cancelled")
    db.session.add(CarePlanDismissal(screening_id=dismissed.screening_id, reason=MARKS["dismissal"],
                                     dismissed_by_id=admin.id))
    entry = records.entry(clinic.massage, ScreeningFactory(kind="massage"), WHEN, name=f"Lee {OTHER}")
    entry.patient = joined
    opening = records.opening(clinic.massage_therapists[0], WHEN, OpeningStatus.UNFILLED)
    offer = records.offer(opening, entry, WHEN, OfferStatus.EXPIRED)
    _notice("confirmation", "robin:confirmation", appointment_id=physio.id)
    _notice("therapist_booked", "robin:therapist", appointment_id=massage.id, therapist_id=massage.therapist_id)
    _notice("care_plan", "robin:plan", care_plan_id=plan.id, event="plan_created",
            therapist_id=plan.physiotherapist_id)
    _notice("waitlist_joined", "robin:waitlist", waitlist_entry_id=entry.id)
    _notice("waitlist_offer", "robin:offer", waitlist_offer_id=offer.id)
    _notice("manage_links", "robin:manage", recipient=MARKS["joined email"].upper())
    db.session.add(AccessRequest(patient_id=joined.id, received_on=date(2026, 11, 20), identified_by=MARKS["identified"],
                                 due_on=date(2026, 12, 20), recorded_by_id=admin.id))
    request = CorrectionRequest(patient_id=kept.id, received_on=date(2026, 11, 3), asked=MARKS["asked"],
                                due_on=date(2026, 12, 3), recorded_by_id=admin.id, decision="corrected",
                                decided_at=WHEN, decided_by_id=admin.id)
    db.session.add(request)
    db.session.flush()
    db.session.add(Correction(request_id=request.id, patient_id=kept.id, subject_type="patient",
                              subject_id=str(kept.id), field="phone", old_value=MARKS["corrected from"],
                              new_value=kept.phone, corrected_by_id=admin.id))
    db.session.add(MessageConsent(patient_id=joined.id, purpose="news", wording=MARKS["consent"], how="in person",
                                  recorded_by_id=admin.id))
    _others(clinic, other, admin)
    db.session.commit()
    patient_records.join(kept, joined, admin, now=WHEN + timedelta(days=20))
    return People(kept, joined, other, admin, physio, massage)


def _others(clinic: Clinic, other: Patient, admin: StaffUser) -> None:
    """The other patient's records, each with the word OTHER in it."""
    visit = _visit(clinic, other, "physiotherapy", WHEN + timedelta(hours=2), status="completed")
    _written(visit, admin, f"{OTHER} shoulder note", handoff=f"{OTHER} handoff", outcome=f"{OTHER} lifts the arm",
             activity=f"{OTHER} gardening")
    care_plan(clinic, ScreeningFactory(kind="combined"), other).goals = f"{OTHER} goals"
    dismissed = _visit(clinic, other, "massage", WHEN + timedelta(days=3), kind="combined")
    db.session.add(CarePlanDismissal(screening_id=dismissed.screening_id, reason=f"{OTHER} dismissed",
                                     dismissed_by_id=admin.id))
    entry = records.entry(clinic.massage, ScreeningFactory(kind="massage"), WHEN, name=f"Kim {OTHER}")
    entry.patient = other
    opening = records.opening(clinic.massage_therapists[1], WHEN, OpeningStatus.UNFILLED)
    records.offer(opening, entry, WHEN, OfferStatus.EXPIRED)
    _notice("confirmation", "other:confirmation", appointment_id=visit.id)
    _notice("manage_links", "other:manage", recipient=other.email)
    db.session.add(AccessRequest(patient_id=other.id, received_on=date(2026, 11, 21), identified_by=f"{OTHER} card",
                                 due_on=date(2026, 12, 21), recorded_by_id=admin.id))
    request = CorrectionRequest(patient_id=other.id, received_on=date(2026, 11, 3), asked=f"{OTHER} asks",
                                due_on=date(2026, 12, 3), recorded_by_id=admin.id)
    db.session.add(request)
    db.session.flush()
    db.session.add(Correction(request_id=request.id, patient_id=other.id, subject_type="patient",
                              subject_id=str(other.id), field="name", old_value=f"Sam {OTHER}e",
                              new_value=other.name, corrected_by_id=admin.id))
    db.session.add(MessageConsent(patient_id=other.id, purpose="news", wording=f"{OTHER} consent", how="online"))
