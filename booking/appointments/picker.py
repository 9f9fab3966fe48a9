"""The day-and-time picker shared by booking and rescheduling: one day's open times, grouped."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from booking.appointments.forms import format_start
from booking.models import Service
from booking.scheduling import Slot, SlotSearchError
from booking.models.base import utcnow
from booking.services.availability import bookable_days, nearby_slots, search_slots
from booking.templating import clinic_zone, local_time

TIME_LABEL = "%-I:%M %p %Z"
DAY_AND_TIME_LABEL = "%A %B %-d at %-I:%M %p %Z"
SEARCH_WINDOW_DAYS = 31
PERIODS = (("Morning", 0), ("Afternoon", 12), ("Evening", 17))


@dataclass(frozen=True)
class TimeChoice:
    """One open start time: the value a form sends and what the patient reads."""

    value: str
    label: str
    hour: int


@dataclass
class DayView:
    """One day of open times, with its neighbours and the range a patient may choose from."""

    day: date | None
    first_day: date
    last_day: date
    periods: list[tuple[str, list[TimeChoice]]] = field(default_factory=list)
    previous_url: str | None = None
    next_url: str | None = None
    error: str | None = None


def time_choices(slots: Iterable[Slot], label: str = TIME_LABEL) -> list[TimeChoice]:
    """One choice per start instant (first available gives each time once), in order."""
    starts = sorted({slot.starts_at for slot in slots})
    zone = clinic_zone()
    return [TimeChoice(format_start(start), local_time(start, label), start.astimezone(zone).hour)
            for start in starts]


def _periods(choices: list[TimeChoice]) -> list[tuple[str, list[TimeChoice]]]:
    """Group times into morning, afternoon and evening, leaving out empty groups."""
    bounds = [start for _, start in PERIODS[1:]] + [24]
    grouped = [(name, [c for c in choices if start <= c.hour < end])
               for (name, start), end in zip(PERIODS, bounds, strict=True)]
    return [(name, times) for name, times in grouped if times]


def first_open_day(service: Service, therapist_id: int | None, now: datetime | None = None,
                   exclude: uuid.UUID | None = None) -> date | None:
    """The first local day with an open time, searching window by window up to the horizon."""
    start, last = bookable_days(now or utcnow())
    zone = clinic_zone()
    while start <= last:
        end = min(start + timedelta(days=SEARCH_WINDOW_DAYS - 1), last)
        slots = search_slots(service, start, end, therapist_id=therapist_id, now=now, exclude=exclude)
        if slots:
            return min(slot.starts_at for slot in slots).astimezone(zone).date()
        start = end + timedelta(days=1)
    return None


def day_view(service: Service, requested: date | None, *, therapist_id: int | None,
             link: Callable[[date], str], now: datetime | None = None,
             exclude: uuid.UUID | None = None) -> DayView:
    """The open times on the day asked for, or on the first day with openings (``exclude``: a visit being moved)."""
    first, last = bookable_days(now or utcnow())
    view = DayView(day=requested, first_day=first, last_day=last)
    if requested is not None and requested < first:
        view.error, view.day = "Choose today or a later day.", None
    elif requested is not None and requested > last:
        view.error = f"We take bookings up to {(last - first).days} days ahead. Choose an earlier day."
        view.day = None
    if view.day is None:
        view.day = first_open_day(service, therapist_id, now, exclude) or first
    try:
        slots = search_slots(service, view.day, view.day, therapist_id=therapist_id, now=now, exclude=exclude)
    except SlotSearchError as exc:
        view.error, slots = " ".join(exc.errors.values()), []
    view.periods = _periods(time_choices(slots))
    if view.day > first:
        view.previous_url = link(view.day - timedelta(days=1))
    if view.day < last:
        view.next_url = link(view.day + timedelta(days=1))
    return view


def nearby_choices(service: Service, starts_at: datetime, *, therapist_id: int | None,
                   exclude: uuid.UUID | None = None) -> list[tuple[str, str]]:
    """Open times close to one that was just taken, as (value, label) radio choices."""
    slots = nearby_slots(service, starts_at, therapist_id=therapist_id, exclude=exclude)
    return [(choice.value, choice.label) for choice in time_choices(slots, DAY_AND_TIME_LABEL)]
