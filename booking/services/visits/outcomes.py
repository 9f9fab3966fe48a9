"""What became of a visit: staff mark a booked visit completed or a no-show once it has started.

The same transaction style as cancelling: the visit's row is locked and read
afresh, the change raises the visit's sequence (so notices still waiting for
the old version, such as a reminder, are no longer sent), and the audit row is
stored with it. The patient is not told that their visit took place; a session
of a care plan tells both the plan's therapists (``session_completed`` or
``session_missed``, written in the same transaction, handed over after it).
"""

from __future__ import annotations

from datetime import datetime

from booking import outbox
from booking.clinic.clock import moment
from booking.database import lock
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, CarePlan, CarePlanEvent, StaffUser
from booking.outbox import relay
from booking.policy import require_mark_visit
from booking.services import audit
from booking.services.visits.errors import BookingError, ChangeNotAllowed, InvalidBooking

OUTCOMES = {"completed": AppointmentStatus.COMPLETED, "no_show": AppointmentStatus.NO_SHOW}
OUTCOME_WORDS = {"completed": "completed", "no_show": "a no-show"}
PLAN_EVENTS = {"completed": CarePlanEvent.SESSION_COMPLETED, "no_show": CarePlanEvent.SESSION_MISSED}


def markable(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether the visit can be marked now: it is booked and has started (``record_outcome`` refuses any other)."""
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at <= moment(now)


def record_outcome(appointment: Appointment, outcome: str, *, by_staff: StaffUser,
                   now: datetime | None = None) -> Appointment:
    """Mark a booked visit whose start has passed "completed" or "no_show", attributed to ``by_staff``.

    Raises Refused unless ``by_staff`` is an admin or the visit's therapist, InvalidBooking
    for another outcome and ChangeNotAllowed for a visit that is not booked (any more) or
    has not started yet.
    """
    require_mark_visit(by_staff, appointment)
    when = moment(now)
    try:
        if outcome not in OUTCOMES:
            raise InvalidBooking({"outcome": "Choose whether the visit was completed or a no-show."})
        lock(appointment)
        if appointment.status != AppointmentStatus.BOOKED:
            raise ChangeNotAllowed(f"This visit {appointment.status.phrase}, so it cannot be marked "
                                   f"{OUTCOME_WORDS[outcome]}.")
        if appointment.starts_at > when:
            raise ChangeNotAllowed(f"This visit has not started yet, so it cannot be marked "
                                   f"{OUTCOME_WORDS[outcome]}. You can do so once it has begun.")
        appointment.status = OUTCOMES[outcome]
        appointment.sequence += 1
        audit.record("changed", "appointment", appointment.id, f"status: {outcome}", actor=by_staff, at=when)
        plan = db.session.get(CarePlan, appointment.care_plan_id) if appointment.care_plan_id else None
        notices = [] if plan is None else outbox.for_care_plan(
            plan.id, PLAN_EVENTS[outcome], str(appointment.id), plan.therapist_ids, now=when)
        db.session.commit()
    except BookingError:
        db.session.rollback()
        raise
    relay.hand_over(notices)
    return appointment
