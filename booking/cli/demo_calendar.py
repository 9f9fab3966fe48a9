"""The demo clinic's calendar: the last week and the coming two filled as a busy clinic's are.

Around the demo's other visits (its named patients', its pairs, its care plan's), each
therapist's days are filled with visits of varied services and lengths, a free gap now and
then: some 60 % of their working time. On each day to come the end of the day is
kept open for a pair and for an hour-long visit with each therapist working (what the booking
pages and their tests need to find, whatever day they choose). The times are the clinic's open
times, found by the slot rules (``booking.scheduling.open_slots``) over the calendars the
booking service reads (working hours, time off, visits already booked, opening hours, closed
days), as if the visits had been booked the day before the last week began; a therapist's
visits are laid one after the other, never before the end of the previous one and its
buffer, so none overlaps another. Of the last week's visits most were completed, some were
missed, two were cancelled; those still to come are booked. A follow-up's patient is often
one the therapist saw a week before.

These visits are inserted in bulk, with their patients and screenings, in one transaction:
the booking service takes about 10 ms a visit (its checks, its locks, a commit each), some
7 s for the seven hundred here, and would write every visit's confirmation, therapist notice
and reminders for the worker to send at once, though these visits were booked long ago. The
database still refuses any overlap (its no-overlap constraint or triggers check every row).
Filled once: the calendar is kept when its first patient has a visit.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from itertools import islice

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from booking import scheduling
from booking.cli.demo_people import ANSWERS, Person, has_visit, people
from booking.clinic.times import clinic_zone, local_midnight
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Patient, Screening, Service, StaffUser, Therapist
from booking.routing import Recommendation, normalise_answers, recommend
from booking.scheduling import Interval, Slot, SlotRules, TherapistCalendar, qualifications
from booking.services import audit
from booking.services.visits import PatientDetails
from booking.services.visits.availability import slot_rules
from booking.services.visits.calendars import load_calendars, window
from booking.services.visits.patients import check_patient
from booking.services.visits.tokens import derive_manage_token, token_hash

PAST_DAYS, COMING_DAYS = 7, 14
FILL_SEED = 16
GAP_CHANCE = 0.15  # how often a free gap comes before a visit
GAP_MINUTES = (15, 30, 30, 45, 60, 90, 120)
RETURN_CHANCE = 0.5  # how often a follow-up's patient is one the therapist saw a week before
NO_SHOW_CHANCE = 0.06
# The services of each kind of visit, with how often each is booked; a first visit always has a new patient.
MIX: Mapping[str, tuple[tuple[str, int], ...]] = {
    "physiotherapy": (("physio-initial", 3), ("physio-follow-up-30", 4), ("physio-follow-up-45", 3)),
    "massage": (("massage-30", 1), ("massage-60", 5), ("massage-90", 3)),
}
FIRST_VISITS = frozenset({"physio-initial"})
# The pair a time is kept open for on each day to come (a massage, then a physiotherapy visit), so that a pair
# can still be booked on any of them, and so can either visit with any therapist of its kind working that day.
PAIR_KEPT_OPEN = ("massage-60", "physio-initial")
# The last week's two cancellations: the reason, and how long before the visit the patient called.
CANCELLATIONS = (("Called in sick this morning", timedelta(hours=3)),
                 ("Cannot get away from work that day", timedelta(hours=30)))


@dataclass
class Filled:
    """What filling the calendar did: the visits to come, and the last week's by status."""

    coming: int = 0
    past: dict[str, int] = field(default_factory=lambda: {status: 0 for status in AppointmentStatus})

    def line(self) -> str:
        """The seed report's line."""
        past = self.past
        return (f"{self.coming} visits in the coming two weeks; {sum(past.values())} in the last one "
                f"({past['completed']} completed, {past['no_show']} no-shows, {past['cancelled']} cancelled)")


@dataclass(frozen=True)
class Planned:
    """A visit the fill books: a therapist's service at a time, for the ``person``-th demo patient."""

    therapist: Therapist
    service: Service
    starts_at: datetime
    person: int


def services_by_code() -> dict[str, Service]:
    """The services by code."""
    return {service.code: service for service in db.session.scalars(select(Service))}


def fill(now: datetime, therapists: Collection[str], taken_names: frozenset[str]) -> Filled | None:
    """Fill the last week and the coming two of the therapists named, unless done before (None); the patients
    named in ``taken_names`` are the demo's others."""
    patients = people(taken_names)
    first = next(patients)
    if has_visit(first.email):
        return None
    today = now.astimezone(clinic_zone()).date()
    days = [today + timedelta(days=offset) for offset in range(-PAST_DAYS, COMING_DAYS)]
    booked_at = local_midnight(days[0]) - timedelta(days=1)
    planned = _plan(therapists, days, booked_at, random.Random(FILL_SEED))
    count = 1 + max((visit.person for visit in planned), default=0)
    return _store(planned, [first, *islice(patients, count - 1)], now, booked_at)


def _plan(names: Collection[str], days: list[date], booked_at: datetime, chooser: random.Random) -> list[Planned]:
    """The visits of the therapists named over these days, in order of therapist and time, with their patients."""
    rules, services = slot_rules(), services_by_code()
    therapists = {therapist.id: therapist for therapist in db.session.scalars(
        select(Therapist).where(Therapist.active, Therapist.name.in_(names))
        .options(joinedload(Therapist.trained))).unique()}
    calendars = {therapy_type: [calendar for calendar in load_calendars(therapy_type, window(
        _longest([services[code] for code, _ in mix]), days[0], days[-1])) if calendar.therapist_id in therapists]
        for therapy_type, mix in MIX.items()}
    timing = Timing(days, booked_at, rules)
    kept = _kept_open(calendars, services, timing)
    planned: list[Planned] = []
    people_seen = 0
    for therapy_type, mix in MIX.items():
        kinds = [services[code] for code, _ in mix]
        for calendar in calendars[therapy_type]:
            calendar = replace(calendar, time_off=[*calendar.time_off, *kept[calendar.therapist_id]])
            seen: dict[date, list[int]] = defaultdict(list)
            for service, starts_at in _lay_out(calendar, kinds, [weight for _, weight in mix], timing, chooser):
                day = starts_at.astimezone(clinic_zone()).date()
                returning = seen[day - timedelta(days=7)]
                if service.code not in FIRST_VISITS and returning and chooser.random() < RETURN_CHANCE:
                    person = returning.pop(0)
                else:
                    person, people_seen = people_seen, people_seen + 1
                seen[day].append(person)
                planned.append(Planned(therapists[calendar.therapist_id], service, starts_at, person))
    return planned


def _longest(kinds: list[Service]) -> Service:
    """The service that takes a therapist's time longest, its buffer included."""
    return max(kinds, key=lambda service: service.duration + service.buffer)


@dataclass(frozen=True)
class Timing:
    """The local days filled, when their visits were booked, and the clinic's slot rules."""

    days: list[date]
    booked_at: datetime
    rules: SlotRules

    def open_starts(self, calendar: TherapistCalendar, service: Service) -> list[Slot]:
        """The calendar's open times for the service over the days, as they were when the visits were booked."""
        return scheduling.open_slots(calendar, duration=service.duration, buffer=service.buffer,
                                     date_from=self.days[0], date_to=self.days[-1], now=self.booked_at,
                                     tz=clinic_zone(), rules=self.rules)


def _kept_open(calendars: dict[str, list[TherapistCalendar]], services: dict[str, Service],
               timing: Timing) -> dict[int, list[Interval]]:
    """The time kept open on each day to come, by therapist, the latest that day: the last pair time (a massage
    therapist's hour-long massage and a physiotherapist's assessment right after it), and for every other
    therapist working that day, a time for their kind's visit of the pair. Kept at the end of the day, the open
    time cuts no day in two."""
    zone, today = clinic_zone(), timing.days[PAST_DAYS]
    massage, physio = services[PAIR_KEPT_OPEN[0]], services[PAIR_KEPT_OPEN[1]]
    kept: dict[int, list[Interval]] = defaultdict(list)
    keeping: set[tuple[int, date]] = set()

    def keep(slot: Slot, service: Service) -> None:
        kept[slot.therapist_id].append(Interval(slot.starts_at, slot.ends_at + service.buffer))
        keeping.add((slot.therapist_id, slot.starts_at.astimezone(zone).date()))

    for day, (first, second) in _last_pairs(calendars, massage, physio, timing).items():
        if day > today:
            keep(first, massage)
            keep(second, physio)
    for service in (massage, physio):
        for calendar in calendars[service.therapy_type]:
            last: dict[date, Slot] = {slot.starts_at.astimezone(zone).date(): slot
                                      for slot in timing.open_starts(calendar, service)}  # the day's last wins
            for day, slot in last.items():
                if day > today and (calendar.therapist_id, day) not in keeping:
                    keep(slot, service)
    return kept


def _last_pairs(calendars: dict[str, list[TherapistCalendar]], first: Service, second: Service,
                timing: Timing) -> dict[date, tuple[Slot, Slot]]:
    """Each day's last pair time: a time of ``first`` and one of ``second`` starting as it ends, by day."""
    zone = clinic_zone()
    last: dict[date, tuple[Slot, Slot]] = {}
    for first_calendar in calendars[first.therapy_type]:
        firsts = timing.open_starts(first_calendar, first)
        for second_calendar in calendars[second.therapy_type]:
            for pair in scheduling.back_to_back(firsts, timing.open_starts(second_calendar, second), zone):
                day = pair[0].starts_at.astimezone(zone).date()
                if day not in last or pair[0].starts_at > last[day][0].starts_at:
                    last[day] = pair
    return last


def _lay_out(calendar: TherapistCalendar, kinds: list[Service], weights: list[int], timing: Timing,
             chooser: random.Random) -> list[tuple[Service, datetime]]:
    """One therapist's visits, day by day: each at the first open time of its service after the previous one
    (and its buffer) and a gap now and then; when the service drawn fits nowhere later that day, the shortest
    may still, and the day is full once it does not."""
    starts = {service.code: [slot.starts_at for slot in timing.open_starts(calendar, service)] for service in kinds}
    shortest = min(kinds, key=lambda service: service.duration + service.buffer)
    laid: list[tuple[Service, datetime]] = []
    for day in timing.days:
        cursor, day_ends = local_midnight(day), local_midnight(day + timedelta(days=1))
        while True:
            if chooser.random() < GAP_CHANCE:
                cursor += timedelta(minutes=chooser.choice(GAP_MINUTES))
            service = chooser.choices(kinds, weights)[0]
            start = _first_from(starts[service.code], cursor, day_ends)
            if start is None:
                service, start = shortest, _first_from(starts[shortest.code], cursor, day_ends)
            if start is None:
                break
            laid.append((service, start))
            cursor = start + service.duration + service.buffer
    return laid


def _first_from(starts: Sequence[datetime], cursor: datetime, before: datetime) -> datetime | None:
    """The first of the sorted ``starts`` at or after ``cursor`` and before ``before``, if any."""
    at = bisect_left(starts, cursor)
    return starts[at] if at < len(starts) and starts[at] < before else None


def _store(planned: list[Planned], persons: list[Person], now: datetime, booked_at: datetime) -> Filled:
    """Insert the visits with their patients and screenings, the past ones marked, in one transaction: three
    multi-row INSERTs (and the outcomes' audit rows)."""
    chooser = random.Random(FILL_SEED)
    logins = {user.therapist_id: user for user in db.session.scalars(
        select(StaffUser).where(StaffUser.therapist_id.is_not(None)))}
    patient_ids = db.session.scalars(insert(Patient).returning(Patient.id, sort_by_parameter_order=True), [
        {**asdict(_checked(person)), "created_at": booked_at} for person in persons]).all()
    answered: dict[int, int] = {}  # each patient's answers: their place in ANSWERS of their visits' kind
    screenings, appointments = [], []
    filled = Filled()
    for visit, (status, cancellation) in zip(planned, _outcomes(planned, now, booked_at, chooser), strict=True):
        if visit.person not in answered:
            answered[visit.person] = _answers(visit.therapist, chooser)
        screening_id = uuid.uuid4()
        screenings.append(_screening(screening_id, visit.therapist.therapy_type, answered[visit.person], booked_at))
        appointment = _appointment(visit, patient_ids[visit.person], screening_id, status, booked_at)
        if cancellation is not None:
            appointment["cancellation_reason"], ahead = cancellation
            appointment["cancelled_at"] = visit.starts_at - ahead
        elif status != AppointmentStatus.BOOKED and visit.therapist.id in logins:
            audit.record("changed", "appointment", appointment["id"], f"status: {status}",
                         actor=logins[visit.therapist.id], at=visit.starts_at + visit.service.duration)
        appointments.append(appointment)
        if status == AppointmentStatus.BOOKED:
            filled.coming += 1
        else:
            filled.past[status] += 1
    db.session.execute(insert(Screening), screenings)
    db.session.execute(insert(Appointment), appointments)
    db.session.commit()
    return filled


def _outcomes(planned: list[Planned], now: datetime, booked_at: datetime,
              chooser: random.Random) -> list[tuple[AppointmentStatus, tuple[str, timedelta] | None]]:
    """Each visit's status, and for a cancelled one its cancellation: a visit not over is booked; of those over,
    two were cancelled (after the week's first two days), a few missed and the rest completed."""
    over = [number for number, visit in enumerate(planned) if visit.starts_at + visit.service.duration <= now]
    called = [number for number in over if planned[number].starts_at > booked_at + timedelta(days=2)]
    cancelled = dict(zip(chooser.sample(called, min(len(called), len(CANCELLATIONS))), CANCELLATIONS, strict=False))
    outcomes: list[tuple[AppointmentStatus, tuple[str, timedelta] | None]] = [
        (AppointmentStatus.BOOKED, None)] * len(planned)
    for number in over:
        missed = chooser.random() < NO_SHOW_CHANCE
        outcomes[number] = (AppointmentStatus.NO_SHOW if missed else AppointmentStatus.COMPLETED, None)
    for number, cancellation in cancelled.items():
        outcomes[number] = (AppointmentStatus.CANCELLED, cancellation)
    return outcomes


def _checked(person: Person) -> PatientDetails:
    """The person's details as a booking by the front desk stores them (the phone in E.164 form), checked alike."""
    errors: dict[str, str] = {}
    details = check_patient(PatientDetails(person.name, person.email, person.phone), True, errors)
    if errors:
        raise ValueError(f"demo patient {person.name}: {errors}")
    return details


@cache
def _recommended(kind: str, number: int) -> tuple[dict[str, object], Recommendation]:
    """The answers of ANSWERS[kind][number], as a screening stores them, and their recommendation."""
    kept = normalise_answers(ANSWERS[kind][number][0])
    return kept, recommend(kept)


def _answers(therapist: Therapist, chooser: random.Random) -> int:
    """What a new patient of this therapist answered (their place in ANSWERS), drawn by weight among the answers
    whose cautions the therapist may treat."""
    kind = therapist.therapy_type
    allowed = [number for number in range(len(ANSWERS[kind])) if qualifications.trained(
        kind, [caution.code for caution in _recommended(kind, number)[1].cautions], therapist.qualifications)]
    return chooser.choices(allowed, [ANSWERS[kind][number][1] for number in allowed])[0]


def _screening(screening_id: uuid.UUID, kind: str, number: int, at: datetime) -> dict[str, object]:
    """The row of a screening of the answers ANSWERS[kind][number], as ``create_screening`` stores it."""
    kept, recommendation = _recommended(kind, number)
    return {"id": screening_id, "answers": kept, "recommendation": dict(recommendation.to_dict()),
            "pathway": recommendation.pathway, "urgency": recommendation.urgency,
            "rules_version": recommendation.rules_version, "created_at": at}


def _appointment(visit: Planned, patient_id: int, screening_id: uuid.UUID, status: AppointmentStatus,
                 booked_at: datetime) -> dict[str, object]:
    """The visit's row; a marked or cancelled one has changed once since it was booked."""
    appointment_id = uuid.uuid4()
    ends_at = visit.starts_at + visit.service.duration
    return {"id": appointment_id, "patient_id": patient_id, "therapist_id": visit.therapist.id,
            "service_id": visit.service.id, "screening_id": screening_id, "starts_at": visit.starts_at,
            "ends_at": ends_at, "blocked_until": ends_at + visit.service.buffer, "status": status,
            "sequence": 0 if status == AppointmentStatus.BOOKED else 1, "created_at": booked_at,
            "manage_token_hash": token_hash(derive_manage_token(appointment_id))}
