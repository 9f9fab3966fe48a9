"""Table tests for open_slots, first_available and is_bookable on ordinary days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling import (
    Interval,
    Slot,
    SlotRules,
    SlotSearchError,
    TherapistCalendar,
    WorkingHours,
    first_available,
    is_bookable,
    open_slots,
)

TZ = ZoneInfo("America/Edmonton")
MONDAY = date(2026, 6, 8)
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=TZ)
HOUR = timedelta(hours=1)
NO_BUFFER = timedelta()


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    """An aware Edmonton datetime on ``day``."""
    return datetime.combine(day, time(hour, minute), TZ)


def span(start: tuple[int, int], end: tuple[int, int], day: date = MONDAY) -> Interval:
    """An interval between two local times on ``day``."""
    return Interval(at(*start, day=day), at(*end, day=day))


def calendar(*hours: WorkingHours, therapist_id: int = 1, busy: tuple[Interval, ...] = (),
             time_off: tuple[Interval, ...] = ()) -> TherapistCalendar:
    """A calendar with the given shifts (default: Monday 09:00-12:00)."""
    shifts = hours or (WorkingHours(0, time(9), time(12)),)
    return TherapistCalendar(therapist_id, shifts, time_off=time_off, busy=busy)


def search(cal: TherapistCalendar, *, duration: timedelta = HOUR, buffer: timedelta = NO_BUFFER,
           date_from: date = MONDAY, date_to: date = MONDAY, now: datetime = NOW,
           rules: SlotRules = SlotRules()) -> list[Slot]:
    """open_slots with this module's defaults."""
    return open_slots(cal, duration=duration, buffer=buffer, date_from=date_from, date_to=date_to,
                      now=now, tz=TZ, rules=rules)


def local_starts(slots: list[Slot]) -> list[str]:
    """The local HH:MM start times of ``slots``."""
    return [slot.starts_at.astimezone(TZ).strftime("%H:%M") for slot in slots]


def bookable(cal: TherapistCalendar, start: datetime, *, duration: timedelta = HOUR,
             buffer: timedelta = NO_BUFFER, now: datetime = NOW,
             rules: SlotRules = SlotRules()) -> bool:
    """is_bookable with this module's defaults."""
    return is_bookable(cal, start, duration=duration, buffer=buffer, now=now, tz=TZ, rules=rules)


def test_basic_day() -> None:
    slots = search(calendar())
    assert local_starts(slots) == ["09:00", "09:15", "09:30", "09:45", "10:00",
                                   "10:15", "10:30", "10:45", "11:00"]
    assert all(slot.starts_at.tzinfo is UTC and slot.ends_at.tzinfo is UTC for slot in slots)
    assert all(slot.ends_at - slot.starts_at == HOUR and slot.therapist_id == 1 for slot in slots)
    assert slots[0].starts_at == datetime(2026, 6, 8, 15, 0, tzinfo=UTC)


def test_no_shift_that_day() -> None:
    assert search(calendar(), date_from=MONDAY + timedelta(days=1),
                  date_to=MONDAY + timedelta(days=6)) == []


def test_buffer_blocks_the_start_before_a_booking_but_may_pass_the_shift_end() -> None:
    cal = calendar(WorkingHours(0, time(9), time(13)), busy=(span((10, 0), (11, 0)),))
    assert local_starts(search(cal)) == ["09:00", "11:00", "11:15", "11:30", "11:45", "12:00"]
    assert local_starts(search(cal, buffer=timedelta(minutes=15))) == [
        "11:00", "11:15", "11:30", "11:45", "12:00"]


def test_back_to_back_is_allowed() -> None:
    cal = calendar(busy=(span((10, 0), (11, 0)),))
    assert local_starts(search(cal)) == ["09:00", "11:00"]
    assert bookable(cal, at(9)) and bookable(cal, at(11))


@pytest.mark.parametrize("minute", [15, 30, 45, 60, 75, 90, 105])
def test_overlap_is_blocked(minute: int) -> None:
    cal = calendar(busy=(span((10, 0), (11, 0)),))
    start = at(9) + timedelta(minutes=minute)
    assert start not in {slot.starts_at for slot in search(cal)}
    assert not bookable(cal, start)


def test_overlapping_bookings_in_other_zones_are_merged() -> None:
    utc_booking = Interval(datetime(2026, 6, 8, 16, 0, tzinfo=UTC),
                           datetime(2026, 6, 8, 16, 30, tzinfo=UTC))
    cal = calendar(busy=(span((10, 15), (11, 0)), utc_booking))
    assert local_starts(search(cal)) == ["09:00", "11:00"]


def test_time_off_blocks_visit_and_buffer() -> None:
    cal = calendar(time_off=(span((11, 0), (12, 0)),))
    assert local_starts(search(cal)) == ["09:00", "09:15", "09:30", "09:45", "10:00"]
    assert local_starts(search(cal, buffer=timedelta(minutes=30))) == ["09:00", "09:15", "09:30"]
    whole_day = calendar(time_off=(Interval(at(0), at(0, day=MONDAY + timedelta(days=1))),))
    assert search(whole_day) == []


def test_valid_from_and_valid_to_are_inclusive() -> None:
    first, second, third = MONDAY, MONDAY + timedelta(days=7), MONDAY + timedelta(days=14)
    cal = calendar(WorkingHours(0, time(9), time(10), valid_to=first),
                   WorkingHours(0, time(14), time(15), valid_from=second, valid_to=second))
    slots = search(cal, date_from=first, date_to=third)
    assert [(s.starts_at.astimezone(TZ).date(), s.starts_at.astimezone(TZ).strftime("%H:%M"))
            for s in slots] == [(first, "09:00"), (second, "14:00")]


def test_min_notice() -> None:
    assert local_starts(search(calendar(), now=at(7, 0)))[0] == "09:00"
    assert local_starts(search(calendar(), now=at(8, 0)))[0] == "10:00"
    assert local_starts(search(calendar(), now=at(8, 1)))[0] == "10:15"
    rules = SlotRules(min_notice=timedelta(0))
    assert local_starts(search(calendar(), now=at(9, 30), rules=rules))[0] == "09:30"
    assert not bookable(calendar(), at(10), now=at(8, 1))


def test_horizon() -> None:
    rules = SlotRules(horizon_days=7)
    now = datetime.combine(MONDAY - timedelta(days=7), time(10, 7), TZ)
    assert local_starts(search(calendar(), now=now, rules=rules)) == [
        "09:00", "09:15", "09:30", "09:45", "10:00"]
    later = search(calendar(), now=now, rules=rules, date_from=MONDAY,
                   date_to=MONDAY + timedelta(days=20))
    assert {slot.starts_at.astimezone(TZ).date() for slot in later} == {MONDAY}
    assert not bookable(calendar(), at(10, 15), now=now, rules=rules)


def test_range_in_the_past_is_empty_not_an_error() -> None:
    assert search(calendar(), now=at(8, 0, day=MONDAY + timedelta(days=30))) == []


def test_grid_15_versus_30() -> None:
    cal = calendar(WorkingHours(0, time(9, 15), time(11)))
    assert local_starts(search(cal)) == ["09:15", "09:30", "09:45", "10:00"]
    coarse = SlotRules(grid_minutes=30)
    assert local_starts(search(cal, rules=coarse)) == ["09:30", "10:00"]
    assert not bookable(cal, at(9, 45), rules=coarse)
    assert not bookable(cal, at(9, 40)) and not bookable(cal, at(10) + timedelta(seconds=1))


def test_shifts_are_not_joined_and_duplicates_are_dropped() -> None:
    split = calendar(WorkingHours(0, time(9), time(10, 30)), WorkingHours(0, time(10, 30), time(12)))
    assert local_starts(search(split)) == ["09:00", "09:15", "09:30", "10:30", "10:45", "11:00"]
    overlapping = calendar(WorkingHours(0, time(9), time(11)), WorkingHours(0, time(10), time(12)))
    assert local_starts(search(overlapping)) == local_starts(search(calendar()))


@pytest.mark.parametrize(("date_to", "message"), [
    (MONDAY - timedelta(days=1), "Choose an end date on or after the start date."),
    (MONDAY + timedelta(days=31), "Choose a range of at most 31 days."),
])
def test_range_errors(date_to: date, message: str) -> None:
    with pytest.raises(SlotSearchError) as raised:
        search(calendar(), date_to=date_to)
    assert raised.value.errors == {"to": message}
    with pytest.raises(SlotSearchError):
        first_available([calendar()], duration=HOUR, buffer=NO_BUFFER, date_from=MONDAY,
                        date_to=date_to, now=NOW, tz=TZ)


def test_thirty_one_days_is_allowed_and_the_limit_follows_the_rules() -> None:
    assert len(search(calendar(), date_to=MONDAY + timedelta(days=30))) == 9 * 5
    with pytest.raises(SlotSearchError) as raised:
        search(calendar(), date_to=MONDAY + timedelta(days=7), rules=SlotRules(max_range_days=7))
    assert raised.value.errors == {"to": "Choose a range of at most 7 days."}


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        search(calendar(), duration=timedelta(0))
    with pytest.raises(ValueError):
        search(calendar(), buffer=timedelta(minutes=-5))
    with pytest.raises(ValueError):
        search(calendar(), now=datetime(2026, 6, 1, 8, 0))
    with pytest.raises(ValueError):
        WorkingHours(0, time(12), time(9))
    with pytest.raises(ValueError):
        SlotRules(grid_minutes=0)


def test_first_available_prefers_the_least_booked_therapist_then_lowest_id() -> None:
    shift = WorkingHours(0, time(9), time(12))
    busy_one = calendar(shift, therapist_id=1, busy=(span((9, 0), (10, 0)),))
    free_two = calendar(shift, therapist_id=2)
    free_three = calendar(shift, therapist_id=3)
    slots = first_available([busy_one, free_three, free_two], duration=HOUR, buffer=NO_BUFFER,
                            date_from=MONDAY, date_to=MONDAY, now=NOW, tz=TZ)
    assert local_starts(slots) == local_starts(search(free_two))
    assert {slot.therapist_id for slot in slots} == {2}


def test_first_available_falls_back_to_whoever_is_open_and_dedups() -> None:
    morning = calendar(WorkingHours(0, time(9), time(11)), therapist_id=7,
                       busy=(span((9, 0), (10, 0)), span((10, 0), (11, 0), day=MONDAY)))
    early = calendar(WorkingHours(0, time(8), time(11)), therapist_id=4)
    late = calendar(WorkingHours(0, time(10), time(13)), therapist_id=9,
                    busy=(span((12, 0), (13, 0)),))
    slots = first_available([late, early, morning], duration=HOUR, buffer=NO_BUFFER,
                            date_from=MONDAY, date_to=MONDAY, now=NOW, tz=TZ)
    starts = [slot.starts_at for slot in slots]
    assert starts == sorted(set(starts))
    chosen = {slot.starts_at.astimezone(TZ).strftime("%H:%M"): slot.therapist_id for slot in slots}
    assert chosen == {"08:00": 4, "08:15": 4, "08:30": 4, "08:45": 4, "09:00": 4, "09:15": 4,
                      "09:30": 4, "09:45": 4, "10:00": 4, "10:15": 9, "10:30": 9, "10:45": 9,
                      "11:00": 9}


def test_first_available_ranks_by_booked_time_on_that_local_day() -> None:
    shift = WorkingHours(0, time(9), time(12))
    tuesday_busy = span((9, 0), (17, 0), day=MONDAY + timedelta(days=1))
    one = calendar(shift, therapist_id=1, busy=(tuesday_busy, span((11, 0), (12, 0))))
    two = calendar(shift, therapist_id=2, busy=(span((9, 0), (9, 30)),))
    slots = first_available([one, two], duration=HOUR, buffer=NO_BUFFER, date_from=MONDAY,
                            date_to=MONDAY, now=NOW, tz=TZ)
    chosen = {slot.starts_at.astimezone(TZ).strftime("%H:%M"): slot.therapist_id for slot in slots}
    assert chosen == {"09:00": 1, "09:15": 1, "09:30": 2, "09:45": 2, "10:00": 2, "10:15": 2,
                      "10:30": 2, "10:45": 2, "11:00": 2}


def test_first_available_without_calendars() -> None:
    assert first_available([], duration=HOUR, buffer=NO_BUFFER, date_from=MONDAY,
                           date_to=MONDAY, now=NOW, tz=TZ) == []


def test_is_bookable_agrees_with_open_slots_for_every_minute() -> None:
    cal = calendar(WorkingHours(0, time(8), time(13)), busy=(span((9, 40), (10, 10)),),
                   time_off=(span((11, 50), (12, 5)),))
    buffer = timedelta(minutes=10)
    open_starts = {slot.starts_at for slot in search(cal, buffer=buffer)}
    assert open_starts
    for minute in range(24 * 60):
        start = at(0) + timedelta(minutes=minute)
        assert bookable(cal, start, buffer=buffer) == (start in open_starts), start


def test_shifts_are_offered_only_inside_the_opening_hours() -> None:
    closed_on_monday = SlotRules(opening_hours=(None,) + ((time(7), time(21)),) * 6)
    assert search(calendar(), rules=closed_on_monday) == []
    late_opening = SlotRules(opening_hours=((time(10), time(11, 30)),) + (None,) * 6)
    assert local_starts(search(calendar(), rules=late_opening)) == ["10:00", "10:15", "10:30"]
    assert not bookable(calendar(), at(9), rules=late_opening) and bookable(calendar(), at(10), rules=late_opening)


def test_a_day_the_clinic_is_closed_offers_nothing_and_the_next_day_is_as_usual() -> None:
    tuesday = MONDAY + timedelta(days=1)
    cal = calendar(WorkingHours(0, time(9), time(12)), WorkingHours(1, time(9), time(12)))
    closed = SlotRules(closed_days=frozenset({MONDAY}))
    assert search(cal, rules=closed) == []
    assert first_available([cal], duration=HOUR, buffer=NO_BUFFER, date_from=MONDAY, date_to=MONDAY, now=NOW,
                           tz=TZ, rules=closed) == []
    assert not bookable(cal, at(9), rules=closed) and bookable(cal, at(9))
    assert local_starts(search(cal, date_from=tuesday, date_to=tuesday, rules=closed))[0] == "09:00"
