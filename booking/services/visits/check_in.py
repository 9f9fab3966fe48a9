"""The front desk's check-in: marking a booked visit's patient arrived, and undoing the mark.

Only an admin checks patients in (``booking.policy.require_check_in``), only on the
day of the visit (in the clinic's zone) and only while it is booked. The visit's
row is locked and read afresh, as for every change of a visit, and the audit row
is stored with the mark. Nothing is sent: the mark is the desk's, and the visit's
sequence (its calendar's version) stays as it is.
"""

from __future__ import annotations

from datetime import datetime

from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_time
from booking.database import lock
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, StaffUser
from booking.policy import require_check_in
from booking.services import audit
from booking.services.visits.errors import BookingError, ChangeNotAllowed


def on_its_day(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether ``now`` is on the visit's day, in the clinic's zone."""
    zone = clinic_zone()
    return appointment.starts_at.astimezone(zone).date() == moment(now).astimezone(zone).date()


def open_for_check_in(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether the visit's patient can be checked in (or the mark undone) now: it is booked, and today."""
    return appointment.status == AppointmentStatus.BOOKED and on_its_day(appointment, now)


def _refusal(appointment: Appointment, when: datetime, arrived: bool) -> str | None:
    """Why the mark cannot be set to ``arrived`` now, in words for the desk; None when it can."""
    name = appointment.patient.name
    if appointment.status != AppointmentStatus.BOOKED:
        change = f"{name} cannot be checked in" if arrived else f"{name}'s check-in cannot be undone"
        return f"This visit {appointment.status.phrase}, so {change}."
    if not on_its_day(appointment, when):
        return (f"This visit is on {local_time(appointment.starts_at, 'day_no_year')}, not today: "
                "a patient is checked in on the day of their visit.")
    if arrived and appointment.checked_in_at is not None:
        return f"{name} was already checked in at {local_time(appointment.checked_in_at, 'time')}."
    if not arrived and appointment.checked_in_at is None:
        return f"{name} is not checked in: there is nothing to undo."
    return None


def set_arrived(appointment: Appointment, arrived: bool, *, by_staff: StaffUser,
                now: datetime | None = None) -> Appointment:
    """Mark the visit's patient arrived now (``arrived``), or take the mark back, attributed to ``by_staff``.

    Raises Refused unless the policy lets ``by_staff`` check patients in, and ChangeNotAllowed (saying why) for a
    visit that is not booked, is not today, or is already as asked.
    """
    require_check_in(by_staff)
    when = moment(now)
    try:
        lock(appointment)
        refusal = _refusal(appointment, when, arrived)
        if refusal is not None:
            raise ChangeNotAllowed(refusal)
        appointment.checked_in_at = when if arrived else None
        audit.record("changed", "appointment", appointment.id, "checked in" if arrived else "check-in undone",
                     actor=by_staff, at=when)
        db.session.commit()
    except BookingError:
        db.session.rollback()
        raise
    return appointment
