"""What a booking asks for, and the checks every field of it passes before anything is written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from booking.extensions import db
from booking.models import THERAPY_LABELS, Appointment, Screening, Service, StaffUser, Therapist
from booking.services import availability
from booking.services.booking.errors import InvalidBooking, ReferredOut
from booking.services.catalog import active_service
from booking.services.screenings import get_screening, recommendation_of
from booking.validators import KEY_LENGTH, NAME_LENGTH, normalise_email, normalise_phone


@dataclass(frozen=True)
class PatientDetails:
    """Who is booking, as they typed it."""

    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class BookingRequest:
    """A request to book; ``therapist_id`` None means the first available therapist.

    ``booked_by`` is the staff member booking for a phone caller (None: the patient
    themselves); the booking's audit row names them, in the booking's transaction.
    """

    screening_id: str
    service_code: str
    therapist_id: int | None
    starts_at: datetime
    patient: PatientDetails
    idempotency_key: str | None = None
    booked_by: StaffUser | None = None

    def fingerprint(self) -> str:
        """A digest of every field as sent but the key: a replay must match it exactly.

        The instant counts, not how it is written (09:00-07:00 is 16:00Z); every
        other field counts to the letter, as Stripe compares a repeated request.
        """
        start = self.starts_at.astimezone(UTC).isoformat() if self.starts_at.utcoffset() is not None \
            else self.starts_at.isoformat()
        fields = [self.screening_id, self.service_code, self.therapist_id, start,
                  self.patient.name, self.patient.email, self.patient.phone]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


@dataclass(frozen=True)
class Booked:
    """A booking made (or found again for a replayed request) with its manage token."""

    appointment: Appointment
    manage_token: str
    replayed: bool


@dataclass(frozen=True)
class Checked:
    """A request whose every field was found valid, in normal form."""

    screening: Screening
    service: Service
    starts_at: datetime
    patient: PatientDetails


def usable_key(key: str) -> bool:
    """Whether an Idempotency-Key can be stored: 1 to 200 printable characters."""
    return 0 < len(key) <= KEY_LENGTH and key.isprintable()


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


def check_start(starts_at: datetime, now: datetime, errors: dict[str, str]) -> datetime:
    """The start in UTC; a naive one, or one outside the booking window, is refused."""
    if starts_at.utcoffset() is None:
        errors["starts_at"] = "Give the start time with its UTC offset, like 2026-12-01T09:00:00-07:00."
        return starts_at
    rules = availability.slot_rules()
    if starts_at < rules.earliest(now):
        minutes = int(rules.min_notice.total_seconds() // 60)
        errors["starts_at"] = f"Choose a time at least {minutes} minutes from now."
    elif starts_at >= rules.latest(now):
        errors["starts_at"] = f"We take bookings up to {rules.horizon_days} days ahead. Choose an earlier time."
    else:
        return starts_at.astimezone(UTC)
    return starts_at


def therapist_problem(therapist_id: int, service: Service | None) -> str | None:
    """Why this therapist cannot give this service, or None."""
    therapist = db.session.get(Therapist, therapist_id) if availability.storable_id(therapist_id) else None
    if therapist is None or not therapist.active:
        return "Choose one of our therapists, or the first available."
    if service is not None and therapist.therapy_type != service.therapy_type:
        return (f"{therapist.name} does not give {THERAPY_LABELS[service.therapy_type]}. "
                f"Choose another therapist, or the first available.")
    return None


def check(request: BookingRequest, now: datetime) -> Checked:
    """Every field of the request checked at once; raises InvalidBooking or ReferredOut."""
    errors: dict[str, str] = {}
    patient = _check_patient(request.patient, errors)
    starts_at = check_start(request.starts_at, now, errors)
    if request.idempotency_key is not None and not usable_key(request.idempotency_key):
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
        problem = therapist_problem(request.therapist_id, service)
        if problem:
            errors["therapist_id"] = problem
    if screening is not None and not screening.therapy_types:
        raise ReferredOut(recommendation_of(screening).advice, errors)
    if errors or screening is None or service is None:
        raise InvalidBooking(errors)
    return Checked(screening=screening, service=service, starts_at=starts_at, patient=patient)
