"""Booking a visit, with replays for a repeated Idempotency-Key and retries for lost races."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus
from booking.services.booking.errors import BookingError, InvalidBooking, SlotTaken
from booking.services.booking.patients import patient_for_booking
from booking.services.booking.requests import Booked, BookingRequest, check, usable_key
from booking.services.booking.reservation import RETRIES, commit, conflict, reserve
from booking.services.booking.tokens import derive_manage_token, manage_token, token_hash
from booking.services.clock import moment

logger = logging.getLogger(__name__)

KEY_REUSED = ("This Idempotency-Key was already used for a different request. Send the same request "
              "again to get its booking, or use a new key for a new booking.")


def _replay(request: BookingRequest) -> Booked | None:
    """The booking an earlier request with the same Idempotency-Key made; None if there is none.

    Only the identical request is replayed; the same key with any field changed is refused.
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
    return Booked(existing, manage_token(existing), replayed=True)


def _book_once(request: BookingRequest, now: datetime) -> Booked:
    """One attempt: replay, check, re-check the slot, insert and commit."""
    replayed = _replay(request)
    if replayed:
        return replayed
    checked = check(request, now)
    service = checked.service
    therapist_id = reserve(service, checked.starts_at, therapist_id=request.therapist_id, now=now)
    appointment_id = uuid.uuid4()
    appointment = Appointment(
        id=appointment_id, patient=patient_for_booking(checked.patient), therapist_id=therapist_id,
        service=service, screening=checked.screening, starts_at=checked.starts_at,
        ends_at=checked.starts_at + service.duration,
        blocked_until=checked.starts_at + service.duration + service.buffer, status=AppointmentStatus.BOOKED,
        manage_token_hash=token_hash(derive_manage_token(appointment_id)), sequence=0,
        idempotency_key=request.idempotency_key,
        idempotency_fingerprint=request.fingerprint() if request.idempotency_key else None)
    db.session.add(appointment)
    commit(appointment, "booked", now=now, by_staff=request.booked_by)
    return Booked(appointment, manage_token(appointment), replayed=False)


def _book_retrying(request: BookingRequest, now: datetime, attempts_left: int) -> Booked:
    """Book; when the write loses a race, replay, answer SlotTaken, or try again."""
    try:
        return _book_once(request, now)
    except SlotTaken:
        db.session.rollback()
        replayed = _replay(request)  # a twin request with the same key may have taken it just now
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
        if lost in ("overlap", "deadlock") and (request.therapist_id is not None or not attempts_left):
            raise SlotTaken() from exc
        if not attempts_left:
            raise
        logger.info("a booking lost a race (%s); trying again", lost)
        return _book_retrying(request, now, attempts_left - 1)


def book(request: BookingRequest, *, now: datetime | None = None) -> Booked:
    """Book a visit, or replay the one booked for the same Idempotency-Key.

    Raises InvalidBooking (ReferredOut) for a wrong request and SlotTaken when the
    time is gone. A write that loses a race is retried: with the first available
    therapist another one may still be free.
    """
    try:
        return _book_retrying(request, moment(now), RETRIES)
    except BookingError:
        db.session.rollback()
        raise
