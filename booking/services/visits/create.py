"""Booking one visit or several at once (all or none), with Idempotency-Key replays and retries for lost races."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from booking.clinic.clock import moment
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Patient, Screening, Therapist
from booking.policy import require_book_for_callers
from booking.services.visits.course import booked_together
from booking.services.visits.errors import BookingError, InvalidBooking, SlotTaken
from booking.services.visits.patients import patient_for_booking
from booking.services.visits.requests import Booked, BookingRequest, CheckedVisit, CourseRequest, check, usable_key
from booking.services.visits.reservation import RETRIES, commit, conflict, lock_asked, reserve_all
from booking.services.visits.tokens import derive_manage_token, manage_token, token_hash

logger = logging.getLogger(__name__)

KEY_REUSED = ("This Idempotency-Key was already used for a different request. Send the same request "
              "again to get its booking, or use a new key for a new booking.")


def _replay(request: CourseRequest) -> list[Booked] | None:
    """The visits an earlier request with the same Idempotency-Key booked; None if there is none.

    Only the identical request is replayed; the same key with any field changed is
    refused. The key is stored on the booking's first visit; the booking's other
    visits are found with it (see ``course.booked_together``). It is looked up only
    once a booking was refused: a repeated request finds its time taken (by its own
    earlier booking) or, if it asks for another time, the key's unique constraint
    refuses it; a new booking, the common case, pays for no lookup.
    """
    if not request.idempotency_key or not usable_key(request.idempotency_key):
        return None
    existing = db.session.scalar(select(Appointment).where(
        Appointment.idempotency_key == request.idempotency_key))
    if existing is None:
        return None
    if existing.idempotency_fingerprint != request.fingerprint():
        raise InvalidBooking({"idempotency_key": KEY_REUSED})
    logger.info("replayed booking %s for its Idempotency-Key", existing.id)
    return [Booked(visit, manage_token(visit), replayed=True) for visit in booked_together(existing)]


def _appointment(visit: CheckedVisit, therapist: Therapist, patient: Patient, screening: Screening,
                 care_plan_id: int | None) -> Appointment:
    """A new booked visit with this therapist, its manage token's hash stored.

    The service is the process's copy (``catalog.active_services``): merged, without a query, so that the
    session links the visit to its own instance and never takes in the shared copy.
    """
    appointment_id = uuid.uuid4()
    service = db.session.merge(visit.service, load=False)
    return Appointment(
        id=appointment_id, patient=patient, therapist_id=therapist.id, therapist=therapist, service=service,
        screening=screening,
        starts_at=visit.starts_at, ends_at=visit.ends_at, blocked_until=visit.blocked_until,
        status=AppointmentStatus.BOOKED, manage_token_hash=token_hash(derive_manage_token(appointment_id)),
        sequence=0, care_plan_id=care_plan_id)


def _book_once(request: CourseRequest, now: datetime) -> list[Booked]:
    """One attempt: check, re-check every visit's time, insert them all and commit."""
    locked = lock_asked([visit.therapist_id for visit in request.visits])
    checked = check(request, now)
    therapists = reserve_all(checked.visits, now=now, locked=locked)
    patient = patient_for_booking(checked.patient, request.patient_id)
    appointments = [_appointment(visit, therapist, patient, checked.screening, request.care_plan_id)
                    for visit, therapist in zip(checked.visits, therapists, strict=True)]
    if request.idempotency_key:
        appointments[0].idempotency_key = request.idempotency_key
        appointments[0].idempotency_fingerprint = request.fingerprint()
    db.session.add_all(appointments)
    also = request.also(appointments) if request.also else []
    commit(appointments, "booked", now=now, by_staff=request.booked_by, also=also)
    return [Booked(appointment, manage_token(appointment), replayed=False) for appointment in appointments]


def _book_retrying(request: CourseRequest, now: datetime, attempts_left: int) -> list[Booked]:
    """Book; when refused, replay an earlier booking with the same key; when the write loses a race, answer
    SlotTaken or try again."""
    try:
        return _book_once(request, now)
    except BookingError:
        db.session.rollback()
        replayed = _replay(request)  # the same request booked before, or by a twin just now
        if replayed:
            return replayed
        raise
    except DBAPIError as exc:
        db.session.rollback()
        lost = conflict(exc)
        if lost is None:
            raise
        replayed = _replay(request)
        if replayed:
            return replayed
        if lost in ("overlap", "deadlock") and (not request.first_available() or not attempts_left):
            raise SlotTaken() from exc
        if not attempts_left:
            raise
        logger.info("a booking lost a race (%s); trying again", lost)
        return _book_retrying(request, now, attempts_left - 1)


def book_course(request: CourseRequest, *, now: datetime | None = None) -> list[Booked]:
    """Book several visits in one transaction, all or none, or replay those booked for the same Idempotency-Key.

    The visits come back in order of their start, each with its own manage token;
    one patient record holds them all. Raises InvalidBooking (ReferredOut) for a
    wrong request, naming each visit's fields ("visits.1.starts_at"), and SlotTaken
    when a time is gone (``visit`` names which one, when the re-check found it).
    A request ``booked_by`` a staff member the policy does not let book for callers
    raises Refused.
    """
    if request.booked_by is not None:
        require_book_for_callers(request.booked_by)
    try:
        return _book_retrying(request, moment(now), RETRIES)
    except BookingError:
        db.session.rollback()
        raise


def book(request: BookingRequest, *, now: datetime | None = None) -> Booked:
    """Book a visit, or replay the one booked for the same Idempotency-Key: a course of one visit.

    Raises InvalidBooking (ReferredOut) for a wrong request and SlotTaken when the
    time is gone. A write that loses a race is retried: with the first available
    therapist another one may still be free.
    """
    return book_course(request.as_course(), now=now)[0]
