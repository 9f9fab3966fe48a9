"""The staff calendars' time grid: columns of therapists' local days, rows of fixed length, a cell per both.

Pure: the database gives the columns (a therapist on a local day, with their working and away spans) and the
visits; this module lays them out, as the admin's day (a column per therapist) and a therapist's day or week (a
column per day) show them.

- The rows are times of day in the clinic's zone, ROW_MINUTES apart, from the earliest working hour of any column
  to the latest (whole hours; 08:00 to 18:00 when nobody works), widened to show every visit. A row's instant in
  a column is that column's local day at the row's time (``booking.scheduling.localday``), so a day on which the
  clocks change keeps its wall-clock rows: a time the clocks skip is an empty row, closed.
- Each row has, per column, exactly one cell or a slot covered by a cell above (``None``):
  a visit's block, spanning the rows its time covers (when its first row is taken by the visit before, it begins
  at the next one; its own times are always on it); a free cell, one per row, each a time one may book from
  (inside working hours, not away, not in any visit's time or buffer); or an off cell (outside the hours, away,
  the clinic closed, a visit's buffer), consecutive rows of one reason merged into one cell.
- The row holding ``now`` in its column is marked, as is the cell over it.
- Two visits that are one combined-care pair (``booking.scheduling.pairing``) know each other: ``partner``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo

from .localday import LocalDay, local_day
from .pairing import booking_of, one_pair

ROW_MINUTES = 15
HOUR = 60
DAY_MINUTES = 24 * HOUR
NOBODY_WORKS = (8 * HOUR, 18 * HOUR)  # the rows shown when no column has working hours
# Why a time is not free, as the grid writes it (time off and closures bring their own labels).
NOT_WORKING = "Not working"
BUFFER = "Between visits"
NO_SUCH_TIME = "Clocks skip this time"
TIME_OFF = "Time off"
CLOSED = "Clinic closed"


def time_off_label(reason: str | None) -> str:
    """How a therapist's time off is labelled: "Time off: Course", or "Time off" without a reason."""
    return f"{TIME_OFF}: {reason}" if reason else TIME_OFF


def closed_label(label: str | None) -> str:
    """How a day the clinic is closed is labelled: "Clinic closed: Christmas Day", or "Clinic closed"."""
    return f"{CLOSED}: {label}" if label else CLOSED


@dataclass(frozen=True)
class Away:
    """A span [starts_at, ends_at) a column's therapist is away (time off) or the clinic closed, and its label."""

    starts_at: datetime
    ends_at: datetime
    label: str


@dataclass(frozen=True)
class Column:
    """A therapist on a local day: their working spans (UTC instants) and the spans they are away."""

    therapist_id: int
    name: str
    therapy_type: str
    day: date
    working: tuple[tuple[datetime, datetime], ...] = ()
    away: tuple[Away, ...] = ()


@dataclass(frozen=True)
class GridVisit:
    """A visit as the grid shows it. ``status`` is the visit's status (its ``.label`` is shown); ``caution``:
    its screening has cautions; ``checked_in``: the patient has arrived."""

    id: Hashable
    therapist_id: int
    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    patient_id: int
    patient_name: str
    service_id: int
    service_name: str
    therapy_type: str
    status: str
    caution: bool
    care_plan_id: int | None
    screening_id: Hashable
    checked_in: bool = False


@dataclass(frozen=True)
class VisitCell:
    """A visit's block: ``rows`` rows from its first; ``partner``: the other visit of its pair, if shown."""

    visit: GridVisit
    rows: int
    partner: GridVisit | None = None
    now: bool = False
    kind: str = field(default="visit", init=False)


@dataclass(frozen=True)
class FreeCell:
    """A time one may book from: the therapist and the instant."""

    therapist_id: int
    starts_at: datetime
    now: bool = False
    kind: str = field(default="free", init=False)


@dataclass(frozen=True)
class OffCell:
    """Rows that cannot be booked, for one reason (``reason``: a label), ``rows`` of them."""

    reason: str
    rows: int = 1
    now: bool = False
    kind: str = field(default="off", init=False)


Cell = VisitCell | FreeCell | OffCell


@dataclass(frozen=True)
class Row:
    """A time of day (``minute`` after local midnight; past a day's end when visits run over) and its cells, one
    per column, None where a cell above covers it; ``now``: the current time is in this row of its column."""

    minute: int
    cells: tuple[Cell | None, ...]
    now: bool = False

    @property
    def time(self) -> time:
        """The row's time of day."""
        return time((self.minute // HOUR) % 24, self.minute % HOUR)


@dataclass(frozen=True)
class Grid:
    """The columns, in the order given, and the rows, earliest first."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @cached_property
    def visits(self) -> list[VisitCell]:
        """Every visit's block, row by row."""
        return [cell for row in self.rows for cell in row.cells if isinstance(cell, VisitCell)]

    @cached_property
    def by_column(self) -> list[list[VisitCell]]:
        """Each column's visit blocks, earliest first (the grid as a list per column)."""
        return [[cell for row in self.rows if isinstance(cell := row.cells[index], VisitCell)]
                for index in range(len(self.columns))]

    @cached_property
    def names(self) -> dict[int, str]:
        """The name of each therapist shown, by id."""
        return {column.therapist_id: column.name for column in self.columns}


def _minute_of_day(instant: datetime, day: date, tz: ZoneInfo) -> int:
    """The local wall-clock minutes from the day's midnight to ``instant``, within the day."""
    wall = instant.astimezone(tz).replace(tzinfo=None) - datetime.combine(day, time())
    return max(0, min(DAY_MINUTES, int(wall.total_seconds() // 60)))


def _hours(columns: Sequence[Column], shown: Sequence[Sequence[GridVisit]], tz: ZoneInfo) -> tuple[int, int]:
    """The first and last minute the rows span: the working hours' (or NOBODY_WORKS), widened for the visits,
    in whole hours."""
    starts = [_minute_of_day(start, column.day, tz) for column in columns for start, _end in column.working]
    ends = [_minute_of_day(end, column.day, tz) for column in columns for _start, end in column.working]
    first, last = (min(starts), max(ends)) if starts else NOBODY_WORKS
    for column, own in zip(columns, shown, strict=True):
        if own:
            first = min(first, _minute_of_day(min(visit.starts_at for visit in own), column.day, tz))
            last = max(last, _minute_of_day(max(visit.ends_at for visit in own), column.day, tz))
    return first // HOUR * HOUR, -(-last // HOUR) * HOUR


def _edges(day: LocalDay, first: int, count: int) -> list[datetime]:
    """A column's row boundaries: row k spans [edges[k], edges[k + 1]), ``count`` rows from minute ``first`` (those
    past the day's end are empty, at its end)."""
    minutes = range(first, first + (count + 1) * ROW_MINUTES, ROW_MINUTES)
    return [day.end if minute >= DAY_MINUTES else day.at(time(minute // HOUR, minute % HOUR)) for minute in minutes]


def _placed(visits: list[GridVisit], bounds: list[datetime]) -> list[tuple[int, int, GridVisit]]:
    """Each visit's first and last row (a visit begins below the one before when it would share its row)."""
    placed: list[tuple[int, int, GridVisit]] = []
    taken = -1
    top = len(bounds) - 2
    for visit in sorted(visits, key=lambda visit: (visit.starts_at, visit.ends_at)):
        first = max(min(bisect_right(bounds, visit.starts_at) - 1, top), 0, taken + 1)
        last = max(min(bisect_left(bounds, visit.ends_at) - 1, top), first)
        placed.append((first, last, visit))
        taken = last
    return placed


def _reason(column: Column, buffers: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> str | None:
    """Why the row [start, end), in no visit's block, cannot be booked from in this column (``buffers``: the spans
    after its visits); None when it is free."""
    if start == end:
        return NO_SUCH_TIME
    away = next((span.label for span in column.away if span.starts_at <= start < span.ends_at), None)
    if away is not None:
        return away
    if not any(begin <= start < finish for begin, finish in column.working):
        return NOT_WORKING
    if any(begin <= start < finish for begin, finish in buffers):
        return BUFFER
    return None


def _partners(visits: Iterable[GridVisit]) -> dict[Hashable, GridVisit]:
    """Each paired visit's partner among these (of three visits back to back, the first two are the pair)."""
    bookings: dict[Hashable, list[GridVisit]] = {}
    for visit in visits:
        bookings.setdefault(booking_of(visit), []).append(visit)
    partners: dict[Hashable, GridVisit] = {}
    for booked in bookings.values():
        for first, second in pairwise(sorted(booked, key=lambda visit: visit.starts_at)):
            if first.id not in partners and one_pair(first, second):  # a pair is two: the earlier two of three
                partners[first.id], partners[second.id] = second, first
    return partners


def build_grid(columns: Sequence[Column], visits: Iterable[GridVisit], *, now: datetime, tz: ZoneInfo) -> Grid:
    """The grid of these columns and the visits in them (a visit is in the column of its therapist and local day;
    one in no column is left out)."""
    index = {(column.therapist_id, column.day): at for at, column in enumerate(columns)}
    shown: list[list[GridVisit]] = [[] for _ in columns]
    for visit in visits:
        at = index.get((visit.therapist_id, visit.starts_at.astimezone(tz).date()))
        if at is not None:
            shown[at].append(visit)
    first, last = _hours(columns, shown, tz)
    count = (last - first) // ROW_MINUTES
    days = [local_day(column.day, tz, ROW_MINUTES) for column in columns]
    placements = [_placed(own, _edges(day, first, count)) for own, day in zip(shown, days, strict=True)]
    count = max([count, *(last_row + 1 for placed in placements for _first, last_row, _visit in placed)])
    partners = _partners(visit for own in shown for visit in own)
    grid: list[list[Cell | None]] = [[None] * len(columns) for _ in range(count)]
    now_rows: set[int] = set()
    for at, (column, own, day, placed) in enumerate(zip(columns, shown, days, placements, strict=True)):
        edges = _edges(day, first, count)
        here = bisect_right(edges, now) - 1 if edges[0] <= now < edges[-1] else None
        if here is not None:
            now_rows.add(here)
        for k, cell in _cells(column, own, placed, partners, edges, here):
            grid[k][at] = cell
    return Grid(tuple(columns), tuple(Row(first + k * ROW_MINUTES, tuple(cells), k in now_rows)
                                      for k, cells in enumerate(grid)))


def _cells(column: Column, own: list[GridVisit], placed: list[tuple[int, int, GridVisit]],
           partners: dict[Hashable, GridVisit], edges: list[datetime], here: int | None) -> Iterable[tuple[int, Cell]]:
    """A column's cells from the top, each with its first row (``here``: the row holding now, if any)."""
    buffers = [(visit.ends_at, visit.blocked_until) for visit in own if visit.blocked_until > visit.ends_at]
    covered = {first_row: (last_row, visit) for first_row, last_row, visit in placed}
    count = len(edges) - 1
    k = 0
    while k < count:
        if k in covered:
            last_row, visit = covered[k]
            yield k, VisitCell(visit, last_row - k + 1, partners.get(visit.id), here is not None and k <= here <= last_row)
            k = last_row + 1
            continue
        reason = _reason(column, buffers, edges[k], edges[k + 1])
        if reason is None:
            yield k, FreeCell(column.therapist_id, edges[k], here == k)
            k += 1
            continue
        end = k + 1
        while end < count and end not in covered and _reason(column, buffers, edges[end], edges[end + 1]) == reason:
            end += 1
        yield k, OffCell(reason, end - k, here is not None and k <= here < end)
        k = end


def week_days(day: date) -> list[date]:
    """Monday to Sunday of the day's week."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=offset) for offset in range(7)]
