"""Daylight-saving tests: shifts keep local wall-clock times; spanning shifts use real time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

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
from booking.scheduling.localday import midnight

TZ = ZoneInfo("America/Edmonton")
SPRING_2026, FALL_2026, SPRING_2027 = date(2026, 3, 8), date(2026, 11, 1), date(2027, 3, 14)
CHANGES = [SPRING_2026, FALL_2026, SPRING_2027]
HOUR = timedelta(hours=1)


def every_day(start: time, end: time) -> TherapistCalendar:
    """A therapist working ``start``-``end`` local time seven days a week."""
    return TherapistCalendar(1, [WorkingHours(weekday, start, end) for weekday in range(7)])


def slots_on(cal: TherapistCalendar, first: date, last: date | None = None,
             duration: timedelta = HOUR, rules: SlotRules = SlotRules()) -> list[Slot]:
    """open_slots over [first, last] searched a week before ``first``."""
    now = datetime.combine(first - timedelta(days=7), time(12), TZ)
    return open_slots(cal, duration=duration, buffer=timedelta(), date_from=first,
                      date_to=last or first, now=now, tz=TZ, rules=rules)


def wall(slot: Slot) -> str:
    """The local start as HH:MM plus the zone abbreviation."""
    return slot.starts_at.astimezone(TZ).strftime("%H:%M %Z")


@pytest.mark.parametrize("day", CHANGES)
def test_day_shift_keeps_local_times(day: date) -> None:
    slots = slots_on(every_day(time(9), time(17)), day)
    local = [slot.starts_at.astimezone(TZ) for slot in slots]
    assert local[0].time() == time(9) and local[-1].time() == time(16)
    assert len(slots) == 29
    assert all(moment.date() == day for moment in local)
    assert all(slot.starts_at.tzinfo is UTC for slot in slots)


@pytest.mark.parametrize("day", CHANGES)
def test_day_shift_last_start_follows_duration(day: date) -> None:
    slots = slots_on(every_day(time(9), time(17)), day, duration=timedelta(minutes=45))
    assert slots[-1].starts_at.astimezone(TZ).time() == time(16, 15)


@pytest.mark.parametrize(("day", "count", "real_hours"), [
    (SPRING_2026, 9, 3), (FALL_2026, 17, 5), (SPRING_2027, 9, 3)])
def test_shift_spanning_the_change_is_measured_in_real_time(day: date, count: int,
                                                            real_hours: int) -> None:
    slots = slots_on(every_day(time(0), time(4)), day)
    starts = [slot.starts_at for slot in slots]
    assert len(starts) == count == len(set(starts))
    assert starts == sorted(starts)
    assert starts[-1] + HOUR - starts[0] == timedelta(hours=real_hours)
    assert all(b - a == timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))
    for start in starts:
        local = start.astimezone(TZ)
        assert local.hour != 2 or day == FALL_2026
        naive = local.replace(tzinfo=None)
        assert naive.replace(tzinfo=TZ, fold=local.fold).astimezone(UTC) == start


def test_fall_back_offers_both_repeated_hours() -> None:
    labels = [wall(slot) for slot in slots_on(every_day(time(0), time(4)), FALL_2026)]
    assert labels[:10] == ["00:00 MDT", "00:15 MDT", "00:30 MDT", "00:45 MDT", "01:00 MDT",
                           "01:15 MDT", "01:30 MDT", "01:45 MDT", "01:00 MST", "01:15 MST"]
    assert labels[-1] == "03:00 MST"
    cal = every_day(time(0), time(4))
    now = datetime(2026, 10, 25, tzinfo=UTC)
    for fold in (0, 1):
        start = datetime(2026, 11, 1, 1, 15, fold=fold, tzinfo=TZ)
        assert is_bookable(cal, start, duration=HOUR, buffer=timedelta(), now=now, tz=TZ)


def test_spring_forward_skips_the_missing_hour() -> None:
    labels = [wall(slot) for slot in slots_on(every_day(time(0), time(4)), SPRING_2026)]
    assert labels == ["00:00 MST", "00:15 MST", "00:30 MST", "00:45 MST", "01:00 MST",
                      "01:15 MST", "01:30 MST", "01:45 MST", "03:00 MDT"]


def test_boundary_in_the_missing_hour_moves_to_the_jump() -> None:
    slots = slots_on(every_day(time(2, 30), time(5)), SPRING_2026)
    assert wall(slots[0]) == "03:00 MDT" and wall(slots[-1]) == "04:00 MDT"
    ends_in_gap = slots_on(every_day(time(0), time(2, 30)), SPRING_2026)
    assert wall(ends_in_gap[-1]) == "01:00 MST"


def test_boundary_in_the_repeated_hour_is_its_first_occurrence() -> None:
    slots = slots_on(every_day(time(0), time(1, 30)), FALL_2026, duration=timedelta(minutes=30))
    assert wall(slots[-1]) == "01:00 MDT"
    starts_late = slots_on(every_day(time(1, 30), time(3)), FALL_2026)
    assert wall(starts_late[0]) == "01:30 MDT"
    assert starts_late[-1].starts_at - starts_late[0].starts_at == timedelta(hours=1, minutes=30)


@pytest.mark.parametrize("change", CHANGES)
def test_week_spanning_the_change_opens_at_nine_every_day(change: date) -> None:
    slots = slots_on(every_day(time(9), time(17)), change - timedelta(days=3),
                     change + timedelta(days=3))
    first_by_day: dict[date, time] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(TZ)
        first_by_day.setdefault(local.date(), local.time())
    assert len(first_by_day) == 7
    assert set(first_by_day.values()) == {time(9)}
    assert len(slots) == 7 * 29


def test_booking_across_the_change_blocks_real_time() -> None:
    busy = Interval(datetime(2026, 11, 1, 7, 30, tzinfo=UTC), datetime(2026, 11, 1, 8, 30, tzinfo=UTC))
    cal = TherapistCalendar(1, every_day(time(0), time(4)).hours, busy=(busy,))
    labels = [wall(slot) for slot in slots_on(cal, FALL_2026)]
    assert "00:30 MDT" in labels and "00:45 MDT" not in labels
    assert "01:15 MST" not in labels and "01:30 MST" in labels


@pytest.mark.parametrize("change", CHANGES)
def test_first_available_across_the_change(change: date) -> None:
    calendars = [TherapistCalendar(therapist_id, every_day(time(9), time(17)).hours)
                 for therapist_id in (3, 1, 2)]
    now = datetime.combine(change - timedelta(days=7), time(12), TZ)
    slots = first_available(calendars, duration=HOUR, buffer=timedelta(), now=now, tz=TZ,
                            date_from=change - timedelta(days=1), date_to=change + timedelta(days=1))
    assert len(slots) == 3 * 29 and {slot.therapist_id for slot in slots} == {1}
    assert {slot.starts_at.astimezone(TZ).time() for slot in slots[::29]} == {time(9)}


@pytest.mark.parametrize(("zone", "day", "first_instant"), [
    ("America/Edmonton", SPRING_2026, datetime(2026, 3, 8, 7, tzinfo=UTC)),
    ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 6, 4, tzinfo=UTC)),  # 00:00 jumps to 01:00
    ("America/Havana", date(2026, 3, 8), datetime(2026, 3, 8, 5, tzinfo=UTC)),  # 00:00 jumps to 01:00
    # 23:30 jumped to 00:30: midnight itself was never read; a bare datetime.combine says 05:00 UTC,
    # half an hour into the day, and a search or list from it would miss its first half hour.
    ("America/Toronto", date(1919, 3, 31), datetime(1919, 3, 31, 4, 30, tzinfo=UTC)),
])
def test_a_day_begins_at_its_first_instant_even_where_midnight_is_skipped(zone: str, day: date,
                                                                           first_instant: datetime) -> None:
    tz = ZoneInfo(zone)
    assert midnight(day, tz) == first_instant
    assert first_instant.astimezone(tz).date() == day
    assert (first_instant - timedelta(microseconds=1)).astimezone(tz).date() == day - timedelta(days=1)
