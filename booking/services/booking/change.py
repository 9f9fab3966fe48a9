"""Changing a booked visit: cancelling and rescheduling, until the cut-off (staff: at any time, audited)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, StaffUser
from booking.services.booking.errors import BookingError, ChangeNotAllowed, InvalidBooking, SlotTaken
from booking.services.booking.requests import check_start, therapist_problem
from booking.services.booking.reservation import commit, conflict, reserve
from booking.services.clock import moment
from booking.services.settings import clinic_settings
from booking.validators import REASON_LENGTH

STATUS_LABELS = {AppointmentStatus.CANCELLED: "was cancelled", AppointmentStatus.COMPLETED: "has taken place",
                 AppointmentStatus.NO_SHOW: "was missed"}


def deadline_for(starts_at: datetime) -> datetime:
    """Until when a visit starting at ``starts_at`` can be cancelled or moved online (the cut-off)."""
    return starts_at - timedelta(hours=clinic_settings().cancel_cutoff_hours)


def change_deadline(appointment: Appointment) -> datetime:
    """Until when the visit can be cancelled or moved online."""
    return deadline_for(appointment.starts_at)


def changeable_at(starts_at: datetime, *, now: datetime | None = None) -> bool:
    """Whether a visit at this time, booked now, could still be changed online."""
    return moment(now) < deadline_for(starts_at)


def can_change(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """Whether the visit is booked and its change deadline has not passed."""
    return appointment.status == AppointmentStatus.BOOKED and changeable_at(appointment.starts_at, now=now)


def _lock_for_change(appointment: Appointment, now: datetime, by_staff: StaffUser | None) -> None:
    """Lock the visit's row, read it afresh, and refuse when it can no longer change online.

    The cut-off binds patients, not staff: a staff member may change any booked visit.
    """
    db.session.refresh(appointment, with_for_update=True)
    if appointment.status != AppointmentStatus.BOOKED:
        label = STATUS_LABELS.get(appointment.status, "is not booked")
        raise ChangeNotAllowed(f"This visit {label}, so it cannot be changed online. "
                               f"Please call the clinic at {clinic_settings().phone}.")
    if by_staff is None and not can_change(appointment, now=now):
        hours = clinic_settings().cancel_cutoff_hours
        raise ChangeNotAllowed(f"Visits can be cancelled or moved online until {hours} hours before they "
                               f"start. Please call the clinic at {clinic_settings().phone}.")


def cancel(appointment: Appointment, *, reason: str | None = None, now: datetime | None = None,
           by_staff: StaffUser | None = None) -> Appointment:
    """Cancel a booked visit before its deadline (any time ``by_staff``, audited), freeing the therapist's time."""
    when = moment(now)
    reason = " ".join(reason.split()) if reason else None
    try:
        if reason and not (len(reason) <= REASON_LENGTH and reason.isprintable()):
            raise InvalidBooking({"reason": f"Write at most {REASON_LENGTH} characters, "
                                            "without control characters."})
        _lock_for_change(appointment, when, by_staff)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = when
        appointment.cancellation_reason = reason or None
        appointment.sequence += 1
        commit([appointment], "cancelled", now=when, by_staff=by_staff)
    except BookingError:
        db.session.rollback()
        raise
    return appointment


def reschedule(appointment: Appointment, starts_at: datetime, *, therapist_id: int | None = None,
               now: datetime | None = None, by_staff: StaffUser | None = None) -> Appointment:
    """Move a visit in one UPDATE: the new time is taken as the old one is released.

    ``therapist_id`` may name another therapist of the same kind; by default the
    visit stays with its therapist. ``by_staff`` moves it whatever the cut-off, audited.
    """
    when = moment(now)
    try:
        errors: dict[str, str] = {}
        start = check_start(starts_at, when, errors)
        if errors:
            raise InvalidBooking(errors)
        _lock_for_change(appointment, when, by_staff)
        service = appointment.service
        target = appointment.therapist_id if therapist_id is None else therapist_id
        if target != appointment.therapist_id:
            problem = therapist_problem(target, service)
            if problem:
                raise InvalidBooking({"therapist_id": problem})
        reserve(service, start, therapist_id=target, now=when, exclude=appointment.id)
        previous_therapist_id = appointment.therapist_id
        appointment.therapist_id = target
        appointment.starts_at = start
        appointment.ends_at = start + service.duration
        appointment.blocked_until = start + service.duration + service.buffer
        appointment.sequence += 1
        commit([appointment], "rescheduled", now=when, previous_therapist_id=previous_therapist_id,
               by_staff=by_staff)
    except DBAPIError as exc:
        db.session.rollback()
        if conflict(exc) in ("overlap", "deadlock"):
            raise SlotTaken() from exc
        raise
    except BookingError:
        db.session.rollback()
        raise
    return appointment
