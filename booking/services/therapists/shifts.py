"""A weekly shift as typed, its checks and its words; whether a changed shift holds new time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from booking.clinic.settings import WEEKDAYS
from booking.clinic.times import FIRST_DAY, LAST_DAY, accepted_day
from booking.models import WorkingHours


class HoursError(ValueError):
    """A shift or time off that cannot be stored; ``errors`` names each field's problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Shift:
    """A weekly shift as typed: weekday (0 is Monday), local start and end, the dates it is valid between."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_to: date | None = None


def check_shift(shift: Shift) -> None:
    """Raise HoursError naming what is wrong with the shift, if anything."""
    errors: dict[str, str] = {}
    if not 0 <= shift.weekday <= 6:
        errors["weekday"] = "Choose a day of the week."
    if shift.end <= shift.start:
        errors["end"] = "The shift must end after it starts, on the same day."
    for field in ("valid_from", "valid_to"):
        value = getattr(shift, field)
        if value is not None and not accepted_day(value):
            errors[field] = f"Choose a date between {FIRST_DAY} and {LAST_DAY}."
    if shift.valid_from and shift.valid_to and shift.valid_to < shift.valid_from and not errors:
        errors["valid_to"] = "The last day must be on or after the first day."
    if errors:
        raise HoursError(errors)


def describe(shift: Shift | WorkingHours) -> str:
    """A shift in words, without health information, for the audit log and messages."""
    start, end = (shift.start, shift.end) if isinstance(shift, Shift) else (shift.start_time, shift.end_time)
    valid = "".join([f" from {shift.valid_from}" if shift.valid_from else "",
                     f" until {shift.valid_to}" if shift.valid_to else ""])
    return f"{WEEKDAYS[shift.weekday]} {start:%H:%M}-{end:%H:%M}{valid}"


def widens(stored: WorkingHours, shift: Shift) -> bool:
    """Whether the changed shift holds time the stored one did not (another day, earlier, later, more dates):
    new hours, whose first free time the waitlist is offered."""
    return (shift.weekday != stored.weekday or shift.start < stored.start_time or shift.end > stored.end_time
            or (shift.valid_from or date.min) < (stored.valid_from or date.min)
            or (shift.valid_to or date.max) > (stored.valid_to or date.max))
