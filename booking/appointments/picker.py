"""The day-and-time picker shared by booking and rescheduling: one day's open times, grouped,
and which of the coming days have any."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from booking.appointments.forms import format_start
from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_time
from booking.models import Service
from booking.scheduling import Slot, SlotRules, SlotSearchError
from booking.services.visits.availability import bookable_days, nearby_slots, search_slots

TIME_LABEL = "time"  # named formats (booking.clinic.times.DATE_FORMATS): 9:30 a.m. MST
DAY_LABEL = "day_no_year"  # Wednesday December 2
DAY_AND_TIME_LABEL = "day_no_year_at_time"  # Wednesday December 2 at 9:30 a.m. MST
PERIODS = (("Morning", 0), ("Afternoon", 12), ("Evening", 17))
COMING_DAYS = 7


@dataclass(frozen=True)
class TimeChoice:
    """One open start time: the value a form sends and what the patient reads."""

    value: str
    label: str
    hour: int


@dataclass(frozen=True)
class DayChoice:
    """One of the coming days: where it is shown, and whether it has any open time."""

    day: date
    url: str
    has_times: bool


@dataclass
class DayView:
    """One day of open times, with its neighbours and the range a patient may choose from."""

    day: date | None
    first_day: date
    last_day: date
    periods: list[tuple[str, list[TimeChoice]]] = field(default_factory=list)
    previous_url: str | None = None
    next_url: str | None = None
    coming: list[DayChoice] = field(default_factory=list)
    next_open: DayChoice | None = None
    error: str | None = None

    def offers(self, start: datetime) -> bool:
        """Whether this start time is one of the open times shown."""
        value = format_start(start)
        return any(choice.value == value for _, times in self.periods for choice in times)


def time_choices(slots: Iterable[Slot], label: str = TIME_LABEL) -> list[TimeChoice]:
    """One choice per start instant (first available gives each time once), in order."""
    starts = sorted({slot.starts_at for slot in slots})
    zone = clinic_zone()
    return [TimeChoice(format_start(start), local_time(start, label), start.astimezone(zone).hour)
            for start in starts]


def periods(choices: list[TimeChoice]) -> list[tuple[str, list[TimeChoice]]]:
    """Group times into morning, afternoon and evening, leaving out empty groups."""
    bounds = [start for _, start in PERIODS[1:]] + [24]
    grouped = [(name, [c for c in choices if start <= c.hour < end])
               for (name, start), end in zip(PERIODS, bounds, strict=True)]
    return [(name, times) for name, times in grouped if times]


def first_open_day(service: Service, therapist_id: int | None, now: datetime | None = None,
                   exclude: uuid.UUID | None = None, start: date | None = None,
                   cautions: Collection[str] = ()) -> date | None:
    """The first local day (from ``start``, else today) with an open time, window by window up to the horizon."""
    first, last = bookable_days(moment(now))
    start = max(start or first, first)
    zone = clinic_zone()
    while start <= last:
        end = min(start + timedelta(days=SlotRules.max_range_days - 1), last)
        slots = search_slots(service, start, end, therapist_id=therapist_id, now=now, exclude=exclude,
                             cautions=cautions)
        if slots:
            return min(slot.starts_at for slot in slots).astimezone(zone).date()
        start = end + timedelta(days=1)
    return None


def day_view(service: Service, requested: date | None, *, therapist_id: int | None,
             link: Callable[[date], str], now: datetime | None = None,
             exclude: uuid.UUID | None = None, cautions: Collection[str] = ()) -> DayView:
    """The open times on the day asked for, or on the first day with openings, and the coming days.

    ``exclude`` names a visit being moved; ``cautions`` are the screening's (only trained therapists' times). The day shown and the six after it are marked open
    or not, and ``next_open`` is the first later day with open times.
    """
    first, last = bookable_days(moment(now))
    view = DayView(day=requested, first_day=first, last_day=last)
    if requested is not None and requested < first:
        view.error, view.day = "Choose today or a later day.", None
    elif requested is not None and requested > last:
        view.error = f"We take bookings up to {(last - first).days} days ahead. Choose an earlier day."
        view.day = None
    if view.day is None:
        view.day = first_open_day(service, therapist_id, now, exclude, cautions=cautions) or first
    if view.day > first:
        view.previous_url = link(view.day - timedelta(days=1))
    if view.day < last:
        view.next_url = link(view.day + timedelta(days=1))
    strip_end = min(view.day + timedelta(days=COMING_DAYS - 1), last)
    try:
        slots = search_slots(service, view.day, strip_end, therapist_id=therapist_id, now=now, exclude=exclude,
                             cautions=cautions)
    except SlotSearchError as exc:
        view.error = " ".join(exc.errors.values())
        return view
    zone = clinic_zone()
    open_days = {slot.starts_at.astimezone(zone).date() for slot in slots}
    view.periods = periods(time_choices(s for s in slots if s.starts_at.astimezone(zone).date() == view.day))
    days = [view.day + timedelta(days=n) for n in range((strip_end - view.day).days + 1)]
    view.coming = [DayChoice(day, link(day), day in open_days) for day in days]
    later = sorted(day for day in open_days if day > view.day)
    next_day = later[0] if later else first_open_day(service, therapist_id, now, exclude,
                                                     start=strip_end + timedelta(days=1), cautions=cautions)
    if next_day is not None:
        view.next_open = DayChoice(next_day, link(next_day), True)
    return view


def nearby_choices(service: Service, starts_at: datetime, *, therapist_id: int | None,
                   exclude: uuid.UUID | None = None, cautions: Collection[str] = ()) -> list[tuple[str, str]]:
    """Open times close to one that was just taken, as (value, label) radio choices."""
    slots = nearby_slots(service, starts_at, therapist_id=therapist_id, exclude=exclude, cautions=cautions)
    return [(choice.value, choice.label) for choice in time_choices(slots, DAY_AND_TIME_LABEL)]
