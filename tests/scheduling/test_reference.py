"""The slot search against a plain reference: every minute of a range checked against the rules one by one.

The search works out open starts arithmetically (runs of a day's grid from shift bounds and the gaps between
bookings) and overlays therapists by rank; the reference reads the clock minute by minute, tests every grid
start against every shift, booking and time off, and ranks therapists by counting their booked minutes. They
must agree exactly over random calendars of several therapists and searches of up to 14 days, across
daylight-saving changes, with opening hours and closed days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.scheduling import Interval, Slot, SlotRules, TherapistCalendar, WorkingHours, first_available
from tests.scheduling.test_properties import MINUTE, ONE_DAY, Case, intervals, shift_span, shifts

# Edmonton's changes, a plain summer fortnight, and a zone that moves its clocks by half an hour.
CHANGES = [("America/Edmonton", date(2026, 3, 8)), ("America/Edmonton", date(2026, 11, 1)),
           ("America/Edmonton", date(2027, 3, 14)), ("America/Edmonton", date(2026, 7, 15)),
           ("Australia/Lord_Howe", date(2026, 4, 5))]
Wall = tuple[datetime, datetime]  # a UTC minute and what the clinic's clock reads then


def days_of(search: Case) -> list[date]:
    """The local days searched."""
    return [search.date_from + offset * ONE_DAY for offset in range((search.date_to - search.date_from).days + 1)]


def walls_of(search: Case) -> list[Wall]:
    """Every UTC minute from a day before the range to two days after it, with the local clock's reading."""
    origin = datetime.combine(search.date_from - ONE_DAY, time(), UTC)
    minutes = range(((search.date_to - search.date_from).days + 4) * 1440)
    return [(instant, instant.astimezone(search.tz).replace(tzinfo=None))
            for instant in (origin + k * MINUTE for k in minutes)]


@st.composite
def opening_hours(draw: st.DrawFn) -> tuple[tuple[time, time] | None, ...] | None:
    """No limit, or per weekday closed or open between two quarter hours."""
    def day() -> st.SearchStrategy[tuple[time, time] | None]:
        return st.none() | st.tuples(st.integers(0, 48), st.integers(1, 47)).map(
            lambda pair: (time(*divmod(pair[0] * 15, 60)), time(*divmod(min(95, pair[0] + pair[1]) * 15, 60))))
    return draw(st.none() | st.tuples(*[day() for _ in range(7)]))


@st.composite
def calendar(draw: st.DrawFn, therapist_id: int, days: list[date], tz: ZoneInfo) -> TherapistCalendar:
    """Random shifts, often with the clinic's common day shifts too (so that therapists compete for the same
    starts), and bookings and time off on any day of the range."""
    def anywhere(longest: int) -> st.SearchStrategy[Interval]:
        return st.sampled_from(days).flatmap(
            lambda day: intervals(datetime.combine(day, time(), tz).astimezone(UTC), longest))
    common = [WorkingHours(weekday, time(8), time(18)) for weekday in draw(st.sets(st.integers(0, 6)))]
    return TherapistCalendar(therapist_id, [*draw(st.lists(shifts(days[0]), max_size=3)), *common],
                             time_off=draw(st.lists(anywhere(600), max_size=2)),
                             busy=draw(st.lists(anywhere(180), max_size=12)))


@st.composite
def searches(draw: st.DrawFn) -> Case:
    """Up to four therapists, one to fourteen days around a change, some days closed."""
    zone, change = draw(st.sampled_from(CHANGES))
    tz = ZoneInfo(zone)
    date_from = change - draw(st.integers(0, 9)) * ONE_DAY
    date_to = date_from + draw(st.integers(0, 13)) * ONE_DAY
    days = [date_from + offset * ONE_DAY for offset in range((date_to - date_from).days + 1)]
    found = [draw(calendar(number, days, tz))
             for number in draw(st.lists(st.integers(1, 9), min_size=1, max_size=4, unique=True))]
    rules = SlotRules(grid_minutes=draw(st.sampled_from([5, 15, 20, 30, 45, 60])),
                      min_notice=draw(st.integers(0, 8 * 60)) * MINUTE,
                      horizon_days=draw(st.integers(0, 16)), opening_hours=draw(opening_hours()),
                      closed_days=frozenset(draw(st.lists(st.sampled_from(days), max_size=3))))
    # now on a five-minute boundary, so that the horizon's end is often a grid start
    now = datetime.combine(date_from, time(), tz).astimezone(UTC) + draw(st.integers(-2 * 288, 3 * 288)) * 5 * MINUTE
    return Case(found, draw(st.integers(1, 36)) * 5 * MINUTE, draw(st.integers(0, 12)) * 5 * MINUTE,
                  date_from, date_to, now, tz, rules)


def worked(search: Case, calendar: TherapistCalendar, day: date) -> list[WorkingHours]:
    """The therapist's shifts on a local day, each cut to the clinic's opening hours of that weekday."""
    hours = search.rules.opening_hours
    today = None if hours is None else hours[day.weekday()]
    if day in search.rules.closed_days or (hours is not None and today is None):
        return []
    found = []
    for shift in calendar.hours:
        if (shift.weekday != day.weekday() or (shift.valid_from is not None and day < shift.valid_from)
                or (shift.valid_to is not None and day > shift.valid_to)):
            continue
        opens, closes = today or (shift.start, shift.end)
        start, end = max(shift.start, opens), min(shift.end, closes)
        if start < end:
            found.append(WorkingHours(shift.weekday, start, end))
    return found


def open_starts(search: Case, walls: list[Wall], calendar: TherapistCalendar) -> list[datetime]:
    """The therapist's open starts, every grid minute of every day tested against each rule."""
    spans = {day: [shift_span(walls, day, shift) for shift in worked(search, calendar, day)] for day in days_of(search)}
    blocked = [*calendar.busy, *calendar.time_off]
    earliest, latest = search.now + search.rules.min_notice, search.now + timedelta(days=search.rules.horizon_days)
    found = []
    for instant, reading in walls:
        if reading.date() not in spans or (reading.hour * 60 + reading.minute) % search.rules.grid_minutes:
            continue
        visit_end, reach = instant + search.duration, instant + search.duration + search.buffer
        if (earliest <= instant < latest
                and any(start <= instant and visit_end <= end for start, end in spans[reading.date()])
                and not any(item.start < reach and instant < item.end for item in blocked)):
            found.append(instant)
    return found


def first_available_reference(search: Case) -> list[Slot]:
    """One slot per open start, to the open therapist with the fewest booked minutes that local day, then the
    lowest id."""
    walls = walls_of(search)
    open_by = {calendar.therapist_id: set(open_starts(search, walls, calendar)) for calendar in search.calendars}
    booked = {calendar.therapist_id: {item.start + k * MINUTE for item in calendar.busy
                                      for k in range((item.end - item.start) // MINUTE)}
              for calendar in search.calendars}
    local_date = dict(walls)
    slots = []
    for start in sorted(set().union(*open_by.values())):
        day = local_date[start].date()
        minutes = {therapist: sum(1 for minute in booked[therapist] if minute in local_date
                                  and local_date[minute].date() == day)
                   for therapist in open_by}
        therapist = min((minutes[therapist], therapist) for therapist, starts in open_by.items() if start in starts)[1]
        slots.append(Slot(therapist, start, start + search.duration))
    return slots


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(searches())
def test_first_available_equals_the_reference(search: Case) -> None:
    assert first_available(search.calendars, duration=search.duration, buffer=search.buffer,
                           date_from=search.date_from, date_to=search.date_to, now=search.now, tz=search.tz,
                           rules=search.rules) == first_available_reference(search)


@SETTINGS
@given(searches())
def test_open_slots_equal_the_reference(search: Case) -> None:
    walls = walls_of(search)
    for calendar in search.calendars:
        assert [slot.starts_at for slot in search.search(calendar)] == open_starts(search, walls, calendar)
