"""Value types for slot search: weekly hours, intervals, calendars, rules and results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


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


class Blocks:
    """Disjoint spans of time in order, in UTC, held as two lists of instants (``starts[k]`` to ``ends[k]``).

    How a calendar read from the database holds its bookings: a two-week search over twenty therapists reads over
    a thousand, and an Interval for each, checked and later taken apart again, cost more than the search itself.
    Made from spans sorted by start (as a query orders them), it checks in one pass what an Interval would (aware
    bounds, none ending before it starts) and joins those that touch or overlap: back-to-back visits make one block.
    """

    __slots__ = ("ends", "starts")

    def __init__(self, spans: Iterable[tuple[datetime, datetime]]) -> None:
        starts: list[datetime] = []
        ends: list[datetime] = []
        for start, end in spans:
            if end <= start:
                if end < start:
                    raise ValueError("an interval must not end before it starts")
                continue  # an empty span blocks nothing
            if ends and start <= ends[-1]:
                if start < starts[-1]:
                    raise ValueError("spans must come sorted by their start")
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)
        self.starts = [start if start.tzinfo is UTC else _in_utc(start) for start in starts]
        self.ends = [end if end.tzinfo is UTC else _in_utc(end) for end in ends]

    @classmethod
    def of(cls, intervals: Iterable[Interval] | Blocks) -> Blocks:
        """The blocks of intervals in any order and zone (a calendar's ``busy`` that is not Blocks already)."""
        return intervals if isinstance(intervals, Blocks) else cls(sorted((item.start, item.end) for item in intervals))

    def adding(self, intervals: Iterable[Interval]) -> Blocks:
        """These blocks with more intervals blocked (time off, visits proposed so far)."""
        return Blocks(sorted([*zip(self.starts, self.ends, strict=True), *((item.start, item.end) for item in intervals)]))

    def __iter__(self) -> Iterator[Interval]:
        return (Interval(start, end) for start, end in zip(self.starts, self.ends, strict=True))

    def __len__(self) -> int:
        return len(self.starts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Blocks) and (self.starts, self.ends) == (other.starts, other.ends)

    def __repr__(self) -> str:
        return f"Blocks({list(zip(self.starts, self.ends, strict=True))!r})"


def _in_utc(instant: datetime) -> datetime:
    """``instant`` in UTC, refusing a naive one."""
    if instant.utcoffset() is None:
        raise ValueError("interval bounds must be timezone-aware")
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class TherapistCalendar:
    """A therapist's weekly hours, time off and existing bookings (buffer included): as intervals, or as Blocks
    when loaded from the database."""

    therapist_id: int
    hours: Sequence[WorkingHours]
    time_off: Sequence[Interval] = ()
    busy: Sequence[Interval] | Blocks = ()


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
