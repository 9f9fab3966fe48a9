"""A therapist's weekly working hours and time off, changed without ever dropping or moving a booked visit.

The rule of which visits a change leaves outside the hours (``newly_outside``) is also the
clinic's, for its opening hours and closed days (``booking.services.clinic_hours``).

A change that would leave booked visits outside the therapist's hours (a shift
removed or shortened, time off over a visit) is refused with the list of those
visits, so that the patients can be called first (``HoursConflict``). We chose
refusing over saving silently: the therapist may instead confirm that they
will rebook the visits themselves (``rebook_myself``), and the change is then
saved with the visits kept as they are; the hours page keeps listing every
booked visit outside the hours until it is moved or cancelled.

A visit is inside the hours when a shift worked on its local day covers its
time (the rule the slot search books by) and no time off overlaps it (its
buffer included). Only visits the change itself would leave outside count as
its conflicts. The therapist's row is locked for the change, so that a booking
made meanwhile is either seen by the check or made after the change.

Only the therapist's own login changes their hours (``booking.policy``): anyone
else is refused before anything is read or changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking import scheduling
from booking.clinic.clock import moment
from booking.clinic.limits import TIME_OFF_REASON_LENGTH
from booking.clinic.times import clinic_zone
from booking.database import storable_id
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    OpeningCause,
    StaffUser,
    Therapist,
    TimeOff,
    WorkingHours,
)
from booking.policy import require_keep_diary
from booking.scheduling import Interval
from booking.scheduling.localday import local_day
from booking.services import audit
from booking.services.therapists.shifts import HoursError, Shift, check_shift, describe, widens
from booking.services.waitlist import openings


class HoursConflict(Exception):
    """The change would leave these booked visits outside the therapist's hours; nothing was changed."""

    def __init__(self, visits: list[Appointment]) -> None:
        super().__init__(f"{len(visits)} booked visit(s) would fall outside the working hours")
        self.visits = visits


def shifts_of(therapist_id: int) -> list[WorkingHours]:
    """The therapist's weekly shifts, Monday first, earliest first."""
    return list(db.session.scalars(select(WorkingHours).where(WorkingHours.therapist_id == therapist_id)
                                   .order_by(WorkingHours.weekday, WorkingHours.start_time, WorkingHours.id)))


def time_off_of(therapist_id: int, *, now: datetime | None = None) -> list[TimeOff]:
    """The therapist's time off that has not ended yet, earliest first."""
    return list(db.session.scalars(select(TimeOff).where(TimeOff.therapist_id == therapist_id,
                                                         TimeOff.ends_at > moment(now))
                                   .order_by(TimeOff.starts_at, TimeOff.id)))


def upcoming_visits(therapist_id: int | None, now: datetime) -> list[Appointment]:
    """The booked visits that have not started (the therapist's, or everyone's for None), with patient,
    service and therapist."""
    query = (select(Appointment).options(joinedload(Appointment.patient), joinedload(Appointment.service),
                                         joinedload(Appointment.therapist))
             .where(Appointment.status == AppointmentStatus.BOOKED, Appointment.starts_at > now)
             .order_by(Appointment.starts_at))
    if therapist_id is not None:
        query = query.where(Appointment.therapist_id == therapist_id)
    return list(db.session.scalars(query))


def _as_scheduling(shift: WorkingHours | Shift) -> scheduling.WorkingHours:
    """A stored or typed shift as the scheduler's weekly hours."""
    if isinstance(shift, Shift):
        return scheduling.WorkingHours(shift.weekday, shift.start, shift.end, shift.valid_from, shift.valid_to)
    return scheduling.WorkingHours(shift.weekday, shift.start_time, shift.end_time, shift.valid_from,
                                   shift.valid_to)


def _inside(visit: Appointment, shifts: list[scheduling.WorkingHours], away: list[Interval]) -> bool:
    """Whether a shift worked on the visit's local day covers it and no time off overlaps it."""
    zone = clinic_zone()
    day = local_day(visit.starts_at.astimezone(zone).date(), zone, current_app.config["SLOT_GRID_MINUTES"])
    covered = any(shift.applies_on(day.date) and day.at(shift.start) <= visit.starts_at
                  and visit.ends_at <= day.at(shift.end) for shift in shifts)
    return covered and not any(gap.start < visit.blocked_until and visit.starts_at < gap.end for gap in away)


def outside_hours(therapist_id: int, *, now: datetime | None = None) -> list[Appointment]:
    """The therapist's upcoming booked visits outside their hours as they stand (to rebook or keep knowingly)."""
    when = moment(now)
    shifts = [_as_scheduling(shift) for shift in shifts_of(therapist_id)]
    away = [Interval(gap.starts_at, gap.ends_at) for gap in time_off_of(therapist_id, now=when)]
    return [visit for visit in upcoming_visits(therapist_id, when) if not _inside(visit, shifts, away)]


@dataclass(frozen=True)
class Hours:
    """Weekly hours and the time away from them, as they are or as a change would make them: a
    therapist's shifts and time off, or the clinic's opening hours and closed days."""

    shifts: list[scheduling.WorkingHours]
    away: list[Interval]


def newly_outside(visits: list[Appointment], before: Hours, after: Hours) -> list[Appointment]:
    """The visits inside the hours before a change and outside them after it: the change's conflicts."""
    return [visit for visit in visits if _inside(visit, before.shifts, before.away)
            and not _inside(visit, after.shifts, after.away)]


def _current(therapist_id: int, now: datetime) -> Hours:
    """The therapist's hours as stored."""
    return Hours([_as_scheduling(shift) for shift in shifts_of(therapist_id)],
                 [Interval(gap.starts_at, gap.ends_at) for gap in time_off_of(therapist_id, now=now)])


def _apply(therapist_id: int, before: Hours, after: Hours, by: StaffUser, *, rebook_myself: bool, now: datetime,
           change: str) -> list[Appointment]:
    """Check a change against the booked visits, raise HoursConflict unless confirmed, audit and commit.

    Returns the visits the change leaves outside the hours (kept as they are). The
    caller has already made the change in the session; it is rolled back on a conflict.
    """
    left_out = newly_outside(upcoming_visits(therapist_id, now), before, after)
    if left_out and not rebook_myself:
        db.session.rollback()
        raise HoursConflict(left_out)
    detail = f"{change}; {len(left_out)} booked visit(s) kept outside the hours" if left_out else change
    audit.record("changed", "working hours", therapist_id, detail, actor=by)
    db.session.commit()
    return left_out


def _lock(therapist_id: int) -> None:
    """Lock the therapist's row until the change commits (bookings lock it the same way)."""
    db.session.execute(select(Therapist.id).where(Therapist.id == therapist_id).with_for_update(key_share=True))


def add_shift(therapist_id: int, shift: Shift, by: StaffUser) -> WorkingHours:
    """Add a weekly shift (more hours leave no visit out); raises HoursError, or Refused unless ``by`` is the
    therapist's login."""
    require_keep_diary(by, therapist_id)
    check_shift(shift)
    stored = WorkingHours(therapist_id=therapist_id, weekday=shift.weekday, start_time=shift.start,
                          end_time=shift.end, valid_from=shift.valid_from, valid_to=shift.valid_to)
    db.session.add(stored)
    audit.record("changed", "working hours", therapist_id, f"shift added: {describe(shift)}", actor=by)
    db.session.flush()  # the slot search reads the new shift from the database
    freed = openings.new_hours(stored, now=moment(None), by_staff=by)
    db.session.commit()
    openings.hand_over(freed)
    return stored


def change_shift(therapist_id: int, shift_id: int, shift: Shift, by: StaffUser, *, rebook_myself: bool = False,
                 now: datetime | None = None) -> list[Appointment]:
    """Change one of the therapist's shifts (shorten, move, limit its dates); raises HoursError, HoursConflict,
    LookupError for a shift that is not theirs, Refused unless ``by`` is the therapist's login. Returns the booked
    visits it leaves outside the hours."""
    require_keep_diary(by, therapist_id)
    check_shift(shift)
    when = moment(now)
    _lock(therapist_id)
    stored = _own_shift(therapist_id, shift_id)
    before = _current(therapist_id, when)
    old = describe(stored)
    widened = widens(stored, shift)
    stored.weekday, stored.start_time, stored.end_time = shift.weekday, shift.start, shift.end
    stored.valid_from, stored.valid_to = shift.valid_from, shift.valid_to
    after = replace(before, shifts=[_as_scheduling(kept) for kept in shifts_of(therapist_id)])
    db.session.flush()  # the slot search reads the changed shift from the database
    freed = openings.new_hours(stored, now=when, by_staff=by) if widened else []
    left_out = _apply(therapist_id, before, after, by, rebook_myself=rebook_myself, now=when,
                      change=f"shift changed: {old} to {describe(shift)}")
    openings.hand_over(freed)
    return left_out



def remove_shift(therapist_id: int, shift_id: int, by: StaffUser, *, rebook_myself: bool = False,
                 now: datetime | None = None) -> list[Appointment]:
    """Remove one of the therapist's shifts; raises HoursConflict, LookupError or Refused (see ``change_shift``)."""
    require_keep_diary(by, therapist_id)
    when = moment(now)
    _lock(therapist_id)
    stored = _own_shift(therapist_id, shift_id)
    before = _current(therapist_id, when)
    after = replace(before, shifts=[_as_scheduling(kept) for kept in shifts_of(therapist_id) if kept.id != shift_id])
    old = describe(stored)
    db.session.delete(stored)
    return _apply(therapist_id, before, after, by, rebook_myself=rebook_myself, now=when,
                  change=f"shift removed: {old}")


def _own_shift(therapist_id: int, shift_id: int) -> WorkingHours:
    """The therapist's shift with this id; LookupError for anyone else's or an unknown one."""
    query = select(WorkingHours).where(WorkingHours.id == shift_id, WorkingHours.therapist_id == therapist_id)
    stored = db.session.scalars(query).first() if storable_id(shift_id) else None
    if stored is None:
        raise LookupError(shift_id)
    return stored


def add_time_off(therapist_id: int, starts_at: datetime, ends_at: datetime, reason: str, by: StaffUser, *,
                 rebook_myself: bool = False, now: datetime | None = None) -> list[Appointment]:
    """Add time off [starts_at, ends_at) with its reason; raises HoursError, HoursConflict (the booked
    visits it would overlap), or Refused unless ``by`` is the therapist's login. Returns the visits kept inside it
    when ``rebook_myself``."""
    require_keep_diary(by, therapist_id)
    reason = " ".join((reason or "").split())
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["until_day"] = "The time off must end after it starts."
    if len(reason) > TIME_OFF_REASON_LENGTH:
        errors["reason"] = f"Write at most {TIME_OFF_REASON_LENGTH} characters."
    if errors:
        raise HoursError(errors)
    when = moment(now)
    _lock(therapist_id)
    before = _current(therapist_id, when)
    db.session.add(TimeOff(therapist_id=therapist_id, starts_at=starts_at, ends_at=ends_at, reason=reason))
    after = replace(before, away=[*before.away, Interval(starts_at, ends_at)])
    return _apply(therapist_id, before, after, by, rebook_myself=rebook_myself, now=when,
                  change=f"time off added: {starts_at:%Y-%m-%d %H:%M} to {ends_at:%Y-%m-%d %H:%M} UTC")


def remove_time_off(therapist_id: int, time_off_id: int, by: StaffUser) -> None:
    """Remove one of the therapist's time off (fewer absences leave no visit out); LookupError if not theirs,
    Refused unless ``by`` is the therapist's login."""
    require_keep_diary(by, therapist_id)
    query = select(TimeOff).where(TimeOff.id == time_off_id, TimeOff.therapist_id == therapist_id)
    stored = db.session.scalars(query).first() if storable_id(time_off_id) else None
    if stored is None:
        raise LookupError(time_off_id)
    db.session.delete(stored)
    audit.record("changed", "working hours", therapist_id,
                 f"time off removed: {stored.starts_at:%Y-%m-%d %H:%M} to {stored.ends_at:%Y-%m-%d %H:%M} UTC",
                 actor=by)
    db.session.flush()  # the slot search no longer sees the time off
    freed = openings.span_freed(therapist_id, stored.starts_at, stored.ends_at, OpeningCause.TIME_OFF,
                                f"time-off:{stored.id}", now=moment(None), by_staff=by)
    db.session.commit()
    openings.hand_over(freed)
