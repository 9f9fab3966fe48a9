"""The demo's waitlist: four patients waiting, and the last week's freed times with what became of them.

Waiting, each joined through the waitlist's own service (``entries.join``) some days ago: Casey Nguyen's care
plan session that could not be placed (put on the list by the demo admin), a combined patient waiting for a
back-to-back pair, a physiotherapy patient who joined online, and a caller without email whom the desk put on the
list for one massage therapist. The last week's history is written as it happened, the way the calendar is
(``demo_calendar``): three of its completed visits were times freed by a cancellation and claimed from the
waitlist minutes after their offer, and its two cancelled visits were freed times whose offer expired (or that
came too close to offer), so that the admins' figure of times filled shows at once. Seeded once: the waitlist is
kept when it has any place.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.cli.demo_plan import PATIENT
from booking.clinic.settings import clinic_settings
from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, CarePlan, Patient, StaffUser, Therapist, WaitlistEntry
from booking.models.waitlist import (
    EntryStatus,
    OfferStatus,
    OpeningCause,
    OpeningStatus,
    WaitlistOffer,
    WaitlistOpening,
)
from booking.services.screenings import create_screening
from booking.services.staff_accounts.accounts import find_by_email
from booking.services.visits import BookingError, PatientDetails
from booking.services.visits.tokens import token_hash
from booking.services.waitlist import entries, links
from booking.services.waitlist.entries import JoinRequest
from booking.waitlist import claim_window

logger = logging.getLogger(__name__)

WEEKDAYS, EVERY_DAY = (0, 1, 2, 3, 4), (0, 1, 2, 3, 4, 5, 6)
WAITS = timedelta(weeks=4)
# The filled times: how long before the visit each was freed, and how many minutes its offer took to be claimed.
FILLED = ((timedelta(hours=30), 12), (timedelta(hours=52), 28), (timedelta(hours=20), 25))
OFFERED_AFTER = timedelta(minutes=1)  # from a time's freeing to its offer (the worker's turn)


@dataclass(frozen=True)
class Waiting:
    """A demo patient waiting: what they answered, for what, with whom, when it suits, and how long ago they joined."""

    patient: PatientDetails
    answers: dict[str, object]
    service: str
    days: Sequence[int]
    parts: Sequence[str]
    joined_days_ago: int
    pair_with: str | None = None
    therapist: str | None = None
    by_the_desk: bool = False


WAITING = (
    Waiting(PatientDetails("Priyanka Dhaliwal", "priyanka.dhaliwal@example.com", "825-555-0101"),
            {"concerns": ["chronic_pain", "muscle_tension"]}, "massage-60", (1, 3), ("afternoon", "evening"), 5,
            pair_with="physio-initial"),
    Waiting(PatientDetails("Tomasz Zielinski", "tomasz.zielinski@example.net", "825-555-0102"),
            {"concerns": ["injury_rehab"]}, "physio-initial", WEEKDAYS, ("morning",), 8),
    Waiting(PatientDetails("Marguerite Lapointe", None, "825-555-0103"), {"concerns": ["muscle_tension"]},
            "massage-60", (2, 5), ("morning", "afternoon", "evening"), 2, therapist="Sofia Novak", by_the_desk=True),
)


def seed(admin_email: str, now: datetime) -> str:
    """Seed the waitlist unless it has a place; what was done, in a few words."""
    if db.session.scalar(select(WaitlistEntry.id).limit(1)) is not None:
        return "already there"
    admin = find_by_email(admin_email)
    waiting = sum(_join(demo, admin, now) for demo in WAITING) + _plan_session(admin, now)
    filled, unfilled = _history(now)
    return (f"{waiting} waiting; of the last week's freed times, {filled} filled from it and {unfilled} not "
            "filled")


def _join(demo: Waiting, admin: StaffUser | None, now: datetime) -> bool:
    """Put one demo patient on the list, as they (or the desk) did some days ago; whether they joined."""
    joined_at = now - timedelta(days=demo.joined_days_ago)
    therapist_id = db.session.scalar(select(Therapist.id).where(Therapist.name == demo.therapist)) \
        if demo.therapist else None
    request = JoinRequest(screening_id=str(create_screening(demo.answers).id), service_code=demo.service,
                          pair_service_code=demo.pair_with, therapist_id=therapist_id, days=demo.days,
                          parts=demo.parts, until=_last_day(joined_at),
                          patient=demo.patient, joined_by=admin if demo.by_the_desk else None)
    return _joined(request, joined_at)


def _plan_session(admin: StaffUser | None, now: datetime) -> bool:
    """Casey Nguyen's plan session that could not be placed, put on the list by the admin; whether it joined."""
    plan = db.session.scalar(select(CarePlan).join(Patient, Patient.id == CarePlan.patient_id)
                             .options(joinedload(CarePlan.physio_service), joinedload(CarePlan.patient))
                             .where(Patient.name == PATIENT.name))
    if plan is None or plan.patient is None or admin is None:
        return False
    joined_at = now - timedelta(days=3)
    patient = plan.patient
    return _joined(JoinRequest(
        screening_id=str(plan.screening_id), service_code=plan.physio_service.code,
        therapist_id=plan.physiotherapist_id, days=WEEKDAYS, parts=("morning", "afternoon"),
        until=_last_day(joined_at), patient=PatientDetails(patient.name, patient.email, patient.phone), patient_id=patient.id,
        care_plan_id=plan.id, joined_by=admin), joined_at)


def _last_day(joined_at: datetime) -> date:
    """The last day a demo place joined at ``joined_at`` waits through: four weeks on (local)."""
    return (joined_at + WAITS).astimezone(clinic_zone()).date()


def _joined(request: JoinRequest, joined_at: datetime) -> bool:
    """Join, as at ``joined_at``; whether the place was taken (a refusal is rolled back and logged)."""
    try:
        entries.join(request, now=joined_at)
    except BookingError as exc:
        db.session.rollback()
        logger.warning("a demo waitlist place was not taken: %s", exc.message)
        return False
    return True


def _history(now: datetime) -> tuple[int, int]:
    """The last week's freed times: three completed visits claimed from the list, the two cancelled ones not
    filled; (filled, not filled)."""
    past = list(db.session.scalars(
        select(Appointment).options(joinedload(Appointment.service))
        .where(Appointment.starts_at > now - timedelta(days=7), Appointment.ends_at < now,
               Appointment.care_plan_id.is_(None))
        .where(Appointment.status.in_([AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED]))
        .order_by(Appointment.starts_at, Appointment.therapist_id)))
    cancelled = [visit for visit in past if visit.status == AppointmentStatus.CANCELLED]
    chosen = _claimed_visits([visit for visit in past if visit.status == AppointmentStatus.COMPLETED], cancelled)
    claimed = [entry for visit, (lead, minutes) in zip(chosen, FILLED, strict=False)
               if (entry := _filled(visit, lead, minutes)) is not None]
    for visit in cancelled:
        _unfilled(visit, claimed)
    db.session.commit()
    return len(claimed), len(cancelled)


def _claimed_visits(completed: list[Appointment], cancelled: list[Appointment]) -> list[Appointment]:
    """The completed visits claimed from the list, earliest first: for each cancelled visit, the first of its
    therapy freed after that cancellation's offer was over (its patient, waiting then, let that offer expire and
    claimed this time later), then others spread over the week."""
    latest_freeing = max(lead for lead, _ in FILLED)
    chosen: list[Appointment] = []
    for gone in cancelled:
        freed_at = gone.cancelled_at or gone.starts_at
        later = (visit for visit in completed if visit not in chosen
                 and visit.service.therapy_type == gone.service.therapy_type
                 and visit.starts_at - latest_freeing > freed_at + timedelta(hours=1))
        found = next(later, None)
        if found is not None:
            chosen.append(found)
    spread = completed[::max(1, len(completed) // len(FILLED))]
    chosen.extend(visit for visit in spread if visit not in chosen)
    return sorted(chosen[:len(FILLED)], key=lambda visit: visit.starts_at)


def _opening(visit: Appointment, key: str, freed_at: datetime, status: OpeningStatus, closed_at: datetime,
             filled_by: WaitlistEntry | None = None) -> WaitlistOpening:
    """The visit's time, freed at ``freed_at`` by a cancellation, and what became of it."""
    opening = WaitlistOpening(key=key, therapist_id=visit.therapist_id, starts_at=visit.starts_at,
                              ends_at=visit.ends_at, cause=OpeningCause.CANCELLATION, status=status,
                              created_at=freed_at, relayed_at=freed_at, closed_at=closed_at, filled_entry=filled_by)
    db.session.add(opening)
    return opening


def _window(visit: Appointment, freed_at: datetime) -> timedelta | None:
    """How long an offer of the visit's time, made a minute after it was freed, was held (None: too close to
    offer)."""
    settings = clinic_settings()
    return claim_window(freed_at + OFFERED_AFTER, visit.starts_at, timedelta(minutes=settings.min_notice_minutes),
                        timedelta(minutes=settings.waitlist_claim_minutes))


def _offer(opening: WaitlistOpening, entry: WaitlistEntry, window: timedelta, status: OfferStatus,
           answered_at: datetime, appointment: Appointment | None = None) -> WaitlistOffer:
    """The opening's offer to the entry, a minute after the time was freed, held for ``window``."""
    offered_at = opening.created_at + OFFERED_AFTER
    offer = WaitlistOffer(id=uuid.uuid4(), opening=opening, entry=entry, service=entry.service,
                          offered_at=offered_at, expires_at=offered_at + window, status=status,
                          answered_at=answered_at, appointment=appointment)
    offer.token_hash = token_hash(links.offer_token(offer))
    db.session.add(offer)
    return offer


def _filled(visit: Appointment, lead: timedelta, minutes: int) -> WaitlistEntry | None:
    """The visit's patient waited for it: the time was freed ``lead`` before it and claimed ``minutes`` after it
    was offered; the visit was booked by that claim. The patient's place, booked (None: the clinic's settings
    would not have offered the time that late, or held it that long)."""
    freed_at = visit.starts_at - lead
    window = _window(visit, freed_at)
    if window is None or window <= timedelta(minutes=minutes):
        return None
    claimed_at = freed_at + OFFERED_AFTER + timedelta(minutes=minutes)
    entry = WaitlistEntry(link_id=uuid.uuid4(), patient_id=visit.patient_id, screening_id=visit.screening_id,
                          service=visit.service, days=list(EVERY_DAY), parts=["morning", "afternoon", "evening"],
                          until=freed_at + WAITS, joined_at=freed_at - timedelta(days=10),
                          status=EntryStatus.BOOKED, ended_at=claimed_at, appointment_id=visit.id)
    entry.token_hash = token_hash(links.entry_token(entry))
    opening = _opening(visit, f"demo-filled:{visit.id}", freed_at, OpeningStatus.FILLED, claimed_at, entry)
    _offer(opening, entry, window, OfferStatus.CLAIMED, claimed_at, visit)
    visit.created_at = claimed_at
    return entry


def _unfilled(visit: Appointment, booked: list[WaitlistEntry]) -> None:
    """The cancelled visit's time, offered to a place of its therapy still waiting then, which let it expire;
    nobody else fitted (or it came too close to offer)."""
    freed_at = visit.cancelled_at or visit.starts_at
    opening = _opening(visit, f"cancellation:{visit.id}:v{visit.sequence}", freed_at, OpeningStatus.UNFILLED,
                       freed_at + OFFERED_AFTER)
    waiting = next((entry for entry in booked if entry.service.therapy_type == visit.service.therapy_type
                    and entry.ended_at is not None and entry.joined_at < freed_at < entry.ended_at), None)
    window = _window(visit, freed_at)
    if waiting is not None and window is not None:
        offer = _offer(opening, waiting, window, OfferStatus.EXPIRED, freed_at + OFFERED_AFTER + window)
        opening.closed_at = offer.expires_at
