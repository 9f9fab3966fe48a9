"""The admins' list of appointments: every visit, filtered, a page at a time, in one query.

The list selects only the columns a row shows (no ORM objects), joined to the
patient, therapist and service, newest start first, and reads one row more than
a page holds to know whether another page follows (no count query). A filter on
a therapist uses the (therapist_id, starts_at) index; a day or date range bounds
``starts_at`` from both sides. The list is for whom ``booking.policy`` lets see patients (admins).
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

PAGE_SIZE = 50


@dataclass(frozen=True)
class AppointmentFilter:
    """What the list is narrowed to; None means any. ``last_day`` is included."""

    first_day: date | None = None
    last_day: date | None = None
    therapist_id: int | None = None
    status: str | None = None
    therapy_type: str | None = None


@dataclass(frozen=True)
class AppointmentRow:
    """One visit as the list shows it."""

    id: uuid.UUID
    starts_at: datetime
    status: AppointmentStatus
    patient_id: int
    patient_name: str
    therapist_name: str
    service_name: str
    therapy_type: str


@dataclass(frozen=True)
class AppointmentPage:
    """One page of the list, and whether pages come before and after it."""

    rows: list[AppointmentRow]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.number > 1


def _query(chosen: AppointmentFilter) -> Select[*tuple[Any, ...]]:
    """The list's query, filtered, newest start first."""
    query = (select(Appointment.id, Appointment.starts_at, Appointment.status, Appointment.patient_id,
                    Patient.name.label("patient_name"), Therapist.name.label("therapist_name"),
                    Service.name.label("service_name"), Service.therapy_type)
             .join(Patient, Patient.id == Appointment.patient_id)
             .join(Therapist, Therapist.id == Appointment.therapist_id)
             .join(Service, Service.id == Appointment.service_id)
             .order_by(Appointment.starts_at.desc(), Appointment.id.desc()))
    if chosen.first_day is not None:
        query = query.where(Appointment.starts_at >= local_midnight(chosen.first_day))
    if chosen.last_day is not None:
        query = query.where(Appointment.starts_at < local_midnight(chosen.last_day + timedelta(days=1)))
    if chosen.therapist_id is not None:
        query = query.where(Appointment.therapist_id == chosen.therapist_id)
    if chosen.status is not None:
        query = query.where(Appointment.status == chosen.status)
    if chosen.therapy_type is not None:
        query = query.where(Service.therapy_type == chosen.therapy_type)
    return query


def appointment_page(chosen: AppointmentFilter, by: StaffUser, number: int = 1, size: int = PAGE_SIZE) -> AppointmentPage:
    """Page ``number`` (from 1) of the visits the filter keeps, in one query; Refused for anyone the policy does not
    let see patients."""
    require_see_patients(by)
    query = _query(chosen).limit(size + 1).offset((number - 1) * size)
    rows = [AppointmentRow(**row._asdict()) for row in db.session.execute(query)]
    return AppointmentPage(rows=rows[:size], number=number, has_next=len(rows) > size)
