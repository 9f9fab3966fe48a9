"""Joining the waitlist, leaving it, an admin removing a place, and places whose "until" passed.

A place waits for one service of the screening's recommendation (or a combined patient's back-to-back pair,
massage then physiotherapy), optionally with one therapist who gives it and is trained for the screening's
cautions, on the days and parts of the day that suit, through the local day ``until``. A red-flag screening
never joins (ReferredOut, as a booking). Every field is checked at once: InvalidBooking names each problem
under the field's name, for the forms to show next to it. The patient record, the entry and the "you are on
the list" email (when there is an email) are written in one transaction.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from booking import outbox
from booking.clinic.times import clinic_zone, local_midnight
from booking.extensions import db
from booking.models import CarePlan, Screening, Service, StaffUser
from booking.models.waitlist import EntryStatus, WaitlistEntry
from booking.routing import THERAPY_LABELS
from booking.scheduling.plans import MASSAGE, PHYSIOTHERAPY
from booking.services import audit
from booking.services.catalog import services_for
from booking.services.screenings import get_screening, recommendation_of
from booking.services.visits.errors import InvalidBooking, ReferredOut
from booking.services.visits.patients import PatientDetails, check_patient, patient_for_booking
from booking.services.visits.requests import therapist_problem
from booking.services.visits.tokens import token_hash
from booking.services.waitlist import links, offering
from booking.waitlist.rules import PARTS_OF_DAY

PART_NAMES: tuple[str, ...] = tuple(part.name for part in PARTS_OF_DAY)
LONGEST_WAIT_MONTHS = 6
DEFAULT_WAIT = timedelta(weeks=4)


@dataclass(frozen=True)
class JoinRequest:
    """What a place on the waitlist asks for. ``until`` is a local day: the place waits through it.

    ``joined_by`` is the staff member putting a caller on the list (the email may then be left out), None
    when the patient joins online; ``patient_id`` the known record staff put on it; ``care_plan_id`` the
    plan whose session could not be placed (its screening must be the request's).
    """

    screening_id: str
    service_code: str
    days: Collection[int]
    parts: Collection[str]
    until: date | None
    patient: PatientDetails
    pair_service_code: str | None = None
    therapist_id: int | None = None
    patient_id: int | None = None
    care_plan_id: int | None = None
    joined_by: StaffUser | None = field(default=None, compare=False)


def months_ahead(day: date, months: int) -> date:
    """The same day of the month ``months`` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def today(now: datetime) -> date:
    """The clinic's local day at ``now``."""
    return now.astimezone(clinic_zone()).date()


def latest_until(now: datetime) -> date:
    """The last day a place may wait through: six months from today."""
    return months_ahead(today(now), LONGEST_WAIT_MONTHS)


def default_until(now: datetime) -> date:
    """The day a place waits through unless another is chosen: four weeks from today."""
    return today(now) + DEFAULT_WAIT


def _check_until(until: date | None, now: datetime, errors: dict[str, str]) -> None:
    if until is None:
        errors["until"] = "Enter the last day you can wait for a time, for example 2027-01-31."
    elif until < today(now):
        errors["until"] = "Enter a day from today on: that day is already past."
    elif until > latest_until(now):
        errors["until"] = (f"Enter a day at most {LONGEST_WAIT_MONTHS} months ahead, "
                           f"{latest_until(now).isoformat()} at the latest.")


def _check_when(request: JoinRequest, errors: dict[str, str]) -> None:
    if not request.days:
        errors["days"] = "Choose at least one day of the week that suits you."
    elif not set(request.days) <= set(range(7)):
        errors["days"] = "Choose days of the week from Monday to Sunday."
    if not request.parts:
        errors["parts"] = "Choose at least one part of the day that suits you: morning, afternoon or evening."
    elif not set(request.parts) <= set(PART_NAMES):
        errors["parts"] = "Choose parts of the day from morning, afternoon and evening."


def _service(screening: Screening, code: str | None, errors: dict[str, str], name: str) -> Service | None:
    """The service with this code the screening allows; a complaint under ``name`` otherwise."""
    service = next((s for s in services_for(screening) if s.code == code), None)
    if service is None:
        recommended = " or ".join(THERAPY_LABELS[kind] for kind in screening.therapy_types)
        errors[name] = f"Choose one of the {recommended} services your screening recommends."
    return service


def _check_services(request: JoinRequest, screening: Screening,
                    errors: dict[str, str]) -> tuple[Service | None, Service | None]:
    """The service waited for and a pair's physiotherapy; complaints under "service" and "pair_service"."""
    service = _service(screening, request.service_code, errors, "service")
    if request.pair_service_code is None:
        return service, None
    pair = _service(screening, request.pair_service_code, errors, "pair_service")
    if screening.pathway != "combined" or (service and service.therapy_type != MASSAGE) or (
            pair and pair.therapy_type != PHYSIOTHERAPY):
        errors["pair_service"] = "Back-to-back visits are a massage followed by physiotherapy, for combined care."
    return service, pair


def _check_once(request: JoinRequest, screening: Screening, service: Service, errors: dict[str, str]) -> None:
    """One waiting place per screening and service (a form sent twice makes one); a plan's sessions may be
    several."""
    if request.care_plan_id is None and db.session.scalar(select(WaitlistEntry.id).where(
            WaitlistEntry.screening_id == screening.id, WaitlistEntry.service_id == service.id,
            WaitlistEntry.care_plan_id.is_(None), WaitlistEntry.status == EntryStatus.WAITING).limit(1)):
        errors["service"] = ("This screening is already on the waitlist for this service: its place is at the link "
                             "in the email we sent. To change what suits, leave that place there and join again.")


def _check_plan(request: JoinRequest, screening: Screening, errors: dict[str, str]) -> None:
    if request.care_plan_id is None:
        return
    plan = db.session.get(CarePlan, request.care_plan_id)
    if plan is None or plan.screening_id != screening.id:
        errors["care_plan_id"] = "That care plan is not this screening's: put the plan's session on the list from its page."


@dataclass(frozen=True)
class Checked:
    """A join request that passed every check: what the entry is written from."""

    screening: Screening
    service: Service
    pair: Service | None
    patient: PatientDetails
    until: date


def check(request: JoinRequest, now: datetime) -> Checked:
    """Every field of the request checked at once; raises InvalidBooking (each problem under its field's name,
    the patient's as "patient.name" etc.) or ReferredOut for a red-flag screening."""
    errors: dict[str, str] = {}
    patient = check_patient(request.patient, request.joined_by is not None, errors)
    _check_when(request, errors)
    _check_until(request.until, now, errors)
    screening = get_screening(request.screening_id)
    if screening is None:
        raise InvalidBooking({**errors, "screening_id": "We could not find that screening. "
                                                        "Please answer the screening questions first."})
    if not screening.therapy_types:
        raise ReferredOut(recommendation_of(screening).advice, errors)
    service, pair = _check_services(request, screening, errors)
    if request.therapist_id is not None and service is not None:
        problem = therapist_problem(request.therapist_id, service, screening.caution_codes, first_available=False)
        if problem:
            errors["therapist"] = problem.replace("Choose another therapist.", "Choose another therapist, or anyone.")
    _check_plan(request, screening, errors)
    if service is not None:
        _check_once(request, screening, service, errors)
    if errors or service is None or request.until is None:
        raise InvalidBooking(errors)
    return Checked(screening, service, pair, patient, request.until)


def join(request: JoinRequest, *, now: datetime | None = None) -> tuple[WaitlistEntry, str]:
    """Put a patient on the waitlist: the entry and its link's token. Raises InvalidBooking or ReferredOut."""
    now = now or datetime.now(UTC)
    checked = check(request, now)
    patient = patient_for_booking(checked.patient, request.patient_id)
    entry = WaitlistEntry(
        link_id=uuid.uuid4(), patient=patient, screening_id=checked.screening.id, service_id=checked.service.id,
        pair_service_id=checked.pair.id if checked.pair else None, therapist_id=request.therapist_id,
        care_plan_id=request.care_plan_id, days=sorted(set(request.days)),
        parts=[name for name in PART_NAMES if name in request.parts],
        until=local_midnight(checked.until + timedelta(days=1)),
        joined_at=now, joined_by_id=request.joined_by.id if request.joined_by else None,
        status=EntryStatus.WAITING)
    token = links.entry_token(entry)
    entry.token_hash = token_hash(token)
    db.session.add(entry)
    db.session.flush()
    if patient.email:
        outbox.for_waitlist_joined(entry, now=now)
    if request.joined_by is not None:
        audit.record("created", "waitlist_entry", entry.id, "put on the waitlist", actor=request.joined_by, at=now)
    db.session.commit()
    return entry, token


def _end(entry: WaitlistEntry, status: EntryStatus, now: datetime) -> bool:
    """End a waiting place with ``status`` and withdraw its live offers; False when it no longer waits."""
    if entry.status != EntryStatus.WAITING:
        return False
    entry.status, entry.ended_at = status, now
    offering.withdraw(entry, now=now)
    return True


def leave(entry: WaitlistEntry, *, now: datetime | None = None) -> bool:
    """The patient leaves the list through their link; False (nothing changes) when the place no longer waits."""
    left = _end(entry, EntryStatus.LEFT, now or datetime.now(UTC))
    db.session.commit()
    return left


def remove(entry: WaitlistEntry, *, by_staff: StaffUser, now: datetime | None = None) -> bool:
    """An admin takes a place off the list (audited); False (nothing changes) when it no longer waits."""
    now = now or datetime.now(UTC)
    removed = _end(entry, EntryStatus.REMOVED, now)
    if removed:
        audit.record("removed", "waitlist_entry", entry.id, "taken off the waitlist", actor=by_staff, at=now)
    db.session.commit()
    return removed


def expire_passed(*, now: datetime | None = None) -> int:
    """End every waiting place whose ``until`` has come (status ``expired``, live offers withdrawn); how many."""
    now = now or datetime.now(UTC)
    passed = list(db.session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.status == EntryStatus.WAITING, WaitlistEntry.until <= now).with_for_update(skip_locked=True)))
    for entry in passed:
        _end(entry, EntryStatus.EXPIRED, now)
    db.session.commit()
    return len(passed)
