"""Changing a booked visit: cancelling and rescheduling, until the cut-off (staff: at any time, audited)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from booking import outbox
from booking.clinic.clock import moment
from booking.clinic.limits import CANCELLATION_REASON_LENGTH
from booking.clinic.settings import clinic_settings
from booking.clinic.times import local_time
from booking.database import lock
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    CarePlan,
    CarePlanEvent,
    Notification,
    OpeningCause,
    StaffUser,
    WaitlistOpening,
)
from booking.policy import require_change_any_booking
from booking.services.visits import availability, course
from booking.services.visits.errors import BookingError, ChangeNotAllowed, InvalidBooking, SlotTaken
from booking.services.visits.requests import check_start, therapist_problem
from booking.services.visits.reservation import commit, conflict, reserve
from booking.services.waitlist import openings

NO_PARTNER = ("No other visit is booked right before or after this one any more. "
              "You can cancel this visit on its own.")


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


def inside_cutoff(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """Whether the visit is booked but past its change deadline: its patient can no longer change it online,
    and a change staff make to it is recorded as made inside the cut-off."""
    return appointment.status == AppointmentStatus.BOOKED and not changeable_at(appointment.starts_at, now=now)


def _cutoff_details(visits: Sequence[Appointment], when: datetime, by_staff: StaffUser | None) -> dict[uuid.UUID, str]:
    """The audit detail of each of these (locked, still booked) visits that staff change inside the patients'
    cut-off: that they did, and how long before the visit the cut-off is."""
    if by_staff is None:
        return {}
    detail = f"inside the patients' cut-off ({clinic_settings().cancel_cutoff_hours} hours before the visit)"
    return {visit.id: detail for visit in visits if inside_cutoff(visit, now=when)}


def _lock_for_change(appointment: Appointment, now: datetime, by_staff: StaffUser | None,
                     subject: str = "This visit") -> None:
    """Lock the visit's row, read it afresh, and refuse when it can no longer change online.

    The cut-off binds patients, not staff: a staff member the policy lets change any
    booking (an admin) may change any booked visit; any other raises Refused.
    ``subject`` is how the refusal names the visit.
    """
    if by_staff is not None:
        require_change_any_booking(by_staff)
    lock(appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        raise ChangeNotAllowed(f"{subject} {appointment.status.phrase}, so it cannot be changed online. "
                               f"Please call the clinic at {clinic_settings().phone}.")
    if by_staff is None and not can_change(appointment, now=now):
        hours = clinic_settings().cancel_cutoff_hours
        raise ChangeNotAllowed(f"{subject} starts in less than {hours} hours: visits can be cancelled or moved "
                               f"online until {hours} hours before they start. "
                               f"Please call the clinic at {clinic_settings().phone}.")


def _lock_partner(appointment: Appointment, other: Appointment, now: datetime, by_staff: StaffUser | None) -> None:
    """Lock the visit's partner and refuse, with a ``scope`` error, when it cannot be cancelled with it."""
    try:
        _lock_for_change(other, now, by_staff, subject=f"Your other visit ({other.service.name}, "
                                                       f"{local_time(other.starts_at)})")
        if not course.back_to_back(appointment, other):
            raise ChangeNotAllowed(NO_PARTNER)
    except ChangeNotAllowed as exc:
        raise _partner_refusal(exc.message) from exc


def _partner_refusal(why: str) -> ChangeNotAllowed:
    """Cancelling both visits of a pair refused because of the partner: nothing is cancelled."""
    message = f"Nothing was cancelled. {why}"
    return ChangeNotAllowed(message, {"scope": message})


def _tell_plan_therapists(visits: list[Appointment], now: datetime) -> list[Notification]:
    """A session_cancelled notice to both therapists of the plan of each cancelled visit that has one."""
    notices = []
    for visit in visits:
        plan = db.session.get(CarePlan, visit.care_plan_id) if visit.care_plan_id is not None else None
        if plan is not None:
            notices += outbox.for_care_plan(plan.id, CarePlanEvent.SESSION_CANCELLED, str(visit.id),
                                            [plan.physiotherapist_id, plan.massage_therapist_id], now=now)
    return notices


def cancel(appointment: Appointment, *, reason: str | None = None, now: datetime | None = None,
           by_staff: StaffUser | None = None, with_partner: bool = False) -> Appointment:
    """Cancel a booked visit before its deadline (any time ``by_staff``, audited, saying so inside the cut-off),
    freeing the therapist's time.

    ``with_partner`` cancels its back-to-back partner too, in the same transaction: both
    or neither (ChangeNotAllowed with a ``scope`` error when the partner cannot go with it).
    The therapists of a visit's care plan are told in the same transaction.
    """
    when = moment(now)
    reason = " ".join(reason.split()) if reason else None
    try:
        if reason and not (len(reason) <= CANCELLATION_REASON_LENGTH and reason.isprintable()):
            raise InvalidBooking({"reason": f"Write at most {CANCELLATION_REASON_LENGTH} characters, "
                                            "without control characters."})
        visits = [appointment]
        if with_partner:
            if appointment.status != AppointmentStatus.BOOKED:  # both were cancelled already: say so
                _lock_for_change(appointment, when, by_staff)
            other = course.partner(appointment)
            if other is None:
                raise _partner_refusal(NO_PARTNER)
            # The earlier visit's row is locked first, whichever of the pair is cancelled: two cancellations
            # of one pair then queue instead of each holding a row the other waits for.
            visits = sorted([appointment, other], key=lambda visit: visit.starts_at)
        for visit in visits:
            if visit is appointment:
                _lock_for_change(appointment, when, by_staff)
            else:
                _lock_partner(appointment, visit, when, by_staff)
        details = _cutoff_details(visits, when, by_staff)
        _mark_cancelled(visits, reason, when)
        commit(visits, "cancelled", now=when, by_staff=by_staff, details=details,
               also=_tell_plan_therapists(visits, when), freed=_freed(visits, when, by_staff))
    except BookingError:
        db.session.rollback()
        raise
    return appointment


def _mark_cancelled(visits: list[Appointment], reason: str | None, when: datetime) -> None:
    """Mark the locked visits cancelled at ``when`` (one instant: the change's), each a new version."""
    for visit in visits:
        visit.status = AppointmentStatus.CANCELLED
        visit.cancelled_at = when
        visit.cancellation_reason = reason or None
        visit.sequence += 1


def _freed(visits: list[Appointment], when: datetime, by_staff: StaffUser | None) -> list[WaitlistOpening]:
    """The waitlist's openings of the cancelled visits' times still to come (their buffers included): one INSERT
    in the cancellation's transaction; the worker matches them (``booking.services.waitlist.offering``)."""
    return [openings.freed(visit.therapist_id, visit.starts_at, visit.blocked_until, OpeningCause.CANCELLATION,
                           f"cancellation:{visit.id}:v{visit.sequence}", now=when, by_staff=by_staff)
            for visit in visits if visit.starts_at > when]


def cancel_together(visits: list[Appointment], *, reason: str, by_staff: StaffUser, now: datetime | None = None,
                    also: Sequence[Notification] = ()) -> None:
    """Cancel several booked visits in one transaction, all or none, by staff (audited): a cancelled plan's course.

    The caller's own changes and ``also`` (its notices) are committed with them. The
    patient gets one email of them all; each therapist hears of their own visits.
    Raises ChangeNotAllowed, changing nothing, when one of them is no longer booked.
    """
    when = moment(now)
    ordered = sorted(visits, key=lambda visit: visit.starts_at)  # every canceller locks in one order
    try:
        for visit in ordered:
            _lock_for_change(visit, when, by_staff,
                             subject=f"The visit of {local_time(visit.starts_at)} ({visit.service.name})")
        details = _cutoff_details(ordered, when, by_staff)
        _mark_cancelled(ordered, reason, when)
        commit(ordered, "cancelled", now=when, by_staff=by_staff, details=details, also=also,
               freed=_freed(ordered, when, by_staff))
    except BookingError:
        db.session.rollback()
        raise


def _moved_from(visit: Appointment, therapist_id: int, starts_at: datetime, ends_at: datetime, when: datetime,
                by_staff: StaffUser | None) -> list[WaitlistOpening]:
    """The opening of a moved visit's old time, unless it has begun or the visit still holds part of it."""
    kept = visit.therapist_id == therapist_id and visit.starts_at < ends_at and starts_at < visit.blocked_until
    if kept or starts_at <= when:
        return []
    return [openings.freed(therapist_id, starts_at, ends_at, OpeningCause.MOVE, f"move:{visit.id}:v{visit.sequence}",
                           now=when, by_staff=by_staff)]


def reschedule(appointment: Appointment, starts_at: datetime, *, therapist_id: int | None = None,
               now: datetime | None = None, by_staff: StaffUser | None = None) -> Appointment:
    """Move a visit in one UPDATE: the new time is taken as the old one is released.

    ``therapist_id`` may name another therapist of the same kind; by default the
    visit stays with its therapist. ``by_staff`` moves it whatever the cut-off, audited (saying so when it was
    inside the cut-off).
    A time that overlaps another visit booked with it (its pair, its plan) is refused.
    """
    when = moment(now)
    try:
        errors: dict[str, str] = {}
        start = check_start(starts_at, when, errors)
        if errors:
            raise InvalidBooking(errors)
        _lock_for_change(appointment, when, by_staff)
        details = _cutoff_details([appointment], when, by_staff)
        service = appointment.service
        target = appointment.therapist_id if therapist_id is None else therapist_id
        if target != appointment.therapist_id:
            problem = therapist_problem(target, service, appointment.screening.caution_codes, first_available=False)
            if problem:
                raise InvalidBooking({"therapist_id": problem})
        other = availability.in_the_way(availability.visits_booked_with(appointment.id), start,
                                        start + service.duration)
        if other is not None:
            raise InvalidBooking({"starts_at": f"That time overlaps the other visit booked with this one "
                                               f"({other.service.name}, {local_time(other.starts_at)}). Choose a "
                                               f"time that ends before it starts or starts after it ends."})
        therapist = reserve(service, start, therapist_id=target, now=when, exclude=appointment.id)
        previous_therapist_id = appointment.therapist_id
        old_time = (appointment.starts_at, appointment.blocked_until)
        appointment.therapist_id, appointment.therapist = target, therapist
        appointment.starts_at = start
        appointment.ends_at = start + service.duration
        appointment.blocked_until = start + service.duration + service.buffer
        appointment.sequence += 1
        commit([appointment], "rescheduled", now=when, previous_therapist_id=previous_therapist_id,
               by_staff=by_staff, details=details,
               freed=_moved_from(appointment, previous_therapist_id, *old_time, when, by_staff))
    except DBAPIError as exc:
        db.session.rollback()
        if conflict(exc) in ("overlap", "deadlock"):
            raise SlotTaken() from exc
        raise
    except BookingError:
        db.session.rollback()
        raise
    return appointment
