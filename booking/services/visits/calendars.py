"""Therapists' calendars from the database: in one query whatever the number of therapists or appointments.

A search loads, for the therapists concerned, only what touches the local days searched: the therapists with
their weekly hours valid on those days, their bookings (buffer included, cancelled ones left out) and their time
off overlapping them. PostgreSQL answers one row of arrays per therapist (``_arrays_query``); another database
rows of three kinds (``_rows_query``), grouped here into the same lists: both give the same calendars.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    FunctionElement,
    Row,
    Select,
    SQLColumnExpression,
    and_,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.types import NullType

from booking import scheduling
from booking.clinic.times import local_midnight
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
from booking.scheduling import Blocks, Interval, TherapistCalendar, qualifications

# No visit plus its buffer lasts a day: bookings starting earlier than this before
# a search cannot reach into it, which lets the (therapist_id, starts_at) index
# bound the scan of past appointments from below.
LONGEST_BLOCK = timedelta(days=1)
NOBODY = uuid.UUID(int=0)  # the appointment id excluded when none is (uuid4 never makes it)
SHIFT, BOOKED, AWAY = "shift", "booked", "away"  # the kinds of a calendar's rows (see _rows_query)


@dataclass(frozen=True)
class Window:
    """The local days a calendar is loaded for, and the UTC span [start, end) that matters."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime


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

    The query names columns, never a mapped class, so it runs on the session's connection rather than through
    ``Session.execute``: the same rows, without the ORM's execute and result wrapping (about 40 µs of a one-day
    search). It is a SELECT, which ``reads_only`` allows either way.
    """
    if therapist_id is not None and not storable_id(therapist_id):
        return []
    needs = qualifications.needed(therapy_type, cautions)
    parameters = {"therapy_type": therapy_type, "therapist_id": therapist_id, "needs": sorted(needs),
                  "need_count": len(needs), "first_day": span.first_day, "last_day": span.last_day,
                  "start": span.start, "end": span.end, "lookback": span.start - LONGEST_BLOCK,
                  "exclude": exclude or NOBODY}
    shape = (therapist_id is not None, bool(needs))
    found: Iterable[Sequence[Any]]
    connection = db.session.connection()  # the session's, in its transaction; Core's path is shorter (below)
    if _reads_arrays():
        found = connection.execute(_arrays_query(*shape), parameters)
    else:
        found = _grouped(connection.execute(_rows_query(*shape), parameters))
    return [_calendar(*calendar) for calendar in found]


def _reads_arrays() -> bool:
    """Whether the database answers ``_arrays_query`` (PostgreSQL); another reads ``_rows_query``, which gives the
    same calendars (tests/services/test_availability.py compares them)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _calendar(therapist_id: int, weekdays: list[int] | None, opens: list[time] | None, closes: list[time] | None,
              valid_from: list[date | None] | None, valid_to: list[date | None] | None,
              booked_starts: list[datetime] | None, booked_ends: list[datetime] | None,
              away_starts: list[datetime] | None, away_ends: list[datetime] | None) -> TherapistCalendar:
    """One therapist's calendar from the lists a calendar query gives (None for none)."""
    hours = [scheduling.WorkingHours(*shift) for shift in zip(weekdays or (), opens or (), closes or (),
                                                               valid_from or (), valid_to or (), strict=True)]
    away = [Interval(start, end) for start, end in zip(away_starts or (), away_ends or (), strict=True)]
    return TherapistCalendar(therapist_id, hours, away, Blocks(zip(booked_starts or (), booked_ends or (), strict=True)))


def _chosen(one_therapist: bool, trained: bool) -> CTE:
    """The therapists whose calendars a query loads: the active ones of a type (or the one asked for;
    ``trained``: only those trained in every qualification of the ``needs`` parameter)."""
    chosen = select(Therapist.id).where(Therapist.active, Therapist.therapy_type == bindparam("therapy_type"))
    if trained:
        chosen = chosen.where(trained_in(bindparam("needs", expanding=True), bindparam("need_count")))
    if one_therapist:
        chosen = chosen.where(Therapist.id == bindparam("therapist_id"))
    return chosen.cte("chosen")


def _shift_valid() -> ColumnElement[bool]:
    """A weekly shift valid on some day of the span."""
    return and_(or_(WorkingHours.valid_from.is_(None), WorkingHours.valid_from <= bindparam("last_day")),
                or_(WorkingHours.valid_to.is_(None), WorkingHours.valid_to >= bindparam("first_day")))


def _booked_in_span() -> ColumnElement[bool]:
    """An appointment whose time (buffer included) blocks some of the span [start, end): not cancelled, not the
    one excluded."""
    # the status is a literal, not a parameter, so that even a prepared statement's generic plan can use the
    # partial index ix_appointments_holding_time
    return and_(Appointment.status != literal_column(f"'{AppointmentStatus.CANCELLED}'"),
                Appointment.starts_at > bindparam("lookback"), Appointment.starts_at < bindparam("end"),
                Appointment.blocked_until > bindparam("start"), Appointment.id != bindparam("exclude"))


def _away_in_span() -> ColumnElement[bool]:
    """Time off overlapping the span [start, end)."""
    return and_(TimeOff.starts_at < bindparam("end"), TimeOff.ends_at > bindparam("start"))


# The order of a therapist's shifts in both queries (``_rows_query`` names the columns: weekday, start_time, shift).
SHIFT_ORDER = (WorkingHours.weekday, WorkingHours.start_time, WorkingHours.id)


@cache
def _arrays_query(one_therapist: bool, trained: bool) -> Select[Any]:
    """PostgreSQL: each therapist's calendar as one row of arrays, which the driver reads in C.

    Its shifts valid on the days (weekday, start and end times, validity dates, in SHIFT_ORDER), its booked time
    in the span (buffer included, cancelled visits left out) merged into blocks, and its time off, each in order
    of start: the columns of ``_calendar``. Back-to-back visits come back as one block, found with lag and lead
    over each therapist's bookings in the index's order: a block starts at a visit that does not start where the
    previous one's buffer ends, and ends at a visit whose buffer does not end where the next one starts; the
    database keeps a therapist's live bookings from overlapping, so the k-th start and the k-th end make a block.
    Far fewer rows and values than one per visit: the driver's and Python's work goes with the values. The shifts
    and the time off are grouped in one pass over their tables (a lateral subquery would scan them per therapist).
    """
    therapists = _chosen(one_therapist, trained)
    ids = select(therapists.c.id)
    hours = (select(WorkingHours.therapist_id, *(_array(column, *SHIFT_ORDER) for column in (
                WorkingHours.weekday, WorkingHours.start_time, WorkingHours.end_time,
                WorkingHours.valid_from, WorkingHours.valid_to)))
             .where(WorkingHours.therapist_id.in_(ids), _shift_valid())
             .group_by(WorkingHours.therapist_id).subquery("hours"))
    live = (select(Appointment.starts_at, Appointment.blocked_until,
                   func.lag(Appointment.blocked_until).over(order_by=Appointment.starts_at).label("previous_end"),
                   func.lead(Appointment.starts_at).over(order_by=Appointment.starts_at).label("next_start"))
            .where(Appointment.therapist_id == therapists.c.id, _booked_in_span()).correlate(therapists).lateral("live"))
    booked = select(
        _array(live.c.starts_at, live.c.starts_at).filter(live.c.previous_end.is_distinct_from(live.c.starts_at)),
        _array(live.c.blocked_until, live.c.starts_at).filter(live.c.next_start.is_distinct_from(live.c.blocked_until)),
    ).lateral("booked")
    away_order = (TimeOff.starts_at, TimeOff.ends_at)
    away = (select(TimeOff.therapist_id, _array(TimeOff.starts_at, *away_order), _array(TimeOff.ends_at, *away_order))
            .where(TimeOff.therapist_id.in_(ids), _away_in_span()).group_by(TimeOff.therapist_id).subquery("away"))
    return (select(therapists.c.id, *list(hours.c)[1:], *booked.c, *list(away.c)[1:])
            .select_from(therapists.outerjoin(hours, hours.c.therapist_id == therapists.c.id)
                         .join(booked, true())
                         .outerjoin(away, away.c.therapist_id == therapists.c.id))
            .order_by(therapists.c.id))


def _array(column: SQLColumnExpression[Any], *order: SQLColumnExpression[Any]) -> FunctionElement[Any]:
    """The column's values as an array in ``order``, as the driver reads it (no per-value conversion)."""
    return func.array_agg(aggregate_order_by(column, *order), type_=NullType())


@cache
def _rows_query(one_therapist: bool, trained: bool) -> CompoundSelect:
    """Any database: the calendars as rows of three kinds (``kind``), all in one round trip, for ``_grouped``.

    Each therapist has at least one SHIFT row (its shifts valid on the days, or one with no weekday when it has
    none), then BOOKED and AWAY rows: its bookings (buffer included, cancelled visits left out) and its time off
    in the span [start, end), in order of start.
    """
    therapists = _chosen(one_therapist, trained)
    # The first select names the columns and gives each its type (the others' NULLs take it).
    shifts = (select(therapists.c.id.label("therapist_id"), _kind(SHIFT), WorkingHours.weekday,
                     WorkingHours.start_time, WorkingHours.end_time, WorkingHours.valid_from, WorkingHours.valid_to,
                     WorkingHours.id.label("shift"), type_coerce(null(), UTCDateTime()).label("starts_at"),
                     type_coerce(null(), UTCDateTime()).label("ends_at"))
              .select_from(therapists.outerjoin(WorkingHours, and_(WorkingHours.therapist_id == therapists.c.id,
                                                                   _shift_valid()))))
    ids = select(therapists.c.id)
    booked = (select(Appointment.therapist_id, _kind(BOOKED), *_nulls(6), Appointment.starts_at,
                     Appointment.blocked_until)
              .where(Appointment.therapist_id.in_(ids), _booked_in_span()))
    away = (select(TimeOff.therapist_id, _kind(AWAY), *_nulls(6), TimeOff.starts_at, TimeOff.ends_at)
            .where(TimeOff.therapist_id.in_(ids), _away_in_span()))
    return union_all(shifts, booked, away).order_by("therapist_id", "kind", "weekday", "start_time", "shift",
                                                    "starts_at", "ends_at")


def _grouped(rows: Iterable[Row[Any]]) -> list[tuple[Any, ...]]:
    """``_rows_query``'s rows as ``_arrays_query``'s, in order of therapist: the id, then nine lists (a shift's five
    columns, the booked time's starts and ends, the time off's starts and ends)."""
    calendars: dict[int, tuple[list[Any], ...]] = {}
    for row in rows:
        lists = calendars.setdefault(row.therapist_id, tuple([] for _ in range(9)))
        if row.kind == SHIFT:
            if row.weekday is not None:
                for values, value in zip(lists[:5], (row.weekday, row.start_time, row.end_time, row.valid_from,
                                                     row.valid_to), strict=True):
                    values.append(value)
        else:  # the starts and ends of booked time, or of time off
            at = 5 if row.kind == BOOKED else 7
            lists[at].append(row.starts_at)
            lists[at + 1].append(row.ends_at)
    return [(therapist_id, *lists) for therapist_id, lists in sorted(calendars.items())]


def _kind(kind: str) -> ColumnElement[str]:
    """A row's kind, written into the statement."""
    return literal_column(f"'{kind}'").label("kind")


def _nulls(count: int) -> list[ColumnElement[Any]]:
    """The columns of a shift, empty in a row of another kind."""
    return [null() for _ in range(count)]
