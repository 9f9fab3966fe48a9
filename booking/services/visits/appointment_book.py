"""The appointment book: the clinic's day across therapists, and one therapist's day or week, as a time grid.

Whatever the number of therapists and visits, a page reads two statements: one for the visits (joined to their
patient, service and therapist; the caution flag worked out by the database from the stored recommendation, the
screening's answers never read; cancelled visits left out: their time is free again) and one for the hours (the
therapists, their weekly shifts valid on the days, their time off and the clinic's closed days, as rows of four
kinds in one round trip). The opening hours come from the clinic's settings, kept in the process
(``booking.clinic.cache``). ``booking.scheduling.grid`` lays them out.

The clinic's day is an admin's (``policy.may_see_patients``); a therapist's days are an admin's or that
therapist's (``policy.may_see_diary``). Cautions show on the grid, so the pages that show one audit the view.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.types import Date, Integer, String, Time

from booking import scheduling
from booking.clinic.clock import moment
from booking.clinic.settings import opening_hours
from booking.clinic.times import FIRST_DAY, LAST_DAY, clinic_zone, local_midnight
from booking.extensions import db
from booking.models import (
    Appointment,
    AppointmentStatus,
    ClinicClosure,
    Patient,
    Screening,
    Service,
    StaffUser,
    Therapist,
    TimeOff,
    WorkingHours,
)
from booking.models.base import UTCDateTime
from booking.policy import require_see_diary, require_see_patients
from booking.scheduling.grid import (
    ROW_MINUTES,
    Away,
    Column,
    Grid,
    GridVisit,
    build_grid,
    closed_label,
    time_off_label,
    week_days,
)
from booking.scheduling.localday import local_day

THERAPIST, SHIFT, AWAY, CLOSED = "therapist", "shift", "away", "closed"  # the kinds of the hours' rows


@dataclass(frozen=True)
class Named:
    """A therapist as the calendar names them (a column's heading, a choice of therapist)."""

    id: int
    name: str
    therapy_type: str


@dataclass(frozen=True)
class Book:
    """A page of the appointment book: the grid, the days shown, where the previous and next pages start, and
    the therapists one may choose from (the active ones, and any shown)."""

    grid: Grid
    days: list[date]
    previous: date
    next: date
    therapists: list[Named]

    @property
    def visit_count(self) -> int:
        """How many visits the page shows."""
        return len(self.grid.visits)


@dataclass
class _Hours:
    """What the hours' statement gives: the therapists, and per therapist its shifts and time off; the closed days."""

    therapists: dict[int, Named]
    shifts: dict[int, list[scheduling.WorkingHours]]
    away: dict[int, list[Away]]
    closed: dict[date, str]


def clinic_day(day: date, by: StaffUser, chosen: Collection[int] = (), *, now: datetime | None = None) -> Book:
    """The clinic's day: a column per therapist chosen, or when none is, per therapist working that day or holding
    a visit on it (by name); Refused unless ``by`` may see patients."""
    require_see_patients(by)
    ids = sorted(set(chosen))
    hours = _hours([day], ids, everyone=True)
    visits = _visits([day], ids or None)
    if ids:
        shown = [hours.therapists[one] for one in ids if one in hours.therapists]
    else:
        working = {one for one, shifts in hours.shifts.items() if _working(shifts, day)}
        shown = [therapist for therapist in hours.therapists.values()
                 if therapist.id in working or any(visit.therapist_id == therapist.id for visit in visits)]
    shown.sort(key=lambda therapist: (therapist.name, therapist.id))
    columns = [_column(therapist, day, hours) for therapist in shown]
    return _book(columns, visits, [day], hours, timedelta(days=1), now)


def therapist_days(therapist_id: int, day: date, view: str, by: StaffUser, *, everyone: bool = False,
                   now: datetime | None = None) -> Book | None:
    """A therapist's day, or their week (Monday to Sunday) holding it: a column per day; None for a therapist
    who does not exist. ``everyone``: also name every active therapist (to choose another). Refused unless ``by``
    may see the therapist's diary."""
    require_see_diary(by, therapist_id)
    days = [day] if view == "day" else week_days(day)
    hours = _hours(days, [therapist_id], everyone=everyone)
    therapist = hours.therapists.get(therapist_id)
    if therapist is None:
        return None
    columns = [_column(therapist, shown, hours) for shown in days]
    return _book(columns, _visits(days, [therapist_id]), days, hours, timedelta(days=len(days)), now)


def _book(columns: list[Column], visits: list[GridVisit], days: list[date], hours: _Hours, step: timedelta,
          now: datetime | None) -> Book:
    """The page of these columns and visits."""
    grid = build_grid(columns, visits, now=moment(now), tz=clinic_zone())
    therapists = sorted(hours.therapists.values(), key=lambda therapist: (therapist.name, therapist.id))
    return Book(grid, days, max(days[0] - step, FIRST_DAY), min(days[0] + step, LAST_DAY), therapists)


def _working(shifts: Iterable[scheduling.WorkingHours], day: date) -> list[tuple[time, time]]:
    """The local (start, end) of the shifts worked on the day, inside the clinic's opening hours."""
    rules = scheduling.SlotRules(opening_hours=opening_hours())
    parts = (rules.open_part(shift) for shift in shifts if shift.applies_on(day))
    return [part for part in parts if part is not None]


def _column(therapist: Named, day: date, hours: _Hours) -> Column:
    """The therapist's column on the day: their working spans, their time off, the clinic closed."""
    local = local_day(day, clinic_zone(), ROW_MINUTES)
    working = tuple((local.at(start), local.at(end)) for start, end in _working(hours.shifts.get(therapist.id, ()),
                                                                                  day))
    away = list(hours.away.get(therapist.id, ()))
    if day in hours.closed:
        away.append(Away(local.start, local.end, hours.closed[day]))
    return Column(therapist.id, therapist.name, therapist.therapy_type, day, working, tuple(away))


def _span(days: list[date]) -> tuple[datetime, datetime]:
    """The UTC span of the local days."""
    return local_midnight(days[0]), local_midnight(days[-1] + timedelta(days=1))


def _caution() -> ColumnElement[bool]:
    """Whether the visit's screening has cautions, from its stored recommendation (its answers are not read)."""
    return func.coalesce(func.json_array_length(Screening.recommendation["cautions"]), 0) > 0


def _parameters(days: list[date], therapist_ids: list[int]) -> dict[str, Any]:
    """What the two statements are asked with: the days, their UTC span, the therapists."""
    start, end = _span(days)
    return {"first_day": days[0], "last_day": days[-1], "start": start, "end": end, "ids": therapist_ids}


def _visits(days: list[date], therapist_ids: list[int] | None) -> list[GridVisit]:
    """The visits starting on the days (of these therapists, or of all), not cancelled, in one statement."""
    rows = db.session.connection().execute(_visits_query(therapist_ids is not None),
                                           _parameters(days, therapist_ids or []))
    return [GridVisit(key, therapist_id, starts_at, ends_at, blocked_until, patient_id, patient_name, service_id,
                      service_name, therapy_type, AppointmentStatus(status), bool(caution), care_plan_id, screening_id,
                      bool(checked_in))
            for (key, therapist_id, starts_at, ends_at, blocked_until, patient_id, patient_name, service_id,
                 service_name, therapy_type, status, caution, care_plan_id, screening_id, checked_in) in rows]


def _hours(days: list[date], therapist_ids: list[int], *, everyone: bool) -> _Hours:
    """The therapists (these, and with ``everyone`` every active one and any holding a visit on the days), their
    shifts valid on the days, their time off overlapping them and the clinic's closed days among them: one
    statement."""
    return _grouped(db.session.connection().execute(_hours_query(everyone), _parameters(days, therapist_ids)))


# Both statements are built once (their cache keys and compiled forms too) and run on the session's connection, as
# the calendars' are (``calendars.load_calendars``): the statements name columns, never a mapped class.

def _in_span() -> ColumnElement[bool]:
    """A visit starting in the span [start, end), not cancelled."""
    return and_(Appointment.starts_at >= bindparam("start"), Appointment.starts_at < bindparam("end"),
                Appointment.status != literal_column(f"'{AppointmentStatus.CANCELLED}'"))


@cache
def _visits_query(chosen: bool) -> Select[Any]:
    """The visits of the chosen therapists (``ids``), or of every therapist, starting in the span, with their patient's
    and service's names, their caution flag and whether the patient has arrived."""
    therapists = bindparam("ids", expanding=True) if chosen else select(Therapist.id).scalar_subquery()
    columns: tuple[Any, ...] = (Appointment.id, Appointment.therapist_id, Appointment.starts_at, Appointment.ends_at,
               Appointment.blocked_until, Appointment.patient_id, Patient.name, Appointment.service_id, Service.name,
               Service.therapy_type, Appointment.status, _caution(), Appointment.care_plan_id, Appointment.screening_id,
               Appointment.checked_in_at.is_not(None))
    return (select(*columns)
            .join(Patient, Patient.id == Appointment.patient_id)
            .join(Service, Service.id == Appointment.service_id)
            .join(Screening, Screening.id == Appointment.screening_id)
            .where(Appointment.therapist_id.in_(therapists), _in_span())
            .order_by(Appointment.starts_at, Appointment.id))


@cache
def _hours_query(everyone: bool) -> CompoundSelect:
    """The hours as rows of four kinds (``kind``): the therapists (``ids``; with ``everyone``, also every active one
    and any holding a visit in the span), their shifts valid on some day from ``first_day`` to ``last_day``, their
    time off overlapping the span [start, end), and the clinic's closed days among the days."""
    chosen: ColumnElement[bool] = Therapist.id.in_(bindparam("ids", expanding=True))
    if everyone:
        chosen = or_(Therapist.active, chosen, Therapist.id.in_(select(Appointment.therapist_id).where(_in_span())))
    ids = select(Therapist.id).where(chosen)
    # The first select names the columns and gives each its type (the others' NULLs take it).
    therapists = select(Therapist.id.label("therapist_id"), _kind(THERAPIST), Therapist.name.label("text"),
                        Therapist.therapy_type.label("type"), cast(null(), Integer()).label("weekday"),
                        cast(null(), Time()).label("opens"), cast(null(), Time()).label("closes"),
                        cast(null(), Date()).label("valid_from"), cast(null(), Date()).label("valid_to"),
                        cast(null(), UTCDateTime()).label("starts_at"), cast(null(), UTCDateTime()).label("ends_at"),
                        cast(null(), Date()).label("day")).where(chosen)
    shifts = (select(WorkingHours.therapist_id, _kind(SHIFT), *_nulls(2), WorkingHours.weekday,
                     WorkingHours.start_time, WorkingHours.end_time, WorkingHours.valid_from, WorkingHours.valid_to,
                     *_nulls(3))
              .where(WorkingHours.therapist_id.in_(ids),
                     or_(WorkingHours.valid_from.is_(None), WorkingHours.valid_from <= bindparam("last_day")),
                     or_(WorkingHours.valid_to.is_(None), WorkingHours.valid_to >= bindparam("first_day"))))
    away = (select(TimeOff.therapist_id, _kind(AWAY), TimeOff.reason, *_nulls(6), TimeOff.starts_at,
                   TimeOff.ends_at, null())
            .where(TimeOff.therapist_id.in_(ids), TimeOff.starts_at < bindparam("end"),
                   TimeOff.ends_at > bindparam("start")))
    closed = (select(null(), _kind(CLOSED), ClinicClosure.label, *_nulls(8), ClinicClosure.day)
              .where(ClinicClosure.day >= bindparam("first_day"), ClinicClosure.day <= bindparam("last_day")))
    return union_all(therapists, shifts, away, closed).order_by("kind", "therapist_id", "weekday", "opens",
                                                               "starts_at")


def _grouped(rows: Iterable[Any]) -> _Hours:
    """The hours' rows, grouped."""
    hours = _Hours({}, {}, {}, {})
    for row in rows:
        if row.kind == THERAPIST:
            hours.therapists[row.therapist_id] = Named(row.therapist_id, row.text, row.type)
        elif row.kind == SHIFT:
            hours.shifts.setdefault(row.therapist_id, []).append(
                scheduling.WorkingHours(row.weekday, row.opens, row.closes, row.valid_from, row.valid_to))
        elif row.kind == AWAY:
            hours.away.setdefault(row.therapist_id, []).append(Away(row.starts_at, row.ends_at,
                                                                    time_off_label(row.text)))
        else:
            hours.closed[row.day] = closed_label(row.text)
    return hours


def _kind(kind: str) -> ColumnElement[str]:
    """A row's kind, written into the statement."""
    return type_coerce(literal_column(f"'{kind}'"), String()).label("kind")


def _nulls(count: int) -> list[ColumnElement[Any]]:
    """Columns empty in a row of this kind."""
    return [null() for _ in range(count)]

