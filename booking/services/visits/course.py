"""Which visits belong with one: the rest of its care plan's course, and its back-to-back partner.

Visits booked together (a care plan's course, or a pair the patient booked) share one
patient record, one screening and one care plan (or none) (see ``patients``), so the
visits that belong with one are looked up only among its own record's: another
person's visits never come with it, whatever their email. A record may hold several
bookings once staff linked them (a known patient booked again, two records joined).
A pair is two visits booked together, the first ending exactly when the second starts
(massage right before physiotherapy); two visits of one record booked apart never are one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus
from booking.scheduling.pairing import one_pair


def _same_booking(appointment: Appointment) -> ColumnElement[bool]:
    """The visits booked with this one (itself too): its record's of the same screening and care plan (or none)."""
    plan = (Appointment.care_plan_id.is_(None) if appointment.care_plan_id is None
            else Appointment.care_plan_id == appointment.care_plan_id)
    return and_(Appointment.patient_id == appointment.patient_id,
                Appointment.screening_id == appointment.screening_id, plan)


def booked_together(appointment: Appointment) -> list[Appointment]:
    """Every visit of the booking this one was booked in, in order of their start."""
    return list(db.session.scalars(select(Appointment).where(_same_booking(appointment))
                                   .order_by(Appointment.starts_at, Appointment.id)))


def back_to_back(first: Appointment, second: Appointment) -> bool:
    """Whether the two visits are one pair: booked together, one ending exactly when the other starts
    (booking.scheduling.pairing, the rule's one home)."""
    return one_pair(first, second)


def partner(visit: Appointment) -> Appointment | None:
    """The booked visit of the same booking right before or after this one (its pair), if any.

    Two visits of one person booked apart are no pair, even back to back on one record once
    two records were joined: cancelling one never offers to cancel the other.
    """
    return db.session.scalar(
        select(Appointment)
        .where(_same_booking(visit), Appointment.id != visit.id,
               Appointment.status == AppointmentStatus.BOOKED,
               or_(Appointment.ends_at == visit.starts_at, Appointment.starts_at == visit.ends_at))
        .order_by(Appointment.starts_at).limit(1))


def upcoming_with(visit: Appointment, *, now: datetime | None = None) -> list[Appointment]:
    """The other booked visits still to come that belong with this one, in order of their start.

    For a visit of a care plan: the plan's other sessions booked with it; otherwise its
    pair's partner, if it has one.
    """
    if visit.care_plan_id is None:
        found = partner(visit)
        return [found] if found is not None and found.starts_at > moment(now) else []
    return list(db.session.scalars(
        select(Appointment)
        .where(Appointment.patient_id == visit.patient_id, Appointment.care_plan_id == visit.care_plan_id,
               Appointment.id != visit.id, Appointment.status == AppointmentStatus.BOOKED,
               Appointment.starts_at > moment(now))
        .order_by(Appointment.starts_at)))
