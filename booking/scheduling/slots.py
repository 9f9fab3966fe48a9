"""Open-slot search over weekly hours, time off and existing bookings (pure stdlib).

A start ``s`` is open iff it lies on the local grid, the visit [s, s + duration)
fits inside one shift worked on that local date, the visit plus its buffer
[s, s + duration + buffer) overlaps no booking and no time off (touching is
fine), and ``now + min_notice <= s < now + horizon_days``.  The buffer may run
past the end of the shift.

Time zones: shift boundaries and the grid follow ``localday`` (a local time maps
to the first instant the clinic clock reads it; skipped times map to the jump),
so a 09:00-17:00 shift is 09:00-17:00 local on DST days and a shift spanning a
change is measured in real time.  Starts are the day's grid instants, so a
repeated wall time yields two distinct starts and a skipped one yields none.

The search does arithmetic on spans rather than testing candidates: per local
day, each shift's first and last possible start are cut by the gaps between
blocked spans into ranges, and a range's starts are a run of the day's grid
found by bisection.  A therapist's open starts of a day are thus a few
(i, j) runs of grid positions, which ``first_available`` overlays in rank
order.

``first_available`` returns one slot per distinct start instant, given to the
open therapist with the least booked time (busy intervals, buffers included)
on that local day; ties go to the lowest ``therapist_id``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .localday import ONE_DAY, LocalDay, local_day
from .model import Blocks, Slot, SlotRules, SlotSearchError, TherapistCalendar, WorkingHours
from .timeline import Timeline

Run = tuple[int, int]  # positions [i, j) of a local day's grid


@dataclass(frozen=True)
class _Request:
    """The per-search constants, normalised to UTC."""

    duration: timedelta
    reach: timedelta
    earliest: datetime
    latest: datetime


def _utc(value: datetime, name: str) -> datetime:
    """``value`` converted to UTC, refusing naive datetimes."""
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _request(duration: timedelta, buffer: timedelta, now: datetime, rules: SlotRules) -> _Request:
    """Validate the visit length and buffer and derive the open window from ``now``."""
    if duration <= timedelta():
        raise ValueError("duration must be positive")
    if buffer < timedelta():
        raise ValueError("buffer must not be negative")
    now_utc = _utc(now, "now")
    return _Request(
        duration=duration,
        reach=duration + buffer,
        earliest=rules.earliest(now_utc),
        latest=rules.latest(now_utc),
    )


class _Prepared:
    """A calendar for one search: its shifts cut to the opening hours and grouped by weekday, its intervals
    merged, once."""

    def __init__(self, calendar: TherapistCalendar, rules: SlotRules) -> None:
        self.therapist_id = calendar.therapist_id
        self.closed_days = rules.closed_days
        self.hours: dict[int, list[tuple[WorkingHours, time, time]]] = {}
        for shift in calendar.hours:
            part = rules.open_part(shift)
            if part is not None:
                self.hours.setdefault(shift.weekday, []).append((shift, *part))
        busy = Blocks.of(calendar.busy)
        self.booked = Timeline(busy)
        self.blocked = Timeline(busy.adding(calendar.time_off)) if calendar.time_off else self.booked

    def open_hours(self, day: date) -> list[tuple[time, time]]:
        """The local (start, end) of each shift worked on the local date ``day``, cut to the clinic's opening
        hours (none on a closed day)."""
        if day in self.closed_days:
            return []
        return [(opens, closes) for shift, opens, closes in self.hours.get(day.weekday(), ()) if shift.applies_on(day)]


def _days(date_from: date, date_to: date, tz: ZoneInfo, rules: SlotRules,
          request: _Request) -> list[LocalDay]:
    """The local days of a validated range that overlap the open window."""
    if date_to < date_from:
        raise SlotSearchError({"to": "Choose an end date on or after the start date."})
    if (date_to - date_from).days + 1 > rules.max_range_days:
        raise SlotSearchError({"to": f"Choose a range of at most {rules.max_range_days} days."})
    days = (local_day(date_from + offset * ONE_DAY, tz, rules.grid_minutes)
            for offset in range((date_to - date_from).days + 1))
    return [day for day in days if day.end > request.earliest and day.start < request.latest]


def _merged(runs: list[Run]) -> list[Run]:
    """Sorted, disjoint runs holding the same grid positions as ``runs`` (two shifts of a day may overlap)."""
    merged: list[Run] = []
    for begin, end in sorted(runs):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _open_runs(calendar: _Prepared, day: LocalDay, request: _Request) -> list[Run]:
    """The open starts of one calendar on one local day, as sorted, disjoint runs [i, j) of the day's grid.

    A shift bounds the starts from both sides, each gap between blocked spans narrows that to a range, and
    bisection finds the range's grid instants: no candidate start is tested on its own, and the grid (exact
    on DST days) is the only place instants come from.
    """
    grid = day.grid
    stop = bisect_left(grid, request.latest)
    runs: list[Run] = []
    for opens, closes in calendar.open_hours(day.date):
        first, last = max(day.at(opens), request.earliest), day.at(closes) - request.duration
        for low, high in calendar.blocked.free_ranges(first, last, request.reach):
            begin, end = bisect_left(grid, low), min(bisect_right(grid, high), stop)
            if begin < end:
                runs.append((begin, end))
    return _merged(runs)


def open_slots(calendar: TherapistCalendar, *, duration: timedelta, buffer: timedelta,
               date_from: date, date_to: date, now: datetime, tz: ZoneInfo,
               rules: SlotRules = SlotRules()) -> list[Slot]:
    """Open slots of one therapist between two local dates (inclusive), sorted by start."""
    request = _request(duration, buffer, now, rules)
    prepared = _Prepared(calendar, rules)
    return [Slot(calendar.therapist_id, start, start + duration)
            for day in _days(date_from, date_to, tz, rules, request)
            for begin, end in _open_runs(prepared, day, request)
            for start in day.grid[begin:end]]


def first_available(calendars: Sequence[TherapistCalendar], *, duration: timedelta,
                    buffer: timedelta, date_from: date, date_to: date, now: datetime,
                    tz: ZoneInfo, rules: SlotRules = SlotRules()) -> list[Slot]:
    """One slot per open start instant across therapists, least-booked therapist first."""
    request = _request(duration, buffer, now, rules)
    prepared = [_Prepared(calendar, rules) for calendar in calendars]
    slots: list[Slot] = []
    for day in _days(date_from, date_to, tz, rules, request):
        ranked: list[tuple[timedelta, int, list[Run]]] = []
        for calendar in prepared:
            runs = _open_runs(calendar, day, request)
            if runs:
                ranked.append((calendar.booked.total_within(day.start, day.end), calendar.therapist_id, runs))
        owners: list[int | None] = [None] * len(day.grid)
        for _, therapist_id, runs in sorted(ranked, key=lambda entry: entry[:2], reverse=True):
            for begin, end in runs:  # the best-ranked therapist comes last and keeps the starts they have
                owners[begin:end] = [therapist_id] * (end - begin)
        slots.extend(Slot(owner, start, start + duration)
                     for start, owner in zip(day.grid, owners, strict=True) if owner is not None)
    return slots


def is_bookable(calendar: TherapistCalendar, starts_at: datetime, *, duration: timedelta,
                buffer: timedelta, now: datetime, tz: ZoneInfo,
                rules: SlotRules = SlotRules()) -> bool:
    """Whether ``starts_at`` is open for this calendar: one of ``open_slots``' starts on its local day."""
    request = _request(duration, buffer, now, rules)
    start = _utc(starts_at, "starts_at")
    if not request.earliest <= start < request.latest:
        return False
    day = local_day(start.astimezone(tz).date(), tz, rules.grid_minutes)
    index = bisect_left(day.grid, start)
    return (index < len(day.grid) and day.grid[index] == start
            and any(begin <= index < end for begin, end in _open_runs(_Prepared(calendar, rules), day, request)))


def back_to_back(first: Sequence[Slot], second: Sequence[Slot], tz: ZoneInfo) -> list[tuple[Slot, Slot]]:
    """Each slot of ``first`` with the slot of ``second`` that starts right when it ends, the same local day.

    In the order of ``first``; a slot of ``first`` with no such partner is left out.
    """
    starts = {slot.starts_at: slot for slot in second}
    found = ((slot, starts.get(slot.ends_at)) for slot in first)
    return [(slot, partner) for slot, partner in found if partner is not None
            and partner.starts_at.astimezone(tz).date() == slot.starts_at.astimezone(tz).date()]
