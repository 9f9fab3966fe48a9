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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import joinedload

from booking import outbox
from booking.clinic import cache
from booking.clinic.times import local_time
from booking.database import storable_id
from booking.extensions import db
from booking.models import Appointment, Notification, Service, StaffUser, Therapist, WaitlistOpening
from booking.outbox import relay
from booking.services import audit
from booking.services.therapists.training import call_us_untrained, training_needed
from booking.services.visits import availability
from booking.services.visits.errors import InvalidBooking, NoneTrained, SlotTaken
from booking.services.visits.requests import CheckedVisit
from booking.services.waitlist import openings

logger = logging.getLogger(__name__)

CLOSED = "That time is not open for booking. Please choose one of the times shown."
RETRIES = 2
# Which concurrent write a refused one collided with, by what the database's message names.
CONFLICTS = {"overlap": ("appointments_no_overlap",), "idempotency": ("idempotency_key",)}
# PostgreSQL aborts one of two inserts that wait on each other's overlapping row (deadlock
# detected) or that cannot be serialised; the other one goes through.
LOST_RACE_STATES = ("40P01", "40001")


def _lock_therapists(therapist_ids: Collection[int], locked: dict[int, Therapist]) -> None:
    """Lock these therapists' rows until the end of the transaction (FOR NO KEY UPDATE), kept in ``locked``.

    One statement locks them all, in ascending id (ORDER BY comes before the locks), so bookings that need
    the same therapists queue on the lowest one instead of each holding one the other waits for.
    Bookings of one therapist then take turns between their re-check and their
    write, instead of deadlocking inside the exclusion constraint's check; foreign
    keys to the therapist (KEY SHARE) are not blocked. SQLite has no row locks and
    needs none: its transactions begin IMMEDIATE, one writer at a time. The whole
    row and its qualifications come with the lock at no extra cost, so that the checks of the request
    (``requests.therapist_problem``) and the answer to a booking name the therapist without another read.
    """
    ids = sorted({therapist_id for therapist_id in therapist_ids if storable_id(therapist_id)} - locked.keys())
    if not ids:
        return
    therapists = db.session.scalars(select(Therapist).where(Therapist.id.in_(ids)).order_by(Therapist.id)
                                    .options(joinedload(Therapist.trained))
                                    .with_for_update(key_share=True, of=Therapist)).unique()
    locked.update((therapist.id, therapist) for therapist in therapists)


def lock_asked(therapist_ids: Sequence[int | None]) -> dict[int, Therapist]:
    """The therapists a booking's visits ask for, locked before its checks, when every visit names one.

    The checks then read them (and their qualifications) from the session, and ``reserve_all`` has
    nothing left to lock: one statement instead of a read and a lock. With a first-available visit
    nothing is locked here (empty): its therapist is chosen first and all are locked together, in one order.
    """
    locked: dict[int, Therapist] = {}
    if None not in therapist_ids:
        _lock_therapists([therapist_id for therapist_id in therapist_ids if therapist_id is not None], locked)
    return locked


def _taken(visit: CheckedVisit) -> SlotTaken:
    """The refusal of a visit someone else took; in a booking of several it names the visit."""
    if visit.index is None:
        return SlotTaken()
    return SlotTaken(f"Visit {visit.index + 1} ({visit.service.name}, {local_time(visit.starts_at)}) was just "
                     f"taken, so nothing was booked. Please choose another time for it.", visit=visit.index)


def _choose(visit: CheckedVisit, *, therapist_id: int | None, now: datetime, exclude: uuid.UUID | None) -> int:
    """The therapist free for the visit now; raises SlotTaken or InvalidBooking."""
    calendars = availability.calendars_on_day(visit.service, visit.starts_at, therapist_id=therapist_id,
                                              exclude=exclude, cautions=visit.cautions)
    if not calendars:  # nobody gives it: no therapist trained for the patient's cautions, or no one works then
        training = training_needed(visit.service, visit.cautions)
        if training is None:
            raise InvalidBooking({visit.field("starts_at"): CLOSED})
        raise NoneTrained(visit.field("starts_at"), training, call_us_untrained(training))
    first_available = therapist_id is None
    chosen = availability.choose_therapist(calendars, visit.service, visit.starts_at,
                                           first_available=first_available, now=now)
    if chosen is not None:
        return chosen
    free = [replace(calendar, busy=()) for calendar in calendars]
    if availability.choose_therapist(free, visit.service, visit.starts_at, first_available=first_available,
                                     now=now) is None:
        raise InvalidBooking({visit.field("starts_at"): CLOSED})
    raise _taken(visit)


def _take(visit: CheckedVisit, candidate: int, locked: dict[int, Therapist], *, now: datetime,
          exclude: uuid.UUID | None) -> Therapist:
    """The therapist who takes the visit, re-checked under the lock already held on ``candidate``.

    For the first available therapist, if someone took the candidate meanwhile, the
    choice is made again among the others, and the one chosen is locked and checked.
    """
    for _ in range(RETRIES):
        try:
            return locked[_choose(visit, therapist_id=candidate, now=now, exclude=exclude)]
        except SlotTaken:
            if visit.therapist_id is not None:
                raise
        candidate = _choose(visit, therapist_id=None, now=now, exclude=exclude)
        _lock_therapists([candidate], locked)
    return locked[_choose(visit, therapist_id=candidate, now=now, exclude=exclude)]


def reserve_all(visits: Sequence[CheckedVisit], *, now: datetime, exclude: uuid.UUID | None = None,
                locked: dict[int, Therapist] | None = None) -> list[Therapist]:
    """The therapist who takes each visit, every visit re-checked under a lock on its therapist's row.

    The therapists asked for, and a first choice for each visit of the first
    available, are all locked in one order (ascending id) before any visit is
    re-checked: two bookings that need the same therapists queue on the lowest one
    instead of each holding one the other waits for. Only a first-available visit
    whose choice was taken meanwhile locks another therapist later (out of that
    order; a deadlock PostgreSQL may then detect is a lost race, retried).
    ``locked`` holds the therapists already locked (``lock_asked``).
    Under the locks, the process's copies of the clinic's rules are confirmed against the database's
    counter (one query): an admin's change committed but not yet heard is read afresh for the re-check
    (its opening hours, closed days and notice; a change of the hours or closed days waits for these locks).
    """
    candidates = [visit.therapist_id or _choose(visit, therapist_id=None, now=now, exclude=exclude)
                  for visit in visits]
    locked = {} if locked is None else locked
    _lock_therapists(candidates, locked)
    cache.confirm()  # under the locks, the rules the re-check reads are those of the database now
    return [_take(visit, candidate, locked, now=now, exclude=exclude)
            for visit, candidate in zip(visits, candidates, strict=True)]


def reserve(service: Service, starts_at: datetime, *, therapist_id: int | None, now: datetime,
            exclude: uuid.UUID | None = None) -> Therapist:
    """The therapist who takes one visit (``reserve_all`` of it); ``exclude`` is the visit being moved."""
    return reserve_all([CheckedVisit(None, service, starts_at, therapist_id)], now=now, exclude=exclude)[0]


def conflict(error: DBAPIError) -> str | None:
    """Which race the error comes from ("overlap", "idempotency", "deadlock"), if one."""
    if getattr(error.orig, "sqlstate", None) in LOST_RACE_STATES:
        return "deadlock"
    if not isinstance(error, IntegrityError):
        return None
    text = str(error.orig)
    return next((name for name, marks in CONFLICTS.items() if any(mark in text for mark in marks)), None)


def commit(appointments: Sequence[Appointment], change: str, *, now: datetime,
           previous_therapist_id: int | None = None, by_staff: StaffUser | None = None,
           details: Mapping[uuid.UUID, str] | None = None, also: Sequence[Notification] = (),
           freed: Sequence[WaitlistOpening] = ()) -> None:
    """Commit one booking change of these visits with the notifications it causes, then hand those to the worker.

    The notifications of every visit (a booking of several: one patient notice of them
    all, see ``outbox.for_booking``) are written in the change's own transaction
    (the outbox): all are stored or none; so are the audit rows of a change a staff
    member made (``by_staff``: "booked", "cancelled" or "rescheduled", one per visit, with the visit's entry in
    ``details`` if it has one: made inside the patients' cut-off, say), and ``also``, the other
    notifications the caller wrote for it (a care plan's), and ``freed``, the waitlist's openings of the times
    the change freed (handed to the worker after the commit, as the notifications are). The objects are not expired
    by this commit: they hold exactly what was just written, and reloading each visit,
    its service, therapist and patient to answer would cost four queries a visit.
    """
    notices = outbox.for_change(appointments, change, now=now, previous_therapist_id=previous_therapist_id)
    if by_staff is not None:
        for appointment in appointments:
            audit.record(change, "appointment", appointment.id, (details or {}).get(appointment.id), actor=by_staff,
                         at=now)
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
        for appointment in appointments:
            logger.info("appointment %s %s", appointment.id, change)
        relay.hand_over([*notices, *also])
        openings.hand_over(freed)
    finally:
        session.expire_on_commit = expire_on_commit
