"""Value types for slot search: weekly hours, intervals, calendars, rules and results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


class SlotSearchError(ValueError):
    """Invalid search request; ``errors`` maps a form field ("from"/"to") to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class WorkingHours:
    """One weekly shift in local wall-clock times of the clinic zone."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if self.end <= self.start:
            raise ValueError("a shift must end after it starts on the same day")

    def applies_on(self, day: date) -> bool:
        """Whether this shift is worked on the local date ``day``."""
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
        )


@dataclass(frozen=True)
class Interval:
    """Half-open span [start, end) between two aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("interval bounds must be timezone-aware")
        if self.end < self.start:
            raise ValueError("an interval must not end before it starts")


@dataclass(frozen=True)
class TherapistCalendar:
    """A therapist's weekly hours, time off and existing bookings (buffer included)."""

    therapist_id: int
    hours: Sequence[WorkingHours]
    time_off: Sequence[Interval] = ()
    busy: Sequence[Interval] = ()


@dataclass(frozen=True)
class SlotRules:
    """Clinic-wide booking rules."""

    grid_minutes: int = 15
    min_notice: timedelta = timedelta(hours=2)
    horizon_days: int = 90
    max_range_days: int = 31
    # The clinic's opening hours, Monday first: (opens, closes) or None when closed. A shift is
    # offered only where it falls inside them; None here means no limit.
    opening_hours: tuple[tuple[time, time] | None, ...] | None = None
    # The local dates the clinic is closed all day (holidays): nothing is offered on them.
    closed_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.grid_minutes <= 0:
            raise ValueError("grid_minutes must be positive")

    def open_part(self, shift: WorkingHours) -> tuple[time, time] | None:
        """The local (start, end) of the part of a weekly shift inside the opening hours of its weekday; None
        when nothing is (the clinic is closed that weekday). Closed days are for the caller to leave out."""
        if self.opening_hours is None:
            return shift.start, shift.end
        hours = self.opening_hours[shift.weekday]
        if hours is None:
            return None
        start, end = max(shift.start, hours[0]), min(shift.end, hours[1])
        return (start, end) if start < end else None

    def earliest(self, now: datetime) -> datetime:
        """The earliest start that can be booked at ``now`` (the minimum notice)."""
        return now + self.min_notice

    def latest(self, now: datetime) -> datetime:
        """The end of the booking horizon at ``now``: every start is before it."""
        return now + timedelta(days=self.horizon_days)


@dataclass(frozen=True)
class Slot:
    """An open start time for one therapist, in UTC; ``ends_at`` excludes the buffer."""

    therapist_id: int
    starts_at: datetime
    ends_at: datetime
