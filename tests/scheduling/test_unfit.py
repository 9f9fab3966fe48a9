"""Why a start time chosen on the calendar is not open: each rule of is_bookable named, the open ones None."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from booking.scheduling import (
    Interval,
    SlotRules,
    TherapistCalendar,
    Unfit,
    WhyNot,
    WorkingHours,
    is_bookable,
    why_not_open,
)
from tests.scheduling.test_slots import HOUR, MONDAY, NOW, TZ, at

# Monday 09:00-12:00; a visit 10:30-11:00 and its 15-minute buffer; away 11:30 to 12:00.
CALENDAR = TherapistCalendar(1, [WorkingHours(0, time(9), time(12))],
                             time_off=[Interval(at(11, 30), at(12))], busy=[Interval(at(10, 30), at(11, 15))])


def why(start: datetime, *, duration: timedelta = HOUR, buffer: timedelta = timedelta(),
        now: datetime = NOW, rules: SlotRules = SlotRules()) -> WhyNot | None:
    return why_not_open(CALENDAR, start, duration=duration, buffer=buffer, now=now, tz=TZ, rules=rules)


@pytest.mark.parametrize(("start", "duration", "expected"), [
    (at(9), HOUR, None),
    (at(9, 30), HOUR, None),
    (at(9, 45), HOUR, WhyNot(Unfit.TOO_LONG, at(10, 30))),  # the next visit starts at 10:30
    (at(11, 15), HOUR, WhyNot(Unfit.TOO_LONG, at(11, 30))),  # the time off starts at 11:30
    (at(11, 15), timedelta(minutes=15), None),
    (at(10, 30), HOUR, WhyNot(Unfit.BOOKED)),
    (at(11), HOUR, WhyNot(Unfit.BOOKED)),  # the visit's buffer
    (at(11, 45), timedelta(minutes=15), WhyNot(Unfit.TIME_OFF)),
    (at(8), HOUR, WhyNot(Unfit.NOT_WORKING)),
    (at(12), HOUR, WhyNot(Unfit.NOT_WORKING)),
    (at(9, 5), HOUR, WhyNot(Unfit.OFF_GRID)),
    (at(9, day=MONDAY + timedelta(days=1)), HOUR, WhyNot(Unfit.NOT_WORKING)),  # no shift on Tuesdays
])
def test_each_reason_is_named(start: datetime, duration: timedelta, expected: WhyNot | None) -> None:
    assert why(start, duration=duration) == expected
    assert (expected is None) == is_bookable(CALENDAR, start, duration=duration, buffer=timedelta(), now=NOW, tz=TZ)


def test_the_buffer_must_fit_before_the_next_visit_but_may_pass_the_end_of_the_shift() -> None:
    assert why(at(9, 15), buffer=timedelta(minutes=30)) == WhyNot(Unfit.TOO_LONG, at(10, 30))
    assert why(at(9, 15), buffer=timedelta(minutes=15)) is None
    late = TherapistCalendar(1, [WorkingHours(0, time(9), time(12))])
    assert why_not_open(late, at(11), duration=HOUR, buffer=timedelta(minutes=30), now=NOW, tz=TZ) is None
    assert why_not_open(late, at(11, 15), duration=HOUR, buffer=timedelta(), now=NOW, tz=TZ) == \
        WhyNot(Unfit.TOO_LONG, at(12))


def test_times_too_early_or_too_far_ahead() -> None:
    assert why(at(9), now=at(9, 30)) == WhyNot(Unfit.PAST)
    assert why(at(9), now=at(8)) == WhyNot(Unfit.TOO_SOON)  # two hours' notice
    assert why(at(9), rules=SlotRules(horizon_days=3)) == WhyNot(Unfit.TOO_FAR)


def test_a_closed_day_or_hours_outside_the_opening_hours_are_not_working_time() -> None:
    assert why(at(9), rules=SlotRules(closed_days=frozenset({MONDAY}))) == WhyNot(Unfit.NOT_WORKING)
    opening = ((time(10), time(17)),) + ((time(8), time(17)),) * 6
    assert why(at(9), rules=SlotRules(opening_hours=opening)) == WhyNot(Unfit.NOT_WORKING)
