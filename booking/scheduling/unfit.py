"""Why a start time is not open for one therapist: the first rule of ``is_bookable`` it breaks.

A time chosen on the calendar before the service is known (the front desk taps an
empty cell, then hears what the caller wants) may not hold the visit: it has
passed, the therapist is not working then, another visit or time off holds it, or
the free time from there is shorter than the visit. ``why_not_open`` names which,
with the instant the free time ends when the visit is too long for it.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .localday import local_day
from .model import Blocks, SlotRules, TherapistCalendar
from .slots import _Prepared, is_bookable
from .timeline import Timeline


class Unfit(enum.StrEnum):
    """Why a start time is not open, in the order they are checked."""

    PAST = "past"  # the time has passed
    TOO_SOON = "too_soon"  # inside the minimum notice
    TOO_FAR = "too_far"  # past the booking horizon
    OFF_GRID = "off_grid"  # not on the clinic's grid of start times
    NOT_WORKING = "not_working"  # outside the therapist's hours (or the clinic's), or a closed day
    TIME_OFF = "time_off"  # the therapist is away
    BOOKED = "booked"  # another visit (with its buffer) holds the time
    TOO_LONG = "too_long"  # free at the start, but the visit does not fit before ``until``


@dataclass(frozen=True)
class WhyNot:
    """Why a start is not open; for TOO_LONG, ``until`` is where the free time ends (the next visit or time off,
    or the end of the shift)."""

    reason: Unfit
    until: datetime | None = None


def _inside(spans: Blocks | Timeline, instant: datetime) -> bool:
    """Whether ``instant`` falls in one of the spans [start, end)."""
    index = bisect_right(spans.starts, instant) - 1
    return index >= 0 and instant < spans.ends[index]


def why_not_open(calendar: TherapistCalendar, starts_at: datetime, *, duration: timedelta, buffer: timedelta,
                 now: datetime, tz: ZoneInfo, rules: SlotRules = SlotRules()) -> WhyNot | None:
    """Why ``starts_at`` is not one of this calendar's open starts for a visit of ``duration`` (and ``buffer``);
    None when it is open (``is_bookable``)."""
    if is_bookable(calendar, starts_at, duration=duration, buffer=buffer, now=now, tz=tz, rules=rules):
        return None
    start = starts_at.astimezone(UTC)
    if start <= now:
        return WhyNot(Unfit.PAST)
    if start < rules.earliest(now):
        return WhyNot(Unfit.TOO_SOON)
    if start >= rules.latest(now):
        return WhyNot(Unfit.TOO_FAR)
    day = local_day(start.astimezone(tz).date(), tz, rules.grid_minutes)
    index = bisect_left(day.grid, start)
    if index == len(day.grid) or day.grid[index] != start:
        return WhyNot(Unfit.OFF_GRID)
    prepared = _Prepared(calendar, rules)
    closes = [day.at(end) for begin, end in prepared.open_hours(day.date) if day.at(begin) <= start < day.at(end)]
    if not closes:
        return WhyNot(Unfit.NOT_WORKING)
    if _inside(Blocks.of(calendar.time_off), start):
        return WhyNot(Unfit.TIME_OFF)
    blocked = prepared.blocked
    if _inside(blocked, start):
        return WhyNot(Unfit.BOOKED)
    following = bisect_right(blocked.starts, start)
    next_block = blocked.starts[following] if following < len(blocked.starts) else None
    return WhyNot(Unfit.TOO_LONG, min(max(closes), next_block) if next_block else max(closes))
