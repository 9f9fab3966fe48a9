"""Patient records for admins: finding one by name, phone or email, its visits (with their outcomes, its care plans
and the notifications sent to the patient: ``record_of``), and joining two of one person.

A search reads only current records (a record joined into another is found as that
one). Joining is the staff's proof that two records are one person (see
``booking.services.visits.patients``): the admin has spoken to the patient. Every
visit, care plan and consent to messages of the record joined moves to the one kept, an
email missing from the kept record is taken from the other, reminders stopped on either stay
stopped, and the other stays only as a pointer to the kept one (``merged_into_id``), all in
one audited transaction. The kept record's upcoming visits booked without an email get their
reminders once the join gives it one.
Finding, reading and joining records are an admin's (``booking.policy``): anyone else is refused.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from booking import outbox
from booking.clinic.clock import moment
from booking.database import changed_rows, lock
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    Measurement,
    MessageConsent,
    Patient,
    StaffUser,
    VisitOutcome,
)
from booking.models.outbox import PATIENT_KINDS, Notification, NotificationKind, NotificationStatus
from booking.policy import require_see_patients
from booking.services import audit

MOST_FOUND = 50
# A search with this many digits looks for a phone number too, whatever is typed around them (403-555-0142).
PHONE_DIGITS = 4


class JoinRefused(Exception):
    """Two records cannot be joined: why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Visits:
    """A record's visits: those still to come (soonest first) and the others (newest first)."""

    upcoming: list[Appointment] = field(default_factory=list)
    past: list[Appointment] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """A record a search found, with its visits."""

    patient: Patient
    visits: Visits


def search(terms: str, by: StaffUser, *, now: datetime | None = None) -> list[Found]:
    """The current records whose name or email holds the terms, or whose phone holds their digits, by name;
    Refused for anyone the policy does not let see patients."""
    require_see_patients(by)
    text = " ".join(terms.lower().split())
    matches = [func.lower(Patient.name).contains(text, autoescape=True),
               func.lower(Patient.email).contains(text, autoescape=True)]
    digits = re.sub(r"\D", "", text)
    if len(digits) >= PHONE_DIGITS:
        matches.append(Patient.phone.contains(digits.removeprefix("1") if len(digits) == 11 else digits))
    patients = list(db.session.scalars(select(Patient).where(or_(*matches), Patient.merged_into_id.is_(None))
                                       .order_by(Patient.name, Patient.id).limit(MOST_FOUND)))
    return [Found(patient, visits_of(patient, by, now=now)) for patient in patients]


def visits_of(patient: Patient, by: StaffUser, *, now: datetime | None = None) -> Visits:
    """The record's own visits: booked ones still to come, then the rest; Refused for anyone the policy does not
    let see patients."""
    require_see_patients(by)
    visits = Visits()
    for visit in db.session.scalars(
            select(Appointment).where(Appointment.patient_id == patient.id)
            .options(selectinload(Appointment.screening), selectinload(Appointment.therapist),
                     selectinload(Appointment.service))
            .order_by(Appointment.starts_at.desc(), Appointment.id)):
        coming = visit.status == AppointmentStatus.BOOKED and visit.starts_at > moment(now)
        (visits.upcoming if coming else visits.past).append(visit)
    visits.upcoming.reverse()
    return visits


@dataclass(frozen=True)
class Notice:
    """A notification sent (or owed) to the patient about one of their visits: its kind and where it stands, never
    what it says."""

    kind: NotificationKind
    status: NotificationStatus
    at: datetime  # when it was sent, else when it is (or was) due
    appointment_id: uuid.UUID | None


@dataclass(frozen=True)
class Record:
    """What the patient's page shows of a record: its visits, their outcomes by visit, its care plans, its notices."""

    visits: Visits
    outcomes: dict[uuid.UUID, VisitOutcome]
    care_plans: list[CarePlan]
    notices: list[Notice]

    def visit(self, appointment_id: uuid.UUID | None) -> Appointment | None:
        """The record's visit with this id (a notice's)."""
        return next((visit for visit in [*self.visits.upcoming, *self.visits.past] if visit.id == appointment_id), None)


def record_of(patient: Patient, by: StaffUser, *, now: datetime | None = None) -> Record:
    """Everything the patient's page shows of the record, in one query each; Refused for anyone the policy does not
    let see patients."""
    visits = visits_of(patient, by, now=now)
    own = select(Appointment.id).where(Appointment.patient_id == patient.id)
    outcomes = db.session.scalars(select(VisitOutcome).where(VisitOutcome.appointment_id.in_(own)))
    plans = db.session.scalars(
        select(CarePlan).where(CarePlan.patient_id == patient.id)
        .options(joinedload(CarePlan.physiotherapist), joinedload(CarePlan.massage_therapist))
        .order_by(CarePlan.starts_on.desc(), CarePlan.id))
    notices = db.session.execute(
        select(Notification.kind, Notification.status, Notification.sent_at, Notification.due_at,
               Notification.appointment_id)
        .where(Notification.appointment_id.in_(own), Notification.kind.in_(sorted(PATIENT_KINDS)))
        .order_by(func.coalesce(Notification.sent_at, Notification.due_at).desc(), Notification.id.desc()))
    return Record(visits, {outcome.appointment_id: outcome for outcome in outcomes}, list(plans.unique()),
                  [Notice(NotificationKind(kind), NotificationStatus(status), sent_at or due_at, appointment_id)
                   for kind, status, sent_at, due_at, appointment_id in notices])


def care_plans_of(patient: Patient) -> int:
    """How many care plans the record holds."""
    return db.session.scalar(select(func.count()).select_from(CarePlan).where(CarePlan.patient_id == patient.id)) or 0


def _owed_reminders(kept: Patient, other: Patient, now: datetime) -> list[Appointment]:
    """The kept record's visits still to come that get their reminders (and questions) once the join gives it an
    email address.

    Booked without one (a caller by phone), they were owed none; the other record's visits already have theirs.
    A confirmation is not sent afterwards: the caller was told the day and time on the phone.
    """
    if kept.email is not None or other.email is None:
        return []
    return list(db.session.scalars(select(Appointment).where(
        Appointment.patient_id == kept.id, Appointment.status == AppointmentStatus.BOOKED,
        Appointment.starts_at > now)))


def join(kept: Patient, other: Patient, by: StaffUser, *, now: datetime | None = None) -> int:
    """Join ``other`` into ``kept`` (the admin confirmed they are one person); returns the visits moved.

    Raises JoinRefused for a record joined with itself, or one already joined into another, and Refused for
    anyone the policy does not let see patients.
    """
    require_see_patients(by)
    now = moment(now)
    if kept.id == other.id:
        raise JoinRefused("A record cannot be joined with itself.")
    for record in sorted((kept, other), key=lambda record: record.id):  # one order: two joins never deadlock
        lock(record)
    if kept.merged_into_id is not None or other.merged_into_id is not None:
        db.session.rollback()
        raise JoinRefused("One of these records was joined into another one meanwhile: search for the patient "
                          "again.")
    owed = _owed_reminders(kept, other, now)
    moved = changed_rows(update(Appointment).where(Appointment.patient_id == other.id).values(patient_id=kept.id))
    db.session.execute(update(CarePlan).where(CarePlan.patient_id == other.id).values(patient_id=kept.id))
    db.session.execute(update(Measurement).where(Measurement.patient_id == other.id).values(patient_id=kept.id))
    db.session.execute(update(MessageConsent).where(MessageConsent.patient_id == other.id).values(patient_id=kept.id))
    db.session.execute(update(Patient).where(Patient.merged_into_id == other.id).values(merged_into_id=kept.id))
    if kept.email is None:
        kept.email = other.email
    kept.reminders_stopped_at = kept.reminders_stopped_at or other.reminders_stopped_at
    other.merged_into_id, other.merged_at = kept.id, now
    for visit in owed:
        outbox.before_visit(visit, now=now)
    audit.record("joined", "patient", kept.id, f"record {other.id} joined into it, {moved} visits moved",
                 actor=by, at=now)
    db.session.commit()
    return moved
