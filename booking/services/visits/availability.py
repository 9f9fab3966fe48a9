"""Open times from the database: load therapists' calendars in one query and ask booking.scheduling.

A search loads, for the therapists concerned, only what touches the local days
searched, in one query whatever the number of therapists or appointments:
the therapists with their weekly hours valid on those days, their bookings
(buffer included, cancelled ones left out) and their time off overlapping them.
Columns are selected rather than whole ORM objects.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from booking import scheduling
from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings, closed_days, opening_hours
from booking.clinic.times import clinic_zone, local_midnight
from booking.database import storable_id
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    Service,
    Therapist,
    TherapistQualification,
    TimeOff,
    WorkingHours,
)
from booking.models.base import UTCDateTime
from booking.scheduling import Interval, Slot, SlotRules, SlotSearchError, TherapistCalendar, qualifications
from booking.services.therapists.training import training_needed

# No visit plus its buffer lasts a day: bookings starting earlier than this before
# a search cannot reach into it, which lets the (therapist_id, starts_at) index
# bound the scan of past appointments from below.
LONGEST_BLOCK = timedelta(days=1)
NOBODY = uuid.UUID(int=0)  # the appointment id excluded when none is (uuid4 never makes it)
SHIFT, BOOKED, AWAY = "shift", "booked", "away"  # the kinds of a calendar's rows (see _calendars_query)


@dataclass(frozen=True)
class Window:
    """The local days a calendar is loaded for, and the UTC span [start, end) that matters."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime


def slot_rules() -> SlotRules:
    """The clinic's booking rules: the grid and horizon from the configuration, the rest from its settings
    (the opening hours and the days it is closed)."""
    config, settings = current_app.config, clinic_settings()
    return SlotRules(grid_minutes=config["SLOT_GRID_MINUTES"],
                     min_notice=timedelta(minutes=settings.min_notice_minutes),
                     horizon_days=config["BOOKING_HORIZON_DAYS"], opening_hours=opening_hours(),
                     closed_days=closed_days())


def bookable_days(now: datetime) -> tuple[date, date]:
    """The first and last local days on which a visit can be booked now."""
    zone = clinic_zone()
    return now.astimezone(zone).date(), slot_rules().latest(now).astimezone(zone).date()


def window(service: Service, first_day: date, last_day: date) -> Window:
    """The span a search over these local days needs: their UTC extent plus one visit's reach."""
    start, end = local_midnight(first_day), local_midnight(last_day + timedelta(days=1))
    return Window(first_day, last_day, start, end + service.duration + service.buffer)


def trained_in(needs: Collection[str] | BindParameter[Any], count: int | BindParameter[Any]) -> ColumnElement[bool]:
    """Therapists trained in every one of ``needs`` (``count`` of them): the qualified ones."""
    return Therapist.id.in_(select(TherapistQualification.therapist_id)
                            .where(TherapistQualification.code.in_(needs))
                            .group_by(TherapistQualification.therapist_id)
                            .having(func.count() == count))


def load_calendars(therapy_type: str, span: Window, *, therapist_id: int | None = None,
                   exclude: uuid.UUID | None = None, cautions: Collection[str] = ()) -> list[TherapistCalendar]:
    """Calendars of the active therapists of a type (or only the one given), in one query.

    ``exclude`` leaves one appointment out of the bookings (a visit being moved). Only
    therapists trained for the screening's ``cautions`` are loaded (booking.scheduling.qualifications):
    a pregnant patient's massage is offered only with a therapist trained in prenatal massage.
    """
    if therapist_id is not None and not storable_id(therapist_id):
        return []
    needs = qualifications.needed(therapy_type, cautions)
    hours: dict[int, list[scheduling.WorkingHours]] = {}
    blocked: dict[str, dict[int, list[Interval]]] = {BOOKED: defaultdict(list), AWAY: defaultdict(list)}
    for row in db.session.execute(_calendars_query(therapist_id is not None, bool(needs)), {
            "therapy_type": therapy_type, "therapist_id": therapist_id, "needs": sorted(needs),
            "need_count": len(needs), "first_day": span.first_day, "last_day": span.last_day,
            "start": span.start, "end": span.end, "lookback": span.start - LONGEST_BLOCK,
            "exclude": exclude or NOBODY}):
        if row.kind != SHIFT:
            blocked[row.kind][row.therapist_id].append(Interval(row.starts_at, row.ends_at))
            continue
        shifts = hours.setdefault(row.therapist_id, [])
        if row.weekday is not None:
            shifts.append(scheduling.WorkingHours(row.weekday, row.start_time, row.end_time,
                                                  row.valid_from, row.valid_to))
    return [TherapistCalendar(therapist, hours[therapist], blocked[AWAY].get(therapist, ()),
                              blocked[BOOKED].get(therapist, ())) for therapist in sorted(hours)]


@cache
def _calendars_query(one_therapist: bool, trained: bool) -> CompoundSelect:
    """The therapists' calendars over the span as rows of three kinds (``kind``), all in one round trip.

    The therapists are the active ones of a type (or the one asked for; ``trained``: only those trained
    in every qualification of the ``needs`` parameter). Each has at least one SHIFT row (its shifts valid
    on the days, or one with no weekday when it has none), then BOOKED and AWAY rows: its booked time
    (buffer included, cancelled visits left out) and its time off in the span [start, end).
    """
    chosen = select(Therapist.id).where(Therapist.active, Therapist.therapy_type == bindparam("therapy_type"))
    if trained:
        chosen = chosen.where(trained_in(bindparam("needs", expanding=True), bindparam("need_count")))
    if one_therapist:
        chosen = chosen.where(Therapist.id == bindparam("therapist_id"))
    therapists = chosen.cte("chosen")
    valid = and_(WorkingHours.therapist_id == therapists.c.id,
                 or_(WorkingHours.valid_from.is_(None), WorkingHours.valid_from <= bindparam("last_day")),
                 or_(WorkingHours.valid_to.is_(None), WorkingHours.valid_to >= bindparam("first_day")))
    # The first select names the columns and gives each its type (the others' NULLs take it).
    shifts = (select(therapists.c.id.label("therapist_id"), _kind(SHIFT), WorkingHours.weekday,
                     WorkingHours.start_time, WorkingHours.end_time, WorkingHours.valid_from, WorkingHours.valid_to,
                     type_coerce(null(), UTCDateTime()).label("starts_at"),
                     type_coerce(null(), UTCDateTime()).label("ends_at"))
              .select_from(therapists.outerjoin(WorkingHours, valid)))
    ids = select(therapists.c.id)
    time_off = (select(TimeOff.therapist_id, _kind(AWAY), *_nulls(5), TimeOff.starts_at, TimeOff.ends_at)
                .where(TimeOff.therapist_id.in_(ids), TimeOff.starts_at < bindparam("end"),
                       TimeOff.ends_at > bindparam("start")))
    return union_all(shifts, _booked(ids), time_off)


def _kind(kind: str) -> ColumnElement[str]:
    """A row's kind, written into the statement."""
    return literal_column(f"'{kind}'").label("kind")


def _nulls(count: int) -> list[ColumnElement[Any]]:
    """The columns of a shift, empty in a row of another kind."""
    return [null() for _ in range(count)]


def _booked(ids: Select[Any]) -> Select[Any]:
    """BOOKED rows: the booked time of the therapists ``ids`` in the span [start, end), merged into blocks.

    A therapist's live bookings never overlap (the database sees to it), so one that starts exactly
    where the previous one's buffer ends continues its block: back-to-back visits come back as one
    span, as the scheduler would merge them anyway, which saves building one interval per appointment.
    """
    live = (select(Appointment.therapist_id, Appointment.starts_at, Appointment.blocked_until,
                   func.lag(Appointment.blocked_until).over(partition_by=Appointment.therapist_id,
                                                            order_by=Appointment.starts_at).label("previous_end"))
            .where(Appointment.therapist_id.in_(ids),
                   # a literal, not a parameter, so that even a prepared statement's generic
                   # plan can use the partial index ix_appointments_holding_time
                   Appointment.status != literal_column(f"'{AppointmentStatus.CANCELLED}'"),
                   Appointment.starts_at > bindparam("lookback"),
                   Appointment.starts_at < bindparam("end"),
                   Appointment.blocked_until > bindparam("start"),
                   Appointment.id != bindparam("exclude"))
            .subquery())
    opens_block = case((live.c.previous_end == live.c.starts_at, 0), else_=1)
    numbered = select(live.c.therapist_id, live.c.starts_at, live.c.blocked_until,
                      func.sum(opens_block).over(partition_by=live.c.therapist_id,
                                                 order_by=live.c.starts_at).label("block")).subquery()
    return (select(numbered.c.therapist_id, _kind(BOOKED), *_nulls(5), func.min(numbered.c.starts_at),
                   func.max(numbered.c.blocked_until))
            .group_by(numbered.c.therapist_id, numbered.c.block))


def _timing(service: Service, now: datetime) -> dict[str, Any]:
    """The keyword arguments every scheduling call shares."""
    return {"duration": service.duration, "buffer": service.buffer, "now": now,
            "tz": clinic_zone(), "rules": slot_rules()}


def search_slots(service: Service, date_from: date, date_to: date, *, therapist_id: int | None = None,
                 now: datetime | None = None, exclude: uuid.UUID | None = None,
                 cautions: Collection[str] = ()) -> list[Slot]:
    """Open slots between two local dates: one therapist's, or the first available per start time.

    ``exclude`` names a visit being moved, whose own time counts as free and whose
    patient's other visits (booked with it) are left clear; ``cautions`` are the
    screening's, which only a trained therapist may treat (see ``load_calendars``). Raises
    SlotSearchError for a bad range ("from"/"to") or a therapist who does not give
    this service ("therapist_id").
    """
    timing = _timing(service, moment(now))
    first, last = bookable_days(timing["now"])
    if date_from > last or date_to < first:
        raise SlotSearchError({"from": f"Choose dates from {first} to {last}."})
    days: dict[str, Any] = {"date_from": date_from, "date_to": date_to}
    scheduling.first_available([], **days, **timing)  # the range is refused before any query
    calendars = load_calendars(service.therapy_type, window(service, date_from, date_to),
                               therapist_id=therapist_id, exclude=exclude, cautions=cautions)
    if therapist_id is None:
        slots = scheduling.first_available(calendars, **days, **timing)
    elif not calendars:
        training = training_needed(service, cautions)
        who = f"a therapist trained in {training}" if training else "a therapist"
        raise SlotSearchError({"therapist_id": f"Choose {who} who gives this service, or none for the first "
                                              f"available."})
    else:
        slots = scheduling.open_slots(calendars[0], **days, **timing)
    if exclude is None:
        return slots
    others = visits_booked_with(exclude)
    return [slot for slot in slots if in_the_way(others, slot.starts_at, slot.ends_at) is None]


def visits_booked_with(moved: uuid.UUID) -> list[Appointment]:
    """The other booked visits of a moved visit's patient record: its pair's partner, its plan's other sessions."""
    patient = select(Appointment.patient_id).where(Appointment.id == moved).scalar_subquery()
    return list(db.session.scalars(select(Appointment).where(
        Appointment.patient_id == patient, Appointment.id != moved, Appointment.status == AppointmentStatus.BOOKED)))


def in_the_way(others: list[Appointment], starts_at: datetime, ends_at: datetime) -> Appointment | None:
    """The visit among ``others`` that a visit from ``starts_at`` to ``ends_at`` would overlap, if any.

    The patient cannot be in two places at once; a visit right before or after another is fine.
    """
    return next((other for other in others if other.starts_at < ends_at and starts_at < other.ends_at), None)


def calendars_on_day(service: Service, starts_at: datetime, *, therapist_id: int | None,
                     exclude: uuid.UUID | None = None, cautions: Collection[str] = ()) -> list[TherapistCalendar]:
    """The calendars that decide whether a visit can start at ``starts_at`` (its whole local day)."""
    day = starts_at.astimezone(clinic_zone()).date()
    return load_calendars(service.therapy_type, window(service, day, day),
                          therapist_id=therapist_id, exclude=exclude, cautions=cautions)


def choose_therapist(calendars: list[TherapistCalendar], service: Service, starts_at: datetime, *,
                     first_available: bool, now: datetime) -> int | None:
    """The therapist who can take a visit at ``starts_at``, as the slot search would choose; None if nobody."""
    timing = _timing(service, now)
    if first_available:
        day = starts_at.astimezone(timing["tz"]).date()
        slots = scheduling.first_available(calendars, date_from=day, date_to=day, **timing)
        return next((slot.therapist_id for slot in slots if slot.starts_at == starts_at), None)
    return next((calendar.therapist_id for calendar in calendars
                 if scheduling.is_bookable(calendar, starts_at, **timing)), None)


def search_pairs(first: Service, second: Service, date_from: date, date_to: date, *,
                 first_therapist_id: int | None, second_therapist_id: int | None,
                 cautions: Collection[str] = ()) -> list[tuple[datetime, datetime]]:
    """Back-to-back times between two local days: (first start, second start), the second starting as the first ends.

    Each therapist may be None for the first available of their kind (trained for the ``cautions``);
    both are free for their visit.
    """
    firsts = search_slots(first, date_from, date_to, therapist_id=first_therapist_id, cautions=cautions)
    seconds = search_slots(second, date_from, date_to, therapist_id=second_therapist_id, cautions=cautions)
    return [(one.starts_at, two.starts_at) for one, two in scheduling.back_to_back(firsts, seconds, clinic_zone())]

