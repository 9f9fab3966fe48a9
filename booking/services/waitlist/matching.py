"""Who an opening may be offered to: the waiting entries the pure rules rank (``booking.waitlist``), each then
checked against the live calendars with the slot search's own rules (``availability``).

The rules decide who fits and in what order; the calendars decide whether the time still holds the entry's
visit (its service's length, the therapist's training for the entry's cautions, a visit booked meanwhile) and,
for a pair, which physiotherapist is free exactly when the massage ends.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased, joinedload

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
LOAD_BATCH = 20  # entries loaded at a time, in the rules' order


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
    return _rule(entry.id, entry.service.code, entry.service.therapy_type, entry.days, entry.parts, entry.until,
                 entry.joined_at, entry.therapist_id, entry.care_plan_id,
                 entry.pair_service.code if entry.pair_service is not None else None)


def _rule(entry_id: int, service_code: str, therapy_type: str, days: list[int], parts: list[str], until: datetime,
          joined_at: datetime, therapist_id: int | None, care_plan_id: int | None,
          pair_code: str | None) -> WaitingEntry:
    """A waiting entry as the pure rules see it, from its columns (an entry, or one row of ``_waiting_rows``)."""
    return WaitingEntry(id=entry_id, service_code=service_code, therapy_type=therapy_type, days=frozenset(days),
                        parts=frozenset(PARTS[name] for name in parts), until=until, joined_at=joined_at,
                        therapist_id=therapist_id, plan_session=care_plan_id is not None, pair_with=pair_code)


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
    patient at once), fitting by the rules, and still bookable.

    Only the columns the rules read are fetched for every waiting entry; the entries themselves are loaded a few
    at a time in the rules' order, and the calendars asked once per service and cautions (``_Calendar``)."""
    rows = _waiting_rows(opening, now)
    if not rows:
        return
    shape = rule_opening(opening.therapist_id, opening.therapist.therapy_type, opening.starts_at, opening.ends_at)
    order = [waiting.id for waiting in ranked((_rule(*row) for row in rows), shape, now, minimum_notice(),
                                              limit=len(rows))]
    calendar = _Calendar(opening, now)
    for first in range(0, len(order), LOAD_BATCH):
        batch = order[first:first + LOAD_BATCH]
        loaded = {entry.id: entry for entry in db.session.scalars(
            select(WaitlistEntry).where(WaitlistEntry.id.in_(batch))
            .options(joinedload(WaitlistEntry.service), joinedload(WaitlistEntry.pair_service),
                     joinedload(WaitlistEntry.screening), joinedload(WaitlistEntry.patient)))}
        for entry_id in batch:
            entry = loaded[entry_id]
            if calendar.holds(entry):
                pair_therapist_id = calendar.pair_therapist(entry)
                if entry.pair_service is None or pair_therapist_id is not None:
                    yield Bookable(entry, pair_therapist_id)


def _waiting_rows(opening: WaitlistOpening, now: datetime) -> Sequence[Any]:
    """The rules' columns (``_rule``'s arguments) of the entries ``candidates`` considers, before the rules."""
    pair = aliased(Service)
    offered = exists().where(WaitlistOffer.entry_id == WaitlistEntry.id, or_(
        WaitlistOffer.opening_id == opening.id,
        and_(WaitlistOffer.status == OfferStatus.OFFERED, WaitlistOffer.expires_at > now)))
    return db.session.execute(
        select(WaitlistEntry.id, Service.code, Service.therapy_type, WaitlistEntry.days, WaitlistEntry.parts,
               WaitlistEntry.until, WaitlistEntry.joined_at, WaitlistEntry.therapist_id, WaitlistEntry.care_plan_id,
               pair.code)
        .join(Service, Service.id == WaitlistEntry.service_id)
        .outerjoin(pair, pair.id == WaitlistEntry.pair_service_id)
        .where(WaitlistEntry.status == EntryStatus.WAITING, WaitlistEntry.until > now,
               Service.therapy_type == opening.therapist.therapy_type, ~offered,
               or_(WaitlistEntry.therapist_id.is_(None), WaitlistEntry.therapist_id == opening.therapist_id))).all()


class _Calendar:
    """The opening's calendar answers for ``candidates``: whether it holds an entry's visit, and a pair's
    physiotherapist. Each depends only on the service(s) and the screening's cautions, so each is asked once."""

    def __init__(self, opening: WaitlistOpening, now: datetime) -> None:
        self.opening, self.now = opening, now
        self.held: dict[tuple[int, tuple[str, ...]], bool] = {}
        self.pairs: dict[tuple[int, int | None, tuple[str, ...]], int | None] = {}

    def holds(self, entry: WaitlistEntry) -> bool:
        """Whether the opening's therapist can take the entry's (first) visit at its start now."""
        key = (entry.service_id, tuple(sorted(entry.screening.caution_codes)))
        if key not in self.held:
            self.held[key] = why_not(entry, self.opening.therapist_id, self.opening.starts_at, self.now) is None
        return self.held[key]

    def pair_therapist(self, entry: WaitlistEntry) -> int | None:
        """A pair's physiotherapist (``pair_therapist``); None for a single visit."""
        key = (entry.service_id, entry.pair_service_id, tuple(sorted(entry.screening.caution_codes)))
        if key not in self.pairs:
            self.pairs[key] = pair_therapist(entry, self.opening.starts_at, self.now)
        return self.pairs[key]


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
