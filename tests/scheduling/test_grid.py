"""The staff calendars' time grid: worked examples, and properties over random days (DST days among them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.scheduling.grid import (
    BUFFER,
    NO_SUCH_TIME,
    NOT_WORKING,
    Away,
    Column,
    FreeCell,
    Grid,
    GridVisit,
    OffCell,
    VisitCell,
    build_grid,
)
from booking.scheduling.localday import local_day

CALGARY = ZoneInfo("America/Edmonton")
DAY = date(2026, 12, 2)
SCREENING = uuid.uuid4()


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A wall-clock time of a Calgary day, in UTC."""
    return local_day(day, CALGARY, 15).at(time(hour, minute))


def visit(therapist_id: int, start: datetime, minutes: int = 60, *, buffer: int = 0, patient_id: int = 1,
          care_plan_id: int | None = None, screening_id: uuid.UUID = SCREENING, name: str = "Avery Singh") -> GridVisit:
    """A booked visit of ``minutes`` from ``start``."""
    end = start + timedelta(minutes=minutes)
    return GridVisit(uuid.uuid4(), therapist_id, start, end, end + timedelta(minutes=buffer), patient_id, name, 1,
                     "Massage therapy (60 minutes)", "massage", "booked", False, care_plan_id, screening_id)


def column(therapist_id: int, opens: int | None = 9, closes: int = 17, *, day: date = DAY,
           away: tuple[Away, ...] = ()) -> Column:
    """A therapist working from ``opens`` to ``closes`` o'clock on the day (None: not working)."""
    working = () if opens is None else ((at(opens, day=day), at(closes, day=day)),)
    return Column(therapist_id, f"Therapist {therapist_id}", "massage", day, working, away)


def cells_of(grid: Grid, index: int) -> list[tuple[str, int, object]]:
    """A column's cells as (time, kind, rows or label), top to bottom."""
    found = []
    for row in grid.rows:
        cell = row.cells[index]
        if isinstance(cell, VisitCell):
            found.append((row.time.strftime("%H:%M"), "visit", cell.rows))
        elif isinstance(cell, OffCell):
            found.append((row.time.strftime("%H:%M"), cell.reason, cell.rows))
        elif isinstance(cell, FreeCell):
            found.append((row.time.strftime("%H:%M"), "free", 1))
    return found


def test_a_day_rows_of_a_quarter_hour_over_the_working_hours_with_visits_free_and_off_cells() -> None:
    lunch = Away(at(12), at(13), "Time off: lunch")
    grid = build_grid([column(1, away=(lunch,)), column(2, 10, 12)],
                      [visit(1, at(9), buffer=15), visit(2, at(10, 30), 30)], now=at(9, 20), tz=CALGARY)
    assert [row.time for row in grid.rows][:2] == [time(9), time(9, 15)] and grid.rows[-1].time == time(16, 45)
    first = cells_of(grid, 0)
    assert first[:3] == [("09:00", "visit", 4), ("10:00", BUFFER, 1), ("10:15", "free", 1)]
    assert ("12:00", "Time off: lunch", 4) in first and ("13:00", "free", 1) in first
    assert cells_of(grid, 1) == [("09:00", NOT_WORKING, 4), ("10:00", "free", 1), ("10:15", "free", 1),
                                 ("10:30", "visit", 2), ("11:00", "free", 1), ("11:15", "free", 1),
                                 ("11:30", "free", 1), ("11:45", "free", 1), ("12:00", NOT_WORKING, 20)]
    assert [row.now for row in grid.rows[:3]] == [False, True, False]
    assert grid.rows[0].cells[0].now and grid.rows[0].cells[1].now  # the cells over 9:20 in both columns


def test_nobody_working_shows_eight_to_six_widened_to_a_visit_outside_it() -> None:
    assert [grid.rows[0].time for grid in [build_grid([column(1, None)], [], now=at(12), tz=CALGARY)]] == [time(8)]
    grid = build_grid([column(1, None)], [visit(1, at(18, 30), 45)], now=at(12), tz=CALGARY)
    assert grid.rows[0].time == time(8) and grid.rows[-1].time == time(19, 45)
    assert cells_of(grid, 0) == [("08:00", NOT_WORKING, 42), ("18:30", "visit", 3), ("19:15", NOT_WORKING, 3)]


def test_a_visit_whose_first_row_is_taken_begins_at_the_next_but_keeps_its_own_times() -> None:
    early = visit(1, at(10), 20)
    late = visit(1, at(10, 20), 30)
    grid = build_grid([column(1)], [early, late], now=at(8), tz=CALGARY)
    blocks = {cell.visit.id: (row.time, cell.rows) for row in grid.rows for cell in row.cells
              if isinstance(cell, VisitCell)}
    assert blocks == {early.id: (time(10), 2), late.id: (time(10, 30), 2)}
    assert grid.visits[1].visit.starts_at == at(10, 20)


def test_a_pair_knows_its_partner_across_columns_but_visits_booked_apart_do_not() -> None:
    massage = visit(1, at(9), 60)
    physio = visit(2, at(10), 45)
    apart = visit(2, at(14), 45, screening_id=uuid.uuid4())  # the same patient, another booking, not back to back
    grid = build_grid([column(1), column(2)], [massage, physio, apart, visit(1, at(11), patient_id=2)],
                      now=at(8), tz=CALGARY)
    partners = {cell.visit.id: cell.partner for cell in grid.visits}
    assert partners[massage.id] == physio and partners[physio.id] == massage
    assert partners[apart.id] is None and sum(partner is not None for partner in partners.values()) == 2


def test_the_week_marks_now_only_in_todays_column() -> None:
    days = [DAY + timedelta(days=offset) for offset in range(-2, 5)]
    grid = build_grid([column(1, day=day) for day in days], [], now=at(11, 5), tz=CALGARY)
    marked = [(row.time, index) for row in grid.rows for index, cell in enumerate(row.cells) if cell and cell.now]
    assert marked == [(time(11), 2)]


def test_a_closed_day_is_shaded_with_its_label() -> None:
    closed = Away(at(0), at(0, day=DAY + timedelta(days=1)), "Clinic closed: Staff training")
    assert cells_of(build_grid([column(1, away=(closed,))], [], now=at(8), tz=CALGARY), 0) == [
        ("09:00", "Clinic closed: Staff training", 32)]


def test_on_the_day_the_clocks_go_forward_the_skipped_rows_are_closed_and_the_times_stay_on_the_wall() -> None:
    spring = date(2026, 3, 8)
    grid = build_grid([column(1, 1, 5, day=spring)], [visit(1, at(3, day=spring), 60)], now=at(8), tz=CALGARY)
    assert cells_of(grid, 0) == [("01:00", "free", 1), ("01:15", "free", 1), ("01:30", "free", 1),
                                 ("01:45", "free", 1), ("02:00", NO_SUCH_TIME, 4), ("03:00", "visit", 4),
                                 ("04:00", "free", 1), ("04:15", "free", 1), ("04:30", "free", 1),
                                 ("04:45", "free", 1)]


# Properties over random columns and visits, on ordinary days and days the clocks change.
DAYS = [(CALGARY, date(2026, 3, 8)), (CALGARY, date(2026, 11, 1)), (CALGARY, date(2026, 7, 15)),
        (ZoneInfo("Europe/London"), date(2026, 3, 29)), (ZoneInfo("Australia/Lord_Howe"), date(2026, 4, 5))]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Case:
    """Random columns and visits in a zone, and the clock."""

    zone: ZoneInfo
    columns: list[Column]
    visits: list[GridVisit]
    now: datetime

    @property
    def grid(self) -> Grid:
        """Their grid."""
        return build_grid(self.columns, self.visits, now=self.now, tz=self.zone)


@st.composite
def days(draw: st.DrawFn) -> Case:
    """One to four columns on one local day (or a week's days of one therapist), their visits, and a clock."""
    zone, day = draw(st.sampled_from(DAYS))
    week = draw(st.booleans())
    count = draw(st.integers(1, 4))
    local = local_day(day, zone, 15)
    columns, visits = [], []
    for index in range(count):
        shown = day + timedelta(days=index) if week else day
        therapist = 1 if week else index + 1
        wall = local_day(shown, zone, 15)
        opens, closes = sorted(draw(st.lists(st.integers(0, 24 * 4), min_size=2, max_size=2, unique=True)))
        working = () if draw(st.booleans()) and index else (
            (wall.at(time(opens // 4, opens % 4 * 15)), wall.end if closes == 96 else wall.at(time(closes // 4,
                                                                                                   closes % 4 * 15))),)
        away = []
        if draw(st.booleans()):
            start = draw(st.integers(0, 23 * 60))
            length = draw(st.integers(1, 300))
            away.append(Away(wall.start + timedelta(minutes=start),
                             wall.start + timedelta(minutes=start + length), "Time off"))
        columns.append(Column(therapist, f"T{therapist}", "massage", shown, tuple(working), tuple(away)))
        minute = draw(st.integers(5 * 60, 9 * 60))
        for _ in range(draw(st.integers(0, 6))):
            minute += draw(st.sampled_from([0, 0, 5, 15, 30]))
            length = draw(st.sampled_from([5, 10, 15, 30, 45, 60, 90]))
            buffer = draw(st.sampled_from([0, 0, 10, 15]))
            start = wall.start + timedelta(minutes=minute)
            end = start + timedelta(minutes=length)
            visits.append(GridVisit(uuid.uuid4(), therapist, start, end, end + timedelta(minutes=buffer),
                                    draw(st.integers(1, 2)), "P", 1, "S", "massage", "booked", False, None,
                                    SCREENING))
            minute += length + buffer
    now = local.start + timedelta(minutes=draw(st.integers(-60, 26 * 60)))
    return Case(zone, columns, visits, now)


@SETTINGS
@given(days())
def test_every_row_has_one_cell_or_covered_slot_per_column_and_blocks_never_overlap(
        case: Case) -> None:
    columns, grid = case.columns, case.grid
    for index in range(len(columns)):
        covered_until = 0
        for number, row in enumerate(grid.rows):
            cell = row.cells[index]
            assert len(row.cells) == len(columns)
            if number < covered_until:
                assert cell is None, (number, cell)
            else:
                assert cell is not None, number
                covered_until = number + getattr(cell, "rows", 1)
        assert covered_until == len(grid.rows)


@SETTINGS
@given(days())
def test_every_visit_is_shown_once_and_pairs_know_each_other(
        case: Case) -> None:
    visits, grid = case.visits, case.grid
    assert sorted(str(cell.visit.id) for cell in grid.visits) == sorted(str(item.id) for item in visits)
    for cell in grid.visits:
        assert cell.rows >= 1
        if cell.partner is not None:
            assert next(other.partner for other in grid.visits if other.visit == cell.partner) == cell.visit


@SETTINGS
@given(days())
def test_free_cells_are_inside_working_hours_never_in_a_visit_or_away(
        case: Case) -> None:
    zone, columns, visits, grid = case.zone, case.columns, case.visits, case.grid
    starts = set()
    for row in grid.rows:
        for own, cell in zip(columns, row.cells, strict=True):
            if not isinstance(cell, FreeCell):
                continue
            moment = cell.starts_at
            assert moment.astimezone(zone).replace(tzinfo=None).time() == row.time
            assert (cell.therapist_id, moment) not in starts
            starts.add((cell.therapist_id, moment))
            assert any(start <= moment < end for start, end in own.working)
            assert not any(span.starts_at <= moment < span.ends_at for span in own.away)
            assert not any(item.starts_at <= moment < item.blocked_until for item in visits
                           if item.therapist_id == own.therapist_id)


@SETTINGS
@given(days())
def test_the_current_time_is_marked_in_its_own_columns_row_only(
        case: Case) -> None:
    zone, columns, now, grid = case.zone, case.columns, case.now, case.grid
    marked = {index for row in grid.rows for index, cell in enumerate(row.cells) if cell is not None and cell.now}
    today = now.astimezone(zone).date()
    assert marked <= {index for index, own in enumerate(columns) if own.day == today}
    assert sum(row.now for row in grid.rows) <= 1
    assert bool(marked) == any(row.now for row in grid.rows)
