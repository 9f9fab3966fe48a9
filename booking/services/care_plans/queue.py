"""The admins' "needs a care plan" queue: which combined screenings wait for a plan, and why each is there.

A combined screening enters the queue only when its patient asks the clinic for a plan
(on the result page) or books a visit with it; making a screening (on the web or through
the API) is not enough. It leaves the queue when a plan is made for it or it is dismissed.
The queue is read by the admins who run care plans (``booking.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, defer, joinedload

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Appointment, CarePlan, CarePlanDismissal, Patient, Screening, StaffUser
from booking.policy import require_run_care_plans
from booking.services.screenings import get_screening
from booking.services.visits import PatientDetails

COMBINED = "combined"


class NoLongerQueued(Exception):
    """The screening has its plan, or was taken off the queue, by another admin (meanwhile, or before)."""


@dataclass(frozen=True)
class QueueEntry:
    """A screening waiting for a plan, its patient once known, and why it is there: when the patient asked for a
    plan, and when the first visit booked with it starts (either may be None, not both)."""

    screening: Screening
    patient: PatientDetails | None
    asked_at: datetime | None
    booked_for: datetime | None


def details_of(patient: Patient | None) -> PatientDetails | None:
    """A stored patient's details as a booking takes them, or None."""
    return None if patient is None else PatientDetails(patient.name, patient.email, patient.phone)


def queue(by: StaffUser) -> list[QueueEntry]:
    """Every combined screening whose patient asked for a plan or booked with it, without a plan or a dismissal;
    oldest first, each with the first visit booked with it (and its patient), in one query that leaves the answers
    out. Refused for anyone the policy does not let run care plans."""
    require_run_care_plans(by)
    earliest = aliased(Appointment)
    first_visit = (select(earliest.id).where(earliest.screening_id == Screening.id)
                   .order_by(earliest.created_at, earliest.id).limit(1).correlate(Screening).scalar_subquery())
    rows = db.session.execute(
        select(Screening, Appointment).outerjoin(Appointment, Appointment.id == first_visit)
        .options(defer(Screening.answers), joinedload(Appointment.patient))
        .where(Screening.pathway == COMBINED,
               Screening.id.not_in(select(CarePlan.screening_id)),
               Screening.id.not_in(select(CarePlanDismissal.screening_id)),
               or_(Screening.plan_asked_at.is_not(None), Appointment.id.is_not(None)))
        .order_by(Screening.created_at, Screening.id))
    return [QueueEntry(screening, details_of(first.patient) if first else None, screening.plan_asked_at,
                       first.starts_at if first else None)
            for screening, first in rows]


def queued_screening(screening_id: object) -> Screening | None:
    """The combined screening if no plan was made for it and it was not dismissed; None when there is no such
    combined screening; NoLongerQueued when it has its plan or was dismissed."""
    screening = db.session.get(Screening, screening_id)
    if screening is None or screening.pathway != COMBINED:
        return None
    taken = db.session.scalar(select(CarePlan.id).where(CarePlan.screening_id == screening.id))
    gone = db.session.scalar(select(CarePlanDismissal.id).where(CarePlanDismissal.screening_id == screening.id))
    if taken is not None or gone is not None:
        raise NoLongerQueued
    return screening


def ask_for_plan(screening_id: str | UUID, now: datetime | None = None) -> Screening | None:
    """The patient asks the clinic to plan their combined care: the screening enters the queue (asking again
    keeps the first time). None when there is no such combined screening."""
    screening = get_screening(screening_id)
    if screening is None or screening.pathway != COMBINED:
        return None
    if screening.plan_asked_at is None:
        screening.plan_asked_at = moment(now)
        db.session.commit()
    return screening


def earlier_patient_id(screening: Screening) -> int | None:
    """The patient of the screening's first booking, or None when it was never booked."""
    return db.session.scalar(select(Appointment.patient_id).where(Appointment.screening_id == screening.id)
                             .order_by(Appointment.created_at).limit(1))


def screening_patient(screening: Screening) -> PatientDetails | None:
    """The details of the patient who booked with this screening before, or None."""
    patient_id = earlier_patient_id(screening)
    return None if patient_id is None else details_of(db.session.get(Patient, patient_id))
