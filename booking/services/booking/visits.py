"""What became of a visit: staff mark a booked visit completed or a no-show once it has started.

The same transaction style as cancelling: the visit's row is locked and read
afresh, the change raises the visit's sequence (so notices still waiting for
the old version, such as a reminder, are no longer sent), and the audit row is
stored with it. Neither outcome writes a notification: the patient is not told
that their visit took place (care-plan notices come with the care-plan work).
"""

from __future__ import annotations

from datetime import datetime

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, StaffUser
from booking.services import audit
from booking.services.booking.change import STATUS_LABELS
from booking.services.booking.errors import BookingError, ChangeNotAllowed, InvalidBooking
from booking.services.clock import moment

OUTCOMES = {"completed": AppointmentStatus.COMPLETED, "no_show": AppointmentStatus.NO_SHOW}
OUTCOME_WORDS = {"completed": "completed", "no_show": "a no-show"}


def record_outcome(appointment: Appointment, outcome: str, *, by_staff: StaffUser,
                   now: datetime | None = None) -> Appointment:
    """Mark a booked visit whose start has passed "completed" or "no_show", attributed to ``by_staff``.

    Raises InvalidBooking for another outcome and ChangeNotAllowed for a visit that
    is not booked (any more) or has not started yet.
    """
    when = moment(now)
    try:
        if outcome not in OUTCOMES:
            raise InvalidBooking({"outcome": "Choose whether the visit was completed or a no-show."})
        # Lock the visit's row only: the staff pages load it with its patient, service and screening joined,
        # and PostgreSQL refuses FOR UPDATE on the nullable side of those outer joins.
        db.session.refresh(appointment, with_for_update={"of": Appointment})
        if appointment.status != AppointmentStatus.BOOKED:
            label = STATUS_LABELS.get(appointment.status, "is not booked")
            raise ChangeNotAllowed(f"This visit {label}, so it cannot be marked {OUTCOME_WORDS[outcome]}.")
        if appointment.starts_at > when:
            raise ChangeNotAllowed(f"This visit has not started yet, so it cannot be marked "
                                   f"{OUTCOME_WORDS[outcome]}. You can do so once it has begun.")
        appointment.status = OUTCOMES[outcome]
        appointment.sequence += 1
        audit.record("changed", "appointment", appointment.id, f"status: {outcome}", actor=by_staff)
        db.session.commit()
    except BookingError:
        db.session.rollback()
        raise
    return appointment
