"""Open-slot search over weekly hours, time off and existing bookings (pure stdlib).

A start ``s`` is open iff it lies on the local grid, the visit [s, s + duration)
fits inside one shift worked on that local date, the visit plus its buffer
[s, s + duration + buffer) overlaps no booking and no time off (touching is
fine), and ``now + min_notice <= s < now + horizon_days``.  The buffer may run
past the end of the shift.

Time zones: shift boundaries and the grid follow ``localday`` (a local time maps
to the first instant the clinic clock reads it; skipped times map to the jump),
so a 09:00-17:00 shift is 09:00-17:00 local on DST days and a shift spanning a
change is measured in real time.  Candidates are the day's grid instants, so a
repeated wall time yields two distinct starts and a skipped one yields none.

``first_available`` returns one slot per distinct start instant, given to the
open therapist with the least booked time (busy intervals, buffers included)
on that local day; ties go to the lowest ``therapist_id``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .localday import ONE_DAY, LocalDay, local_day, on_grid
from .model import Slot, SlotRules, SlotSearchError, TherapistCalendar, WorkingHours
from .timeline import Timeline, utc_spans


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
    """A calendar with hours grouped by weekday and its intervals merged once."""

    def __init__(self, calendar: TherapistCalendar) -> None:
        self.therapist_id = calendar.therapist_id
        self.hours: dict[int, list[WorkingHours]] = {}
        for shift in calendar.hours:
            self.hours.setdefault(shift.weekday, []).append(shift)
        self.busy = utc_spans(calendar.busy)
        self.blocked = Timeline(self.busy + utc_spans(calendar.time_off))

    def shifts_on(self, day: date, rules: SlotRules) -> list[WorkingHours]:
        """The shifts worked on the local date ``day``, each cut to the clinic's opening hours (none on a closed day)."""
        worked = (rules.open_part(shift, day) for shift in self.hours.get(day.weekday(), ()) if shift.applies_on(day))
        return [shift for shift in worked if shift is not None]


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


def _starts_on(calendar: _Prepared, day: LocalDay, request: _Request, rules: SlotRules) -> list[datetime]:
    """The sorted open start instants of one calendar on one local day."""
    shifts = calendar.shifts_on(day.date, rules)
    grid = day.grid
    found: list[datetime] = []
    for shift in shifts:
        first = bisect_left(grid, max(day.at(shift.start), request.earliest))
        stop = min(bisect_right(grid, day.at(shift.end) - request.duration),
                   bisect_left(grid, request.latest))
        found.extend(calendar.blocked.free_starts(grid[first:stop], request.reach))
    return sorted(set(found)) if len(shifts) > 1 else found


def open_slots(calendar: TherapistCalendar, *, duration: timedelta, buffer: timedelta,
               date_from: date, date_to: date, now: datetime, tz: ZoneInfo,
               rules: SlotRules = SlotRules()) -> list[Slot]:
    """Open slots of one therapist between two local dates (inclusive), sorted by start."""
    request = _request(duration, buffer, now, rules)
    prepared = _Prepared(calendar)
    starts = sorted(start for day in _days(date_from, date_to, tz, rules, request)
                    for start in _starts_on(prepared, day, request, rules))
    return [Slot(calendar.therapist_id, start, start + duration) for start in starts]


def first_available(calendars: Sequence[TherapistCalendar], *, duration: timedelta,
                    buffer: timedelta, date_from: date, date_to: date, now: datetime,
                    tz: ZoneInfo, rules: SlotRules = SlotRules()) -> list[Slot]:
    """One slot per open start instant across therapists, least-booked therapist first."""
    request = _request(duration, buffer, now, rules)
    days = _days(date_from, date_to, tz, rules, request)
    best: dict[datetime, tuple[timedelta, int]] = {}
    for prepared in map(_Prepared, calendars):
        booked = Timeline(prepared.busy)
        for day in days:
            starts = _starts_on(prepared, day, request, rules)
            if not starts:
                continue
            rank = (booked.total_within(day.start, day.end), prepared.therapist_id)
            for start in starts:
                current = best.get(start)
                if current is None or rank < current:
                    best[start] = rank
    return [Slot(best[start][1], start, start + duration) for start in sorted(best)]


def is_bookable(calendar: TherapistCalendar, starts_at: datetime, *, duration: timedelta,
                buffer: timedelta, now: datetime, tz: ZoneInfo,
                rules: SlotRules = SlotRules()) -> bool:
    """Whether ``starts_at`` is open for this calendar (the same rule as ``open_slots``)."""
    request = _request(duration, buffer, now, rules)
    start = _utc(starts_at, "starts_at")
    if not request.earliest <= start < request.latest or not on_grid(start, tz, rules.grid_minutes):
        return False
    prepared = _Prepared(calendar)
    day = local_day(start.astimezone(tz).date(), tz, rules.grid_minutes)
    fits = any(day.at(shift.start) <= start and start + duration <= day.at(shift.end)
               for shift in prepared.shifts_on(day.date, rules))
    return fits and prepared.blocked.is_free(start, start + request.reach)


def back_to_back(first: Sequence[Slot], second: Sequence[Slot], tz: ZoneInfo) -> list[tuple[Slot, Slot]]:
    """Each slot of ``first`` with the slot of ``second`` that starts right when it ends, the same local day.

    In the order of ``first``; a slot of ``first`` with no such partner is left out.
    """
    starts = {slot.starts_at: slot for slot in second}
    found = ((slot, starts.get(slot.ends_at)) for slot in first)
    return [(slot, partner) for slot, partner in found if partner is not None
            and partner.starts_at.astimezone(tz).date() == slot.starts_at.astimezone(tz).date()]
