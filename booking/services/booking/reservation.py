"""Taking a therapist's time: the re-check under a row lock, the races it can lose, the commit.

The slot is re-checked inside the transaction against a freshly loaded calendar
(working hours, time off, notice, grid, existing bookings); the database then
has the last word: the exclusion constraint (PostgreSQL) or trigger (SQLite)
``appointments_no_overlap`` refuses an overlapping row, which is answered as
``SlotTaken``, never as an error of ours.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from booking.extensions import db
from booking.models import Appointment, Service, StaffUser, Therapist
from booking.notifications import outbox, relay
from booking.services import audit, availability
from booking.services.booking.errors import InvalidBooking, SlotTaken

logger = logging.getLogger(__name__)

CLOSED = "That time is not open for booking. Please choose one of the times shown."
RETRIES = 2
# Which concurrent write a refused one collided with, by what the database's message names.
CONFLICTS = {"overlap": ("appointments_no_overlap",), "idempotency": ("idempotency_key",)}
# PostgreSQL aborts one of two inserts that wait on each other's overlapping row (deadlock
# detected) or that cannot be serialised; the other one goes through.
LOST_RACE_STATES = ("40P01", "40001")


def _lock_therapist(therapist_id: int) -> None:
    """Lock the therapist's row until the end of the transaction (FOR NO KEY UPDATE).

    Bookings of one therapist then take turns between their re-check and their
    write, instead of deadlocking inside the exclusion constraint's check; foreign
    keys to the therapist (KEY SHARE) are not blocked. SQLite has no row locks and
    needs none: its transactions begin IMMEDIATE, one writer at a time.
    """
    db.session.execute(select(Therapist.id).where(Therapist.id == therapist_id).with_for_update(key_share=True))


def _choose(service: Service, starts_at: datetime, *, therapist_id: int | None, now: datetime,
            exclude: uuid.UUID | None) -> int:
    """The therapist free for the visit now; raises SlotTaken or InvalidBooking."""
    calendars = availability.calendars_on_day(service, starts_at, therapist_id=therapist_id, exclude=exclude)
    first_available = therapist_id is None
    chosen = availability.choose_therapist(calendars, service, starts_at, first_available=first_available,
                                           now=now)
    if chosen is not None:
        return chosen
    free = [replace(calendar, busy=()) for calendar in calendars]
    if availability.choose_therapist(free, service, starts_at, first_available=first_available, now=now) is None:
        raise InvalidBooking({"starts_at": CLOSED})
    raise SlotTaken()


def reserve(service: Service, starts_at: datetime, *, therapist_id: int | None, now: datetime,
            exclude: uuid.UUID | None = None) -> int:
    """The therapist who takes the visit, re-checked under a lock on their row.

    For the first available therapist, the one chosen is locked and checked again;
    if someone took them meanwhile, the choice is made again among the others.
    """
    for _ in range(RETRIES + 1):
        candidate = therapist_id or _choose(service, starts_at, therapist_id=None, now=now, exclude=exclude)
        _lock_therapist(candidate)
        try:
            return _choose(service, starts_at, therapist_id=candidate, now=now, exclude=exclude)
        except SlotTaken:
            if therapist_id is not None:
                raise
    raise SlotTaken()


def conflict(error: DBAPIError) -> str | None:
    """Which race the error comes from ("overlap", "idempotency", "deadlock"), if one."""
    if getattr(error.orig, "sqlstate", None) in LOST_RACE_STATES:
        return "deadlock"
    if not isinstance(error, IntegrityError):
        return None
    text = str(error.orig)
    return next((name for name, marks in CONFLICTS.items() if any(mark in text for mark in marks)), None)


def commit(appointment: Appointment, change: str, *, now: datetime,
           previous_therapist_id: int | None = None, by_staff: StaffUser | None = None) -> None:
    """Commit one booking change with the notifications it causes, then hand those to the worker.

    The notifications are written in the change's own transaction (the outbox):
    both are stored or neither; so is the audit row of a change a staff member
    made (``by_staff``: "booked", "cancelled" or "rescheduled", naming the visit). The objects are not expired by this commit: they
    hold exactly what was just written, and reloading the visit, its service,
    therapist and patient to answer would cost four queries.
    """
    notices = outbox.for_visit_change(appointment, change, now=now, previous_therapist_id=previous_therapist_id)
    if by_staff is not None:
        audit.record(change, "appointment", appointment.id, actor=by_staff)
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
        logger.info("appointment %s %s", appointment.id, change)
        relay.hand_over(notices)
    finally:
        session.expire_on_commit = expire_on_commit
