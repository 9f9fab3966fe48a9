"""Booking, cancelling and rescheduling visits: every booking change goes through this module.

Transactions. Each change (``book``, ``cancel``, ``reschedule``) runs in one
database transaction that this module owns and ends in ``_commit``, the one
place where the notification outbox rows of the change will be written. The
slot is re-checked inside the transaction against a freshly loaded calendar
(working hours, time off, notice, grid, existing bookings); the database then
has the last word: the exclusion constraint (PostgreSQL) or trigger (SQLite)
``appointments_no_overlap`` refuses an overlapping row, which is answered as
``SlotTaken``, never as an error of ours.

Manage tokens. The secret link of a visit carries
``token = base64url(HMAC-SHA256(SECRET_KEY, "manage:" + str(appointment.id)))``
without padding. The id is a random UUID4 and the key is secret, so the token
cannot be guessed; only ``sha256(token)`` (hex) is stored, in
``manage_token_hash``, and ``find_for_manage`` compares hashes in constant time.
Because the token can be derived again from the id, a replayed request
(same Idempotency-Key) answers the same token as the first one. After a change
of SECRET_KEY existing links keep working (their hashes are stored), but a
replay would answer a token that no longer opens the visit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Patient, Screening, Service, Therapist
from booking.models.base import utcnow
from booking.services import availability
from booking.services.catalog import active_service
from booking.services.screenings import get_screening, recommendation_of
from booking.validators import normalise_email, normalise_phone

logger = logging.getLogger(__name__)

TAKEN = "That time was just taken. Please choose another time."
CLOSED = "That time is not open for booking. Please choose one of the times shown."
RETRIES = 2
NAME_LENGTH = 120
REASON_LENGTH = 500
KEY_LENGTH = 200
THERAPY_LABELS = {"physiotherapy": "physiotherapy", "massage": "massage therapy"}
STATUS_LABELS = {AppointmentStatus.CANCELLED: "was cancelled", AppointmentStatus.COMPLETED: "has taken place",
                 AppointmentStatus.NO_SHOW: "was missed"}
# Which concurrent write a refused one collided with, by what the database's message names.
CONFLICTS = {"overlap": ("appointments_no_overlap",), "idempotency": ("idempotency_key",),
             "patient": ("uq_patients_email", "patients.email")}
# PostgreSQL aborts one of two inserts that wait on each other's overlapping row (deadlock
# detected) or that cannot be serialised; the other one goes through.
LOST_RACE_STATES = ("40P01", "40001")


class BookingError(Exception):
    """A booking change refused: ``message`` for people, ``errors`` per field for forms and the API."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, str] = dict(errors or {})


class InvalidBooking(BookingError):
    """Some fields of the request are wrong; ``errors`` names each (dotted for the patient's)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(" ".join(errors.values()), errors)


class ReferredOut(InvalidBooking):
    """The screening sends the patient elsewhere first; ``advice`` says where."""

    def __init__(self, advice: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__({**(errors or {}), "screening_id": advice})
        self.advice = advice


class SlotTaken(BookingError):
    """Someone else has the therapist at that time."""

    def __init__(self, message: str = TAKEN) -> None:
        super().__init__(message)


class ChangeNotAllowed(BookingError):
    """The visit can no longer be changed online (after the cut-off, or not booked)."""


@dataclass(frozen=True)
class PatientDetails:
    """Who is booking."""

    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class BookingRequest:
    """A request to book; ``therapist_id`` None means the first available therapist."""

    screening_id: str
    service_code: str
    therapist_id: int | None
    starts_at: datetime
    patient: PatientDetails
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Booked:
    """A booking made (or found again for a replayed request) with its manage token."""

    appointment: Appointment
    manage_token: str
    replayed: bool


@dataclass(frozen=True)
class _Checked:
    """A request whose every field was found valid."""

    screening: Screening
    service: Service
    starts_at: datetime
    patient: PatientDetails


def _now(now: datetime | None) -> datetime:
    """The time to judge by: the one given, or the current time."""
    return (now or utcnow()).astimezone(UTC)


def _phone() -> str:
    """The clinic's phone number."""
    return current_app.config["CLINIC_PHONE"]


# Manage tokens ------------------------------------------------------------------------------

def derive_manage_token(appointment_id: uuid.UUID) -> str:
    """The manage token of the appointment with this id (see the module docstring)."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    digest = hmac.new(key, f"manage:{appointment_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """What is stored of a manage token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def manage_token(appointment: Appointment) -> str:
    """The manage token of an appointment, derived again from its id."""
    return derive_manage_token(appointment.id)


def _uuid(value: str | uuid.UUID) -> uuid.UUID | None:
    """A UUID from text, or None when malformed."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def find_for_manage(appointment_id: str | uuid.UUID | None, token: str) -> Appointment | None:
    """The appointment this token opens (and, when given, with this id); None on any mismatch."""
    if not token:
        return None
    presented = token_hash(token)
    if appointment_id is None:
        appointment = db.session.scalar(select(Appointment).where(Appointment.manage_token_hash == presented))
    else:
        key = _uuid(appointment_id)
        appointment = db.session.get(Appointment, key) if key else None
    if appointment is None or not hmac.compare_digest(appointment.manage_token_hash, presented):
        return None
    return appointment


# Checking a request ---------------------------------------------------------------------------

def _normalised(check: Callable[[str], str], value: str, field: str, errors: dict[str, str]) -> str:
    """``check(value)``, or the value as given with its complaint recorded under ``field``."""
    try:
        return check(value)
    except ValueError as exc:
        errors[field] = str(exc)
        return value


def _check_patient(details: PatientDetails, errors: dict[str, str]) -> PatientDetails:
    """The patient's details in their normal form; complaints go to ``errors``."""
    name = " ".join(details.name.split())
    if not name:
        errors["patient.name"] = "Enter your full name."
    elif len(name) > NAME_LENGTH:
        errors["patient.name"] = f"Enter a name of at most {NAME_LENGTH} characters."
    elif not name.isprintable():
        errors["patient.name"] = "Enter your name without control characters."
    return PatientDetails(name=name,
                          email=_normalised(normalise_email, details.email, "patient.email", errors),
                          phone=_normalised(normalise_phone, details.phone, "patient.phone", errors))


def _check_start(starts_at: datetime, now: datetime, errors: dict[str, str]) -> datetime:
    """The start in UTC; a naive one, or one outside the booking window, is refused."""
    if starts_at.utcoffset() is None:
        errors["starts_at"] = "Give the start time with its UTC offset, like 2026-12-01T09:00:00-07:00."
        return starts_at
    rules = availability.slot_rules()
    if starts_at < now + rules.min_notice:
        minutes = int(rules.min_notice.total_seconds() // 60)
        errors["starts_at"] = f"Choose a time at least {minutes} minutes from now."
    elif starts_at >= now + timedelta(days=rules.horizon_days):
        errors["starts_at"] = f"We take bookings up to {rules.horizon_days} days ahead. Choose an earlier time."
    else:
        return starts_at.astimezone(UTC)
    return starts_at


def _therapist_problem(therapist_id: int, service: Service | None) -> str | None:
    """Why this therapist cannot give this service, or None."""
    therapist = db.session.get(Therapist, therapist_id) if availability.storable_id(therapist_id) else None
    if therapist is None or not therapist.active:
        return "Choose one of our therapists, or the first available."
    if service is not None and therapist.therapy_type != service.therapy_type:
        return (f"{therapist.name} does not give {THERAPY_LABELS[service.therapy_type]}. "
                f"Choose another therapist, or the first available.")
    return None


def _usable_key(key: str) -> bool:
    """Whether an Idempotency-Key can be stored: 1 to 200 printable characters."""
    return 0 < len(key) <= KEY_LENGTH and key.isprintable()


def _check(request: BookingRequest, now: datetime) -> _Checked:
    """Every field of the request checked at once; raises InvalidBooking or ReferredOut."""
    errors: dict[str, str] = {}
    patient = _check_patient(request.patient, errors)
    starts_at = _check_start(request.starts_at, now, errors)
    if request.idempotency_key is not None and not _usable_key(request.idempotency_key):
        errors["idempotency_key"] = f"An Idempotency-Key has 1 to {KEY_LENGTH} printable characters."
    screening = get_screening(request.screening_id)
    if screening is None:
        errors["screening_id"] = "We could not find that screening. Please answer the screening questions first."
    service = active_service(request.service_code)
    if service is None:
        errors["service"] = "Choose one of our services."
    elif screening is not None and screening.therapy_types and service.therapy_type not in screening.therapy_types:
        recommended = " or ".join(THERAPY_LABELS[kind] for kind in screening.therapy_types)
        errors["service"] = (f"Your screening recommends {recommended}, not "
                             f"{THERAPY_LABELS[service.therapy_type]}. Choose a {recommended} service.")
    if request.therapist_id is not None:
        problem = _therapist_problem(request.therapist_id, service)
        if problem:
            errors["therapist_id"] = problem
    if screening is not None and not screening.therapy_types:
        raise ReferredOut(recommendation_of(screening).advice, errors)
    if errors or screening is None or service is None:
        raise InvalidBooking(errors)
    return _Checked(screening=screening, service=service, starts_at=starts_at, patient=patient)


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


def _reserve(service: Service, starts_at: datetime, *, therapist_id: int | None, now: datetime,
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


def _conflict(error: DBAPIError) -> str | None:
    """Which race the error comes from ("overlap", "idempotency", "patient", "deadlock"), if one."""
    if getattr(error.orig, "sqlstate", None) in LOST_RACE_STATES:
        return "deadlock"
    if not isinstance(error, IntegrityError):
        return None
    text = str(error.orig)
    return next((name for name, marks in CONFLICTS.items() if any(mark in text for mark in marks)), None)


def _commit(appointment: Appointment, change: str) -> None:
    """Commit one booking change; the outbox rows for its notifications will be written here.

    The objects are not expired by this commit: they hold exactly what was just
    written, and reloading the visit, its service, therapist and patient to answer
    would cost four queries.
    """
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
    logger.info("appointment %s %s", appointment.id, change)


# Booking ------------------------------------------------------------------------------------

def _same_request(appointment: Appointment, request: BookingRequest) -> bool:
    """Whether an appointment is what this request asked for (a replay)."""
    try:
        email = normalise_email(request.patient.email)
    except ValueError:
        return False
    return (appointment.screening_id == _uuid(request.screening_id)
            and appointment.service.code == request.service_code
            and request.therapist_id in (None, appointment.therapist_id)
            and request.starts_at.utcoffset() is not None and appointment.starts_at == request.starts_at
            and appointment.patient.email == email)


def _replay(request: BookingRequest) -> Booked | None:
    """The booking an earlier request with the same Idempotency-Key made; None if there is none."""
    if not request.idempotency_key or not _usable_key(request.idempotency_key):
        return None
    existing = db.session.scalar(select(Appointment).where(
        Appointment.idempotency_key == request.idempotency_key))
    if existing is None:
        return None
    if not _same_request(existing, request):
        raise InvalidBooking({"idempotency_key": "This Idempotency-Key was already used for a different booking."})
    logger.info("replayed booking %s for its Idempotency-Key", existing.id)
    return Booked(existing, manage_token(existing), replayed=True)


def _patient(details: PatientDetails) -> Patient:
    """The patient with this email, details brought up to date, or a new one."""
    patient = db.session.scalar(select(Patient).where(Patient.email == details.email))
    if patient is None:
        patient = Patient(email=details.email)
        db.session.add(patient)
    patient.name = details.name
    patient.phone = details.phone
    return patient


def _book_once(request: BookingRequest, now: datetime) -> Booked:
    """One attempt: replay, check, re-check the slot, insert and commit."""
    replayed = _replay(request)
    if replayed:
        return replayed
    checked = _check(request, now)
    service = checked.service
    therapist_id = _reserve(service, checked.starts_at, therapist_id=request.therapist_id, now=now)
    appointment_id = uuid.uuid4()
    appointment = Appointment(
        id=appointment_id, patient=_patient(checked.patient), therapist_id=therapist_id, service=service,
        screening=checked.screening, starts_at=checked.starts_at, ends_at=checked.starts_at + service.duration,
        blocked_until=checked.starts_at + service.duration + service.buffer, status=AppointmentStatus.BOOKED,
        manage_token_hash=token_hash(derive_manage_token(appointment_id)),
        idempotency_key=request.idempotency_key)
    db.session.add(appointment)
    _commit(appointment, "booked")
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
        conflict = _conflict(exc)
        if conflict is None:
            raise
        replayed = _replay(request)
        if replayed:
            return replayed
        if conflict in ("overlap", "deadlock") and (request.therapist_id is not None or not attempts_left):
            raise SlotTaken() from exc
        if not attempts_left:
            raise
        logger.info("a booking lost a race (%s); trying again", conflict)
        return _book_retrying(request, now, attempts_left - 1)


def book(request: BookingRequest, *, now: datetime | None = None) -> Booked:
    """Book a visit, or replay the one booked for the same Idempotency-Key.

    Raises InvalidBooking (ReferredOut) for a wrong request and SlotTaken when the
    time is gone. A write that loses a race is retried: with the first available
    therapist another one may still be free, and a twin request may have stored a
    new patient meanwhile.
    """
    try:
        return _book_retrying(request, _now(now), RETRIES)
    except BookingError:
        db.session.rollback()
        raise


# Changing a visit ---------------------------------------------------------------------------

def change_deadline(appointment: Appointment) -> datetime:
    """Until when the visit can be cancelled or moved online."""
    return appointment.starts_at - timedelta(hours=current_app.config["CANCEL_CUTOFF_HOURS"])


def can_change(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """Whether the visit is booked and its change deadline has not passed."""
    return appointment.status == AppointmentStatus.BOOKED and _now(now) < change_deadline(appointment)


def _lock_for_change(appointment: Appointment, now: datetime) -> None:
    """Lock the visit's row, read it afresh, and refuse when it can no longer change online."""
    db.session.refresh(appointment, with_for_update=True)
    if appointment.status != AppointmentStatus.BOOKED:
        label = STATUS_LABELS.get(appointment.status, "is not booked")
        raise ChangeNotAllowed(f"This visit {label}, so it cannot be changed online. "
                               f"Please call the clinic at {_phone()}.")
    if not can_change(appointment, now=now):
        hours = current_app.config["CANCEL_CUTOFF_HOURS"]
        raise ChangeNotAllowed(f"Visits can be cancelled or moved online until {hours} hours before they "
                               f"start. Please call the clinic at {_phone()}.")


def cancel(appointment: Appointment, *, reason: str | None = None, now: datetime | None = None) -> Appointment:
    """Cancel a booked visit before its deadline, freeing the therapist's time."""
    moment = _now(now)
    reason = " ".join(reason.split()) if reason else None
    try:
        if reason and not (len(reason) <= REASON_LENGTH and reason.isprintable()):
            raise InvalidBooking({"reason": f"Write at most {REASON_LENGTH} characters, "
                                            "without control characters."})
        _lock_for_change(appointment, moment)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = moment
        appointment.cancellation_reason = reason or None
        _commit(appointment, "cancelled")
    except BookingError:
        db.session.rollback()
        raise
    return appointment


def reschedule(appointment: Appointment, starts_at: datetime, *, therapist_id: int | None = None,
               now: datetime | None = None) -> Appointment:
    """Move a visit in one UPDATE: the new time is taken as the old one is released.

    ``therapist_id`` may name another therapist of the same kind; by default the
    visit stays with its therapist.
    """
    moment = _now(now)
    try:
        errors: dict[str, str] = {}
        start = _check_start(starts_at, moment, errors)
        if errors:
            raise InvalidBooking(errors)
        _lock_for_change(appointment, moment)
        service = appointment.service
        target = appointment.therapist_id if therapist_id is None else therapist_id
        if target != appointment.therapist_id:
            problem = _therapist_problem(target, service)
            if problem:
                raise InvalidBooking({"therapist_id": problem})
        _reserve(service, start, therapist_id=target, now=moment, exclude=appointment.id)
        appointment.therapist_id = target
        appointment.starts_at = start
        appointment.ends_at = start + service.duration
        appointment.blocked_until = start + service.duration + service.buffer
        _commit(appointment, "rescheduled")
    except DBAPIError as exc:
        db.session.rollback()
        if _conflict(exc) in ("overlap", "deadlock"):
            raise SlotTaken() from exc
        raise
    except BookingError:
        db.session.rollback()
        raise
    return appointment
