"""Every record of a person, across the patient records joined as them (``records_of``): what an access request's
export shows, and what retention destroys.

A person is a patient record and every record joined into it (``Patient.merged_into_id``, followed up to the
record kept and down to every record joined into that one). A join moves visits, care plans and measurements to
the record kept, but waitlist places, requests and consents stay on the record they were made on: each is read
from every record of the person. Screenings are the person's through their visits, care plans and waitlist
places; notifications are theirs when they are about one of their records, or addressed to one of their emails.

Reading takes a fixed number of queries, whatever the number of records (one per kind of record). Who may read
is the caller's to check (an export is an admin's; destruction is the scheduler's): this module only reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, or_, select

from booking.extensions import db
from booking.models import (
    AccessRequest,
    Appointment,
    CarePlan,
    CarePlanDismissal,
    Correction,
    CorrectionRequest,
    Measurement,
    MessageConsent,
    Notification,
    Patient,
    Questionnaire,
    Screening,
    VisitNote,
    VisitOutcome,
    WaitlistEntry,
    WaitlistOffer,
)

Id = TypeVar("Id")
Row = TypeVar("Row")


@dataclass(frozen=True)
class Person:
    """Every record of one person, each kind oldest first.

    ``patients``: the record kept first (``current``), then the records joined into it.
    """

    patients: list[Patient]
    appointments: list[Appointment]
    notes: list[VisitNote]
    outcomes: list[VisitOutcome]
    questionnaires: list[Questionnaire]
    measurements: list[Measurement]
    screenings: list[Screening]
    care_plans: list[CarePlan]
    dismissals: list[CarePlanDismissal]
    notifications: list[Notification]
    waitlist_entries: list[WaitlistEntry]
    waitlist_offers: list[WaitlistOffer]
    access_requests: list[AccessRequest]
    correction_requests: list[CorrectionRequest]
    corrections: list[Correction]
    consents: list[MessageConsent]

    @property
    def current(self) -> Patient:
        """The record kept: the one the others were joined into."""
        return self.patients[0]

    @property
    def patient_ids(self) -> list[int]:
        """The ids of every record of the person, the kept one first."""
        return [patient.id for patient in self.patients]


def records_of(patient: Patient) -> Person:
    """Every record of the person this patient record belongs to (joined into another, or with others joined
    into it)."""
    patients = _records_joined(_kept(patient))
    ids = [record.id for record in patients]
    appointments = _all(select(Appointment).where(Appointment.patient_id.in_(ids))
                        .order_by(Appointment.starts_at, Appointment.id))
    visit_ids = [visit.id for visit in appointments]
    questionnaires = _all(select(Questionnaire).where(Questionnaire.appointment_id.in_(visit_ids))
                          .order_by(Questionnaire.created_at, Questionnaire.id))
    entries = _all(select(WaitlistEntry).where(WaitlistEntry.patient_id.in_(ids))
                   .order_by(WaitlistEntry.joined_at, WaitlistEntry.id))
    plan_ids = _ids(visit.care_plan_id for visit in appointments) | _ids(entry.care_plan_id for entry in entries)
    plans = _all(select(CarePlan).where(or_(CarePlan.patient_id.in_(ids), CarePlan.id.in_(plan_ids)))
                 .order_by(CarePlan.created_at, CarePlan.id))
    screening_ids = ({visit.screening_id for visit in appointments} | {plan.screening_id for plan in plans}
                     | {entry.screening_id for entry in entries})
    offers = _all(select(WaitlistOffer).where(WaitlistOffer.entry_id.in_([entry.id for entry in entries]))
                  .order_by(WaitlistOffer.offered_at, WaitlistOffer.id))
    requests = _all(select(CorrectionRequest).where(CorrectionRequest.patient_id.in_(ids))
                    .order_by(CorrectionRequest.received_on, CorrectionRequest.id))
    return Person(
        patients=patients,
        appointments=appointments,
        notes=_all(select(VisitNote).where(VisitNote.appointment_id.in_(visit_ids))
                   .order_by(VisitNote.created_at, VisitNote.id)),
        outcomes=_all(select(VisitOutcome).where(VisitOutcome.appointment_id.in_(visit_ids))
                      .order_by(VisitOutcome.recorded_at, VisitOutcome.id)),
        questionnaires=questionnaires,
        measurements=_all(select(Measurement).where(or_(
            Measurement.patient_id.in_(ids),
            Measurement.questionnaire_id.in_([questionnaire.id for questionnaire in questionnaires])))
            .order_by(Measurement.taken_at, Measurement.id)),
        screenings=_all(select(Screening).where(Screening.id.in_(screening_ids))
                        .order_by(Screening.created_at, Screening.id)),
        care_plans=plans,
        dismissals=_all(select(CarePlanDismissal).where(CarePlanDismissal.screening_id.in_(screening_ids))
                        .order_by(CarePlanDismissal.dismissed_at, CarePlanDismissal.id)),
        notifications=_notifications(patients, visit_ids, plans, entries, offers),
        waitlist_entries=entries,
        waitlist_offers=offers,
        access_requests=_all(select(AccessRequest).where(AccessRequest.patient_id.in_(ids))
                             .order_by(AccessRequest.received_on, AccessRequest.id)),
        correction_requests=requests,
        corrections=_all(select(Correction).where(or_(
            Correction.patient_id.in_(ids), Correction.request_id.in_([request.id for request in requests])))
            .order_by(Correction.corrected_at, Correction.id)),
        consents=_all(select(MessageConsent).where(MessageConsent.patient_id.in_(ids))
                      .order_by(MessageConsent.given_at, MessageConsent.id)),
    )


def _kept(patient: Patient) -> Patient:
    """The record this one was joined into, following the chain up (itself when it was never joined)."""
    seen = {patient.id}
    while patient.merged_into_id is not None and patient.merged_into_id not in seen:
        seen.add(patient.merged_into_id)
        patient = db.session.get_one(Patient, patient.merged_into_id)
    return patient


def _records_joined(kept: Patient) -> list[Patient]:
    """The kept record, then every record joined into it, directly or through another joined one (a join
    re-points those, so one query usually finds them all)."""
    records, level = [kept], [kept.id]
    while level:
        joined = _all(select(Patient).where(Patient.merged_into_id.in_(level),
                                            Patient.id.not_in([record.id for record in records]))
                      .order_by(Patient.id))
        records.extend(joined)
        level = [record.id for record in joined]
    return records


def _notifications(patients: list[Patient], visit_ids: list[uuid.UUID], plans: list[CarePlan],
                   entries: list[WaitlistEntry], offers: list[WaitlistOffer]) -> list[Notification]:
    """The notifications about any of the person's visits, care plans, waitlist places or offers, or addressed to
    one of their emails (a "Manage my booking" email names only the address typed)."""
    emails = sorted({patient.email.lower() for patient in patients if patient.email})
    return _all(select(Notification).where(or_(
        Notification.appointment_id.in_(visit_ids),
        Notification.care_plan_id.in_([plan.id for plan in plans]),
        Notification.waitlist_entry_id.in_([entry.id for entry in entries]),
        Notification.waitlist_offer_id.in_([offer.id for offer in offers]),
        func.lower(Notification.recipient).in_(emails)))
        .order_by(Notification.created_at, Notification.id))


def _ids(values: Iterable[Id | None]) -> set[Id]:
    """The ids given, without the missing ones."""
    return {value for value in values if value is not None}


def _all(query: Select[Row]) -> list[Row]:
    """The rows a query selects."""
    return list(db.session.scalars(query))
