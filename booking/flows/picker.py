"""The day-and-time picker of every booking page: one day's open times, grouped, which of the coming days have
any, and other times near one just taken, over a source of open times.

A source (``SlotSource``) says which start times are open between two local days and how
each is read; ``TherapistSlots`` is one therapist's or the first available (booking, a
caller's booking, moving a visit), and the back-to-back pairs are another
(``booking.appointments.pair_choice``). Where pickers differ in what they say, the source's
``PickerWords`` say it. ``pick_day`` is what a page calls: the day its form asks for, with
links to the same page on other days.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from flask import request, url_for

from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_time, written
from booking.forms.visits import DayForm, format_start
from booking.models import Service
from booking.scheduling import SlotRules, SlotSearchError
from booking.services.visits.availability import bookable_days, search_slots

TIME_LABEL = "time"  # named formats (booking.clinic.times.DATE_FORMATS): 9:30 a.m. MST
DAY_LABEL = "day_no_year"  # Wednesday December 2
DAY_AND_TIME_LABEL = "day_no_year_at_time"  # Wednesday December 2 at 9:30 a.m. MST
PERIODS = (("Morning", 0), ("Afternoon", 12), ("Evening", 17))
COMING_DAYS = 7
NEARBY = 6  # times offered after a clash, from the day of the time taken and the days after it (COMING_DAYS)


@dataclass(frozen=True)
class PickerWords:
    """What a picker says where pickers differ: a day asked for before ``{first}`` ("December 2") or after
    ``{last}`` ("December 9, 2026"; ``{days}`` ahead), and whether the times offered after a clash are nearest first or in time order."""

    too_early: str
    too_late: str
    nearest_first: bool = False

    def out_of_range(self, requested: date, first: date, last: date) -> str:
        """Why a day outside the bookable days is not shown."""
        words = self.too_early if requested < first else self.too_late
        return words.format(first=written(first, "date_no_year"), last=written(last, "date"),
                            days=(last - first).days)


class SlotSource(Protocol):
    """Open start times to choose from, and how each is read."""

    @property
    def words(self) -> PickerWords:
        """What this picker says where pickers differ."""

    def starts(self, date_from: date, date_to: date) -> list[datetime]:
        """The open start times between two local days, in order; SlotSearchError for a search that cannot be."""

    def label(self, start: datetime, pattern: str) -> str:
        """A start time in words, its time (and day) written in the strftime ``pattern``."""


ONE_VISIT = PickerWords(too_early="Choose today or a later day.",
                        too_late="We take bookings up to {days} days ahead. Choose an earlier day.")


@dataclass(frozen=True)
class TherapistSlots:
    """The open times of one service with one therapist, or with the first available (``therapist_id`` None).

    ``exclude`` names a visit being moved (its own time counts as free); ``cautions`` are the
    screening's (only trained therapists' times).
    """

    service: Service
    therapist_id: int | None
    exclude: uuid.UUID | None = None
    cautions: Collection[str] = ()
    words: PickerWords = ONE_VISIT

    def starts(self, date_from: date, date_to: date) -> list[datetime]:
        """Each open start time once (the first available gives a time once, whoever is free), in order."""
        slots = search_slots(self.service, date_from, date_to, therapist_id=self.therapist_id, exclude=self.exclude,
                             cautions=self.cautions)
        return sorted({slot.starts_at for slot in slots})

    def label(self, start: datetime, pattern: str) -> str:
        """The start time in the clinic's zone."""
        return local_time(start, pattern)


@dataclass(frozen=True)
class TimeChoice:
    """One open start time: the value a form sends and what the reader reads."""

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
    """One day of open times, with its neighbours and the range a day may be chosen from."""

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


def _local_day(start: datetime) -> date:
    """The clinic's day of a start time."""
    return start.astimezone(clinic_zone()).date()


def periods(source: SlotSource, starts: list[datetime]) -> list[tuple[str, list[TimeChoice]]]:
    """The start times as choices grouped into morning, afternoon and evening, leaving out empty groups."""
    zone = clinic_zone()
    choices = [TimeChoice(format_start(start), source.label(start, TIME_LABEL), start.astimezone(zone).hour)
               for start in starts]
    bounds = [start for _, start in PERIODS[1:]] + [24]
    grouped = [(name, [c for c in choices if start <= c.hour < end])
               for (name, start), end in zip(PERIODS, bounds, strict=True)]
    return [(name, times) for name, times in grouped if times]


def first_open_day(source: SlotSource, start: date, last: date) -> date | None:
    """The first local day from ``start`` to ``last`` with an open time, searched window by window."""
    while start <= last:
        end = min(start + timedelta(days=SlotRules.max_range_days - 1), last)
        starts = source.starts(start, end)
        if starts:
            return _local_day(starts[0])
        start = end + timedelta(days=1)
    return None


def day_view(source: SlotSource, requested: date | None, link: Callable[[date], str]) -> DayView:
    """The open times on the day asked for, or on the first day with openings, and the coming days.

    The day shown and the six after it are marked open or not, and ``next_open`` is the first
    later day with open times; ``link`` is the address of a day.
    """
    first, last = bookable_days(moment())
    view = DayView(day=requested, first_day=first, last_day=last)
    if requested is not None and not first <= requested <= last:
        view.error, view.day = source.words.out_of_range(requested, first, last), None
    try:
        _show(view, source, link)
    except SlotSearchError as exc:
        view.error = " ".join(exc.errors.values())
        view.day = view.day or first
    return view


def _show(view: DayView, source: SlotSource, link: Callable[[date], str]) -> None:
    """Fill the view: its day (the first open one if none was asked for), its times, its neighbours."""
    first, last = view.first_day, view.last_day
    day = view.day or first_open_day(source, first, last) or first
    view.day = day
    if day > first:
        view.previous_url = link(day - timedelta(days=1))
    if day < last:
        view.next_url = link(day + timedelta(days=1))
    strip_end = min(day + timedelta(days=COMING_DAYS - 1), last)
    starts = source.starts(day, strip_end)
    open_days = {_local_day(start) for start in starts}
    view.periods = periods(source, [start for start in starts if _local_day(start) == day])
    view.coming = [DayChoice(one, link(one), one in open_days)
                   for one in (day + timedelta(days=n) for n in range((strip_end - day).days + 1))]
    later = sorted(one for one in open_days if one > day)
    next_day = later[0] if later else first_open_day(source, strip_end + timedelta(days=1), last)
    if next_day is not None:
        view.next_open = DayChoice(next_day, link(next_day), True)


def pick_day(form: DayForm, source: SlotSource, **keep: str) -> DayView:
    """The day view a page shows for the day its (checked) form asks for, the other days linking to this same
    page with the values in ``keep``; the day shown goes back into the form, and why a day is not shown is the
    form's error."""

    def link(day: date) -> str:
        values: dict[str, Any] = {**(request.view_args or {}), **keep, "date": day.isoformat()}
        return url_for(request.endpoint or "", **values)

    view = day_view(source, form.date.data, link)
    if view.error:
        form.date.errors = [*form.date.errors, view.error]
    if not form.date.errors:
        form.date.data = view.day
    return view


def nearby_choices(source: SlotSource, starts_at: datetime) -> list[tuple[str, str]]:
    """Open times close to one that was just taken, as (value, label) radio choices: the nearest ones of its day,
    then of the following days, listed nearest first or in time order as the source's words say."""
    day = _local_day(starts_at)
    first, last = bookable_days(moment())
    start = max(day, first)
    if start > last:
        return []
    starts = source.starts(start, min(start + timedelta(days=COMING_DAYS - 1), last))
    same_day = sorted((one for one in starts if _local_day(one) == day), key=lambda one: abs(one - starts_at))
    chosen = (same_day + [one for one in starts if _local_day(one) > day])[:NEARBY]
    return [(format_start(one), source.label(one, DAY_AND_TIME_LABEL))
            for one in (chosen if source.words.nearest_first else sorted(chosen))]
