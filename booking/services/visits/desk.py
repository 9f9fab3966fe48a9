"""What the front desk watches of the visits: today's, with who has arrived, and those lately cancelled inside the
cut-off or missed.

Each list is one query of the columns its rows show (no ORM objects), joined to the
patient, therapist and service, as the admins' list of appointments is
(``listing.py``); no screening is read. A cancellation is late when it was made
after the visit's cut-off (``change.deadline_for``: the settings' hours before its
start), whoever made it. Both lists are for whom ``booking.policy`` lets see patients.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select

from booking.clinic.times import local_midnight
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Patient, Service, StaffUser, Therapist
from booking.policy import require_see_patients
from booking.services.visits.change import deadline_for

LATE_DAYS = 7  # how many days before today the late cancellations and no-shows go back
MISSED = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


@dataclass(frozen=True)
class DeskVisit:
    """A visit as the desk's lists show it."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    checked_in_at: datetime | None
    cancelled_at: datetime | None
    patient_id: int
    patient_name: str
    therapist_name: str
    service_name: str
    therapy_type: str

    @property
    def cancelled_late(self) -> bool:
        """Whether the visit was cancelled after its cut-off (or after it began)."""
        return (self.status == AppointmentStatus.CANCELLED and self.cancelled_at is not None
                and self.cancelled_at > deadline_for(self.starts_at))


def _query(first: date, last: date) -> Select[*tuple[Any, ...]]:
    """The visits starting on the local days ``first`` to ``last`` (included), with their rows' columns."""
    return (select(Appointment.id, Appointment.starts_at, Appointment.ends_at, Appointment.status,
                   Appointment.checked_in_at, Appointment.cancelled_at, Appointment.patient_id,
                   Patient.name.label("patient_name"), Therapist.name.label("therapist_name"),
                   Service.name.label("service_name"), Service.therapy_type)
            .join(Patient, Patient.id == Appointment.patient_id)
            .join(Therapist, Therapist.id == Appointment.therapist_id)
            .join(Service, Service.id == Appointment.service_id)
            .where(Appointment.starts_at >= local_midnight(first),
                   Appointment.starts_at < local_midnight(last + timedelta(days=1))))


def day_visits(day: date, by: StaffUser) -> list[DeskVisit]:
    """Every visit of the local day, whatever its status, earliest first (then by therapist), in one query; Refused
    for anyone the policy does not let see patients."""
    require_see_patients(by)
    rows = db.session.execute(_query(day, day).order_by(Appointment.starts_at, Therapist.name, Appointment.id))
    return [DeskVisit(*row) for row in rows]


def late_or_missed(today: date, by: StaffUser) -> list[DeskVisit]:
    """The visits of today and the LATE_DAYS before it that were cancelled after their cut-off or missed (no-shows),
    the latest start first, in one query; Refused for anyone the policy does not let see patients."""
    require_see_patients(by)
    rows = db.session.execute(_query(today - timedelta(days=LATE_DAYS), today)
                              .where(Appointment.status.in_(MISSED))
                              .order_by(Appointment.starts_at.desc(), Appointment.id))
    visits = [DeskVisit(*row) for row in rows]
    return [visit for visit in visits if visit.status == AppointmentStatus.NO_SHOW or visit.cancelled_late]
