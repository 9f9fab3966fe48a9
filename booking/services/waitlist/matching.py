"""Who an opening may be offered to: the waiting entries the pure rules rank (``booking.waitlist``), each then
checked against the live calendars with the slot search's own rules (``availability``).

The rules decide who fits and in what order; the calendars decide whether the time still holds the entry's
visit (its service's length, the therapist's training for the entry's cautions, a visit booked meanwhile) and,
for a pair, which physiotherapist is free exactly when the massage ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload

from booking.clinic.settings import clinic_settings
from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    EntryStatus,
    OfferStatus,
    Service,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistOpening,
)
from booking.scheduling import WhyNot
from booking.services.visits.availability import calendars_on_day, choose_therapist, why_not_open
from booking.waitlist import PARTS_OF_DAY, Opening, WaitingEntry, fits, ranked

PARTS = {part.name: part for part in PARTS_OF_DAY}


@dataclass(frozen=True)
class Bookable:
    """An entry's visit the opening still holds: a pair's physiotherapist too (None for one visit)."""

    entry: WaitlistEntry
    pair_therapist_id: int | None


def minimum_notice() -> timedelta:
    """The clinic's minimum notice: no time starting sooner is offered."""
    return timedelta(minutes=clinic_settings().min_notice_minutes)


def rule_entry(entry: WaitlistEntry) -> WaitingEntry:
    """The entry as the pure rules see it."""
    return WaitingEntry(id=entry.id, service_code=entry.service.code, therapy_type=entry.service.therapy_type,
                        days=frozenset(entry.days), parts=frozenset(PARTS[name] for name in entry.parts),
                        until=entry.until, joined_at=entry.joined_at, therapist_id=entry.therapist_id,
                        plan_session=entry.care_plan_id is not None,
                        pair_with=entry.pair_service.code if entry.pair_service is not None else None)


def rule_opening(therapist_id: int, therapy_type: str, starts_at: datetime, ends_at: datetime) -> Opening:
    """A freed time as the pure rules see it: it may hold any service (the calendars then say which it does)."""
    codes = db.session.scalars(select(Service.code).where(Service.active))
    return Opening(therapist_id=therapist_id, therapy_type=therapy_type, starts_at=starts_at, ends_at=ends_at,
                   zone=clinic_zone(), services=frozenset(codes))


def suits(entry: WaitlistEntry, opening: Opening, now: datetime) -> bool:
    """Whether the entry's days, parts of the day, therapist and until suit the time, outside the minimum notice."""
    return fits(rule_entry(entry), opening, now, minimum_notice())


def candidates(opening: WaitlistOpening, now: datetime) -> Iterator[Bookable]:
    """The entries the opening may be offered to now, best first: waiting (by email, or without one by the desk's
    call: ``calls``), never offered this opening before and holding no other live offer (one time held for a
    patient at once), fitting by the rules, and still bookable."""
    offered = exists().where(WaitlistOffer.entry_id == WaitlistEntry.id, or_(
        WaitlistOffer.opening_id == opening.id,
        and_(WaitlistOffer.status == OfferStatus.OFFERED, WaitlistOffer.expires_at > now)))
    rows = {entry.id: entry for entry in db.session.scalars(
        select(WaitlistEntry).join(Service, Service.id == WaitlistEntry.service_id)
        .options(joinedload(WaitlistEntry.service), joinedload(WaitlistEntry.pair_service),
                 joinedload(WaitlistEntry.patient))
        .where(WaitlistEntry.status == EntryStatus.WAITING, WaitlistEntry.until > now,
               Service.therapy_type == opening.therapist.therapy_type, ~offered,
               or_(WaitlistEntry.therapist_id.is_(None), WaitlistEntry.therapist_id == opening.therapist_id)))}
    if not rows:
        return
    shape = rule_opening(opening.therapist_id, opening.therapist.therapy_type, opening.starts_at, opening.ends_at)
    for waiting in ranked(map(rule_entry, rows.values()), shape, now, minimum_notice(), limit=len(rows)):
        entry = rows[waiting.id]
        if why_not(entry, opening.therapist_id, opening.starts_at, now) is None:
            pair_therapist_id = pair_therapist(entry, opening.starts_at, now)
            if entry.pair_service is None or pair_therapist_id is not None:
                yield Bookable(entry, pair_therapist_id)


def why_not(entry: WaitlistEntry, therapist_id: int, starts_at: datetime, now: datetime) -> WhyNot | None:
    """Why the therapist's calendar cannot take the entry's visit at ``starts_at`` now; None when it can."""
    return why_not_open(entry.service, starts_at, therapist_id=therapist_id, cautions=entry.screening.caution_codes,
                        now=now)


def pair_therapist(entry: WaitlistEntry, starts_at: datetime, now: datetime) -> int | None:
    """For a pair: the first available physiotherapist (trained for the entry's cautions) free exactly when the
    massage starting at ``starts_at`` ends; None for a single visit or when nobody is."""
    second = entry.pair_service
    if second is None:
        return None
    second_start = starts_at + entry.service.duration
    calendars = calendars_on_day(second, second_start, therapist_id=None, cautions=entry.screening.caution_codes)
    return choose_therapist(calendars, second, second_start, first_available=True, now=now)


def booked_meanwhile(opening: WaitlistOpening) -> bool:
    """Whether a visit was booked over the opening's time since it opened (not through the waitlist)."""
    return db.session.scalar(select(exists().where(and_(
        Appointment.therapist_id == opening.therapist_id, Appointment.status == AppointmentStatus.BOOKED,
        Appointment.starts_at < opening.ends_at, Appointment.blocked_until > opening.starts_at)))) or False
