"""Hypothesis properties and a brute-force, minute-by-minute oracle for slot search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.scheduling import (
    Interval,
    Slot,
    SlotRules,
    TherapistCalendar,
    WorkingHours,
    first_available,
    is_bookable,
    open_slots,
)

MINUTE = timedelta(minutes=1)
ONE_DAY = timedelta(days=1)
ANCHORS = [
    ("America/Edmonton", date(2026, 3, 8)), ("America/Edmonton", date(2026, 11, 1)),
    ("America/Edmonton", date(2027, 3, 14)), ("America/Edmonton", date(2026, 7, 15)),
    ("Europe/London", date(2026, 3, 29)), ("Australia/Lord_Howe", date(2026, 4, 5)),
    ("Australia/Lord_Howe", date(2026, 10, 4)), ("America/Santiago", date(2026, 4, 4)),
    ("America/Santiago", date(2026, 9, 6)),
]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Case:
    """One random search: calendars, visit, range, clock and rules."""

    calendars: list[TherapistCalendar]
    duration: timedelta
    buffer: timedelta
    date_from: date
    date_to: date
    now: datetime
    tz: ZoneInfo
    rules: SlotRules

    def search(self, calendar: TherapistCalendar) -> list[Slot]:
        """open_slots for one of the calendars."""
        return open_slots(calendar, duration=self.duration, buffer=self.buffer,
                          date_from=self.date_from, date_to=self.date_to, now=self.now,
                          tz=self.tz, rules=self.rules)

    def bookable(self, calendar: TherapistCalendar, start: datetime) -> bool:
        """is_bookable for one of the calendars."""
        return is_bookable(calendar, start, duration=self.duration, buffer=self.buffer,
                           now=self.now, tz=self.tz, rules=self.rules)


@st.composite
def shifts(draw: st.DrawFn, around: date) -> WorkingHours:
    """A random weekly shift, sometimes limited to dates near ``around``."""
    step = draw(st.sampled_from([5, 15]))
    start = draw(st.integers(0, 300 // step) | st.integers(0, 1440 // step - 2)) * step
    end = draw(st.integers(start // step + 1, 1439 // step)) * step
    nearby = st.integers(0, 2).map(lambda days: (around + days * ONE_DAY).weekday())

    def near(first: int, last: int) -> st.SearchStrategy[date | None]:
        return st.none() | st.integers(first, last).map(lambda days: around + days * ONE_DAY)

    return WorkingHours(draw(nearby | st.integers(0, 6)), time(*divmod(start, 60)),
                        time(*divmod(end, 60)), valid_from=draw(near(-2, 1)),
                        valid_to=draw(near(0, 3)))


@st.composite
def intervals(draw: st.DrawFn, origin: datetime, longest: int) -> Interval:
    """A random interval aligned to 5, 15 or 60 minutes within a few days of ``origin``."""
    step = draw(st.sampled_from([5, 15, 60])) * MINUTE
    offset = draw(st.integers(-100 * MINUTE // step, 4 * ONE_DAY // step))
    length = draw(st.integers(1, max(1, longest * MINUTE // step)))
    return Interval(origin + offset * step, origin + (offset + length) * step)


@st.composite
def calendars(draw: st.DrawFn, therapist_id: int, around: date,
              origin: datetime) -> TherapistCalendar:
    """A random calendar with shifts, bookings and time off near ``around``."""
    return TherapistCalendar(
        therapist_id,
        draw(st.lists(shifts(around), min_size=1, max_size=4)),
        time_off=draw(st.lists(intervals(origin, 600), max_size=2)),
        busy=draw(st.lists(intervals(origin, 180), max_size=4)),
    )


@st.composite
def cases(draw: st.DrawFn, therapists: int = 1, on_change: bool = False) -> Case:
    """A random search near a daylight-saving anchor, or on it with night shifts added."""
    zone, anchor = draw(st.sampled_from(ANCHORS))
    tz = ZoneInfo(zone)
    date_from = anchor if on_change else anchor + timedelta(days=draw(st.integers(-2, 1)))
    origin = datetime.combine(date_from, time(), tz).astimezone(UTC)
    rules = SlotRules(grid_minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60])),
                      min_notice=draw(st.integers(0, 8 * 60)) * MINUTE,
                      horizon_days=draw(st.integers(3 if on_change else 0, 6)))
    found = [draw(calendars(number, date_from, origin)) for number in range(1, therapists + 1)]
    if on_change:
        start = draw(st.integers(0, 14)) * 15
        end = draw(st.integers(start // 15 + 1, 20)) * 15
        nights = [WorkingHours(anchor.weekday(), time(*divmod(start, 60)), time(*divmod(end, 60))),
                  WorkingHours(anchor.weekday(), time(21), time(23, 55))]
        found = [TherapistCalendar(cal.therapist_id, [*cal.hours, *nights], cal.time_off, cal.busy)
                 for cal in found]
    return Case(
        calendars=found,
        duration=draw(st.integers(1, 36)) * 5 * MINUTE,
        buffer=draw(st.integers(0, 12)) * 5 * MINUTE,
        date_from=date_from,
        date_to=date_from + timedelta(days=0 if on_change else draw(st.integers(0, 2))),
        now=origin + draw(st.integers(-2 * 1440, -480 if on_change else 2 * 1440)) * MINUTE,
        tz=tz,
        rules=rules,
    )


def shift_span(walls: list[tuple[datetime, datetime]], day: date,
               shift: WorkingHours) -> tuple[datetime, datetime]:
    """Real span of a shift: from the first minute the clock reads its start to its end."""
    begin, finish = datetime.combine(day, shift.start), datetime.combine(day, shift.end)
    first = next(instant for instant, reading in walls if reading >= begin)
    last = next(instant for instant, reading in walls if reading >= finish)
    return first, last


def oracle(case: Case, calendar: TherapistCalendar) -> list[datetime]:
    """Open starts found by checking every minute of the range naively."""
    origin = datetime.combine(case.date_from - timedelta(days=1), time(), UTC)
    instants = [origin + k * MINUTE for k in range(((case.date_to - case.date_from).days + 4) * 1440)]
    walls = [(instant, instant.astimezone(case.tz).replace(tzinfo=None)) for instant in instants]
    spans: dict[date, list[tuple[datetime, datetime]]] = {}
    day = case.date_from
    while day <= case.date_to:
        spans[day] = [shift_span(walls, day, shift) for shift in calendar.hours
                      if shift.weekday == day.weekday()
                      and (shift.valid_from is None or shift.valid_from <= day)
                      and (shift.valid_to is None or day <= shift.valid_to)]
        day += ONE_DAY
    blocked = [*calendar.busy, *calendar.time_off]
    earliest = case.now + case.rules.min_notice
    latest = case.now + timedelta(days=case.rules.horizon_days)
    found: list[datetime] = []
    for instant, reading in walls:
        if reading.date() not in spans or (reading.hour * 60 + reading.minute) % case.rules.grid_minutes:
            continue
        visit_end, reach = instant + case.duration, instant + case.duration + case.buffer
        if (any(start <= instant and visit_end <= end for start, end in spans[reading.date()])
                and not any(item.start < reach and instant < item.end for item in blocked)
                and earliest <= instant < latest):
            found.append(instant)
    return found


def within(shift: WorkingHours, day: date, slot: Slot, tz: ZoneInfo) -> bool:
    """Whether the slot fits the shift on ``day``, under either reading of a DST-affected time."""
    def instants(moment: time) -> list[datetime]:
        return [datetime.combine(day, moment, tz).replace(fold=fold).astimezone(UTC)
                for fold in (0, 1)]

    return (day.weekday() == shift.weekday
            and (shift.valid_from is None or shift.valid_from <= day)
            and (shift.valid_to is None or day <= shift.valid_to)
            and min(instants(shift.start)) <= slot.starts_at
            and slot.ends_at <= max(instants(shift.end)))


def busy_minutes(calendar: TherapistCalendar, start: datetime, end: datetime) -> int:
    """Minutes in [start, end) covered by any booking, counted one by one."""
    return sum(1 for k in range(int((end - start) / MINUTE))
               if any(item.start <= start + k * MINUTE < item.end for item in calendar.busy))


@SETTINGS
@given(cases() | cases(on_change=True))
def test_open_slots_match_the_brute_force_oracle(case: Case) -> None:
    calendar = case.calendars[0]
    assert [slot.starts_at for slot in case.search(calendar)] == oracle(case, calendar)


@SETTINGS
@given(cases() | cases(on_change=True), st.data())
def test_open_slots_properties(case: Case, data: st.DataObject) -> None:
    calendar = case.calendars[0]
    slots = case.search(calendar)
    starts = [slot.starts_at for slot in slots]
    assert starts == sorted(set(starts))
    for slot in slots:
        local = slot.starts_at.astimezone(case.tz)
        assert slot.starts_at.tzinfo is UTC and slot.ends_at.tzinfo is UTC
        assert slot.therapist_id == calendar.therapist_id
        assert slot.ends_at - slot.starts_at == case.duration
        assert case.date_from <= local.date() <= case.date_to
        assert (local.hour * 60 + local.minute) % case.rules.grid_minutes == 0 and local.second == 0
        assert case.now + case.rules.min_notice <= slot.starts_at
        assert slot.starts_at < case.now + timedelta(days=case.rules.horizon_days)
        assert any(within(shift, local.date(), slot, case.tz) for shift in calendar.hours)
        reach = slot.ends_at + case.buffer
        for item in [*calendar.busy, *calendar.time_off]:
            assert reach <= item.start or item.end <= slot.starts_at
        assert case.bookable(calendar, slot.starts_at)
    origin = datetime.combine(case.date_from, time(), case.tz).astimezone(UTC)
    probes = data.draw(st.lists(st.integers(0, 3 * 1440 - 1), max_size=30))
    for probe in (origin + minute * MINUTE for minute in probes):
        if case.date_from <= probe.astimezone(case.tz).date() <= case.date_to:
            assert case.bookable(calendar, probe) == (probe in starts)


@settings(SETTINGS, max_examples=60)
@given(cases(therapists=3) | cases(therapists=3, on_change=True))
def test_first_available_picks_one_open_least_booked_therapist_per_start(case: Case) -> None:
    slots = first_available(case.calendars, duration=case.duration, buffer=case.buffer,
                            date_from=case.date_from, date_to=case.date_to, now=case.now,
                            tz=case.tz, rules=case.rules)
    open_by_therapist = {calendar.therapist_id: {slot.starts_at for slot in case.search(calendar)}
                         for calendar in case.calendars}
    starts = [slot.starts_at for slot in slots]
    assert starts == sorted(set(starts))
    assert set(starts) == set().union(*open_by_therapist.values())
    booked: dict[tuple[int, date], int] = {}
    for calendar in case.calendars:
        day = case.date_from
        while day <= case.date_to:
            day_start = datetime.combine(day, time(), case.tz).astimezone(UTC)
            day_end = datetime.combine(day + ONE_DAY, time(), case.tz).astimezone(UTC)
            booked[calendar.therapist_id, day] = busy_minutes(calendar, day_start, day_end)
            day += ONE_DAY
    for slot in slots:
        day = slot.starts_at.astimezone(case.tz).date()
        best = min((booked[therapist_id, day], therapist_id)
                   for therapist_id, starts in open_by_therapist.items() if slot.starts_at in starts)
        assert slot.therapist_id == best[1]
        assert slot.ends_at - slot.starts_at == case.duration
