"""What a booking asks for, and the checks every field of it passes before anything is written
(the patient's details are checked in ``patients``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import joinedload

from booking.clinic.limits import KEY_LENGTH
from booking.database import get_or_none
from booking.models import Appointment, Notification, Screening, Service, StaffUser, Therapist
from booking.routing import THERAPY_LABELS
from booking.scheduling import qualifications
from booking.services.catalog import active_service
from booking.services.screenings import get_screening, recommendation_of
from booking.services.therapists.training import training_needed
from booking.services.visits import availability
from booking.services.visits.errors import InvalidBooking, ReferredOut
from booking.services.visits.patients import PatientDetails, check_patient

# The most visits one booking may hold: a course of care of two disciplines, with room to spare.
MAX_VISITS = 24


@dataclass(frozen=True)
class VisitRequest:
    """One visit of a booking: the service, the therapist (None: the first available) and the start."""

    service_code: str
    therapist_id: int | None
    starts_at: datetime

    def instant(self) -> str:
        """The start as the fingerprint counts it: the instant (09:00-07:00 is 16:00Z), as written when naive."""
        if self.starts_at.utcoffset() is None:
            return self.starts_at.isoformat()
        return self.starts_at.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class CourseRequest:
    """A request to book several visits at once (a back-to-back pair, a course of care): all of them or none.

    One screening, one patient and one Idempotency-Key cover every visit; ``booked_by``
    and ``patient_id`` as in ``BookingRequest``.
    """

    screening_id: str
    visits: tuple[VisitRequest, ...]
    patient: PatientDetails
    idempotency_key: str | None = None
    booked_by: StaffUser | None = None
    patient_id: int | None = None
    # The care plan the visits belong to, and what else booking them writes in the same transaction
    # (the plan's notices and audit row): called with the new visits before the commit, on every attempt.
    care_plan_id: int | None = None
    also: Callable[[list[Appointment]], list[Notification]] | None = field(default=None, compare=False)

    def fingerprint(self) -> str:
        """A digest of every field as sent but the key: a replay must match it exactly.

        The instants count, not how they are written; every other field counts to
        the letter, as Stripe compares a repeated request. A one-visit request has
        the digest a ``BookingRequest`` always had.
        """
        fields: list[str | int | None] = [self.screening_id]
        for visit in self.visits:
            fields += [visit.service_code, visit.therapist_id, visit.instant()]
        fields += [self.patient.name, self.patient.email, self.patient.phone]
        if self.patient_id is not None:  # a known record: counted, and digests of other requests stay as they were
            fields.append(self.patient_id)
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()

    def first_available(self) -> bool:
        """Whether some visit is for the first available therapist (a lost race may then be retried)."""
        return any(visit.therapist_id is None for visit in self.visits)


@dataclass(frozen=True)
class BookingRequest:
    """A request to book one visit; ``therapist_id`` None means the first available therapist.

    ``booked_by`` is the staff member booking for a phone caller (None: the patient
    themselves); the booking's audit row names them, in the booking's transaction.
    ``patient_id`` is the known patient record a staff member books for (see
    ``booking.services.visits.patients``); None books a new record.
    """

    screening_id: str
    service_code: str
    therapist_id: int | None
    starts_at: datetime
    patient: PatientDetails
    idempotency_key: str | None = None
    booked_by: StaffUser | None = None
    patient_id: int | None = None

    def as_course(self) -> CourseRequest:
        """The same request as a course of one visit: how it is booked."""
        return CourseRequest(screening_id=self.screening_id,
                             visits=(VisitRequest(self.service_code, self.therapist_id, self.starts_at),),
                             patient=self.patient, idempotency_key=self.idempotency_key, booked_by=self.booked_by,
                             patient_id=self.patient_id)

    def fingerprint(self) -> str:
        """A digest of every field as sent but the key (see ``CourseRequest.fingerprint``)."""
        return self.as_course().fingerprint()


@dataclass(frozen=True)
class Booked:
    """A booking made (or found again for a replayed request) with its manage token."""

    appointment: Appointment
    manage_token: str
    replayed: bool


def field_name(index: int | None, name: str) -> str:
    """A visit's field in ``errors``: "starts_at" for a request of one visit, "visits.2.starts_at" in a course."""
    return name if index is None else f"visits.{index}.{name}"


@dataclass(frozen=True)
class CheckedVisit:
    """One visit whose fields were found valid: its service, its start in UTC, the therapist asked for.

    ``index`` is its place in a request of several visits (None for a request of one);
    it names the visit's fields and the visit in a refusal.
    """

    index: int | None
    service: Service
    starts_at: datetime
    therapist_id: int | None
    # The screening's cautions: only a therapist trained for them takes the visit.
    cautions: tuple[str, ...] = ()

    @property
    def ends_at(self) -> datetime:
        """When the visit ends."""
        return self.starts_at + self.service.duration

    @property
    def blocked_until(self) -> datetime:
        """When the therapist's time is free again: the end plus the service's buffer."""
        return self.ends_at + self.service.buffer

    def field(self, name: str) -> str:
        """The name of one of the visit's fields in ``errors``."""
        return field_name(self.index, name)


@dataclass(frozen=True)
class Checked:
    """A request whose every field was found valid, in normal form; its visits in order of their start."""

    screening: Screening
    patient: PatientDetails
    visits: tuple[CheckedVisit, ...]


def usable_key(key: str) -> bool:
    """Whether an Idempotency-Key can be stored: 1 to 200 printable characters."""
    return 0 < len(key) <= KEY_LENGTH and key.isprintable()


def check_start(starts_at: datetime, now: datetime, errors: dict[str, str], field: str = "starts_at") -> datetime:
    """The start in UTC; a naive one, or one outside the booking window, is refused (under ``field``)."""
    if starts_at.utcoffset() is None:
        errors[field] = "Give the start time with its UTC offset, like 2026-12-01T09:00:00-07:00."
        return starts_at
    rules = availability.slot_rules()
    if starts_at < rules.earliest(now):
        minutes = int(rules.min_notice.total_seconds() // 60)
        errors[field] = f"Choose a time at least {minutes} minutes from now."
    elif starts_at >= rules.latest(now):
        errors[field] = f"We take bookings up to {rules.horizon_days} days ahead. Choose an earlier time."
    else:
        return starts_at.astimezone(UTC)
    return starts_at


def therapist_problem(therapist_id: int, service: Service | None, cautions: Collection[str] = (), *,
                      first_available: bool = True) -> str | None:
    """Why this therapist cannot give this service (to a patient with these cautions), or None.

    The refusal suggests the first available too, unless ``first_available`` is False (a visit moved to
    another therapist). The therapist's qualifications come in the same query (a lazy load would cost a
    second one)."""
    or_first = ", or the first available" if first_available else ""
    therapist = get_or_none(Therapist, therapist_id, options=[joinedload(Therapist.trained)])
    if therapist is None or not therapist.active:
        return f"Choose one of our therapists{or_first}."
    if service is None:
        return None
    if therapist.therapy_type != service.therapy_type:
        return (f"{therapist.name} does not give {THERAPY_LABELS[service.therapy_type]}. "
                f"Choose another therapist{or_first}.")
    if not qualifications.trained(service.therapy_type, cautions, therapist.qualifications):
        training = training_needed(service, cautions)
        return (f"This visit needs a therapist trained in {training}, and {therapist.name} is not. "
                f"Choose another therapist{or_first}.")
    return None


def _check_visit(visit: VisitRequest, index: int | None, screening: Screening | None, now: datetime,
                 errors: dict[str, str]) -> CheckedVisit | None:
    """One visit's fields checked; complaints go to ``errors``; None when its service is unknown."""
    starts_at = check_start(visit.starts_at, now, errors, field_name(index, "starts_at"))
    service = active_service(visit.service_code)
    if service is None:
        errors[field_name(index, "service")] = "Choose one of our services."
    elif screening is not None and screening.therapy_types and service.therapy_type not in screening.therapy_types:
        recommended = " or ".join(THERAPY_LABELS[kind] for kind in screening.therapy_types)
        errors[field_name(index, "service")] = (f"Your screening recommends {recommended}, not "
                                                f"{THERAPY_LABELS[service.therapy_type]}. "
                                                f"Choose a {recommended} service.")
    cautions = tuple(screening.caution_codes) if screening is not None else ()
    if visit.therapist_id is not None:
        problem = therapist_problem(visit.therapist_id, service, cautions)
        if problem:
            errors[field_name(index, "therapist_id")] = problem
    return None if service is None else CheckedVisit(index, service, starts_at, visit.therapist_id, cautions)


def overlap(earlier: CheckedVisit, later: CheckedVisit) -> bool:
    """Whether two visits of one booking overlap, the earlier one's buffer included.

    A back-to-back pair does not: a visit of the other kind that starts right when
    the earlier one ends (the patient goes straight from one therapist to the other).
    """
    if later.starts_at >= earlier.blocked_until or earlier.starts_at >= later.blocked_until:
        return False
    return not (later.starts_at == earlier.ends_at and later.service.therapy_type != earlier.service.therapy_type)


def _check_apart(visits: list[CheckedVisit], errors: dict[str, str]) -> None:
    """Refuse each visit that overlaps an earlier one of the same booking (``visits`` in order of their start)."""
    for position, later in enumerate(visits):
        earlier = next((visit for visit in visits[:position] if overlap(visit, later)), None)
        if earlier is not None and earlier.index is not None and later.index is not None:
            errors[later.field("starts_at")] = (
                f"Visit {later.index + 1} overlaps visit {earlier.index + 1}. Choose a time after visit "
                f"{earlier.index + 1} and its buffer, or right when it ends for a visit of the other kind.")


def check(request: CourseRequest, now: datetime) -> Checked:
    """Every field of the request checked at once; raises InvalidBooking or ReferredOut."""
    errors: dict[str, str] = {}
    patient = check_patient(request.patient, request.booked_by is not None, errors)
    if request.idempotency_key is not None and not usable_key(request.idempotency_key):
        errors["idempotency_key"] = f"An Idempotency-Key has 1 to {KEY_LENGTH} printable characters."
    if not 0 < len(request.visits) <= MAX_VISITS:
        errors["visits"] = f"Book from 1 to {MAX_VISITS} visits at once."
    screening = get_screening(request.screening_id)
    if screening is None:
        errors["screening_id"] = "We could not find that screening. Please answer the screening questions first."
    several = len(request.visits) > 1
    visits = [_check_visit(visit, index if several else None, screening, now, errors)
              for index, visit in enumerate(request.visits)]
    if screening is not None and not screening.therapy_types:
        raise ReferredOut(recommendation_of(screening).advice, errors)
    if errors or screening is None:
        raise InvalidBooking(errors)
    checked = sorted((visit for visit in visits if visit is not None), key=lambda visit: visit.starts_at)
    _check_apart(checked, errors)
    if errors:
        raise InvalidBooking(errors)
    return Checked(screening=screening, patient=patient, visits=tuple(checked))
