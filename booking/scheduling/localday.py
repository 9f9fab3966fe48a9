"""One local calendar day in the clinic zone, mapped to real (UTC) instants.

Rules, chosen so that a shift keeps its local wall-clock times on DST days:

* A local time ``t`` on day ``d`` maps to the first instant at which the clinic's
  clock reads ``t`` or later on that day.  For a repeated time (fall back) that is
  the first occurrence (PEP 495 ``fold=0``); for a skipped time (spring forward,
  02:00-03:00 in Edmonton) it is the instant the clocks jump (03:00 local).
* The day's grid is every instant whose local date is ``d`` and whose local
  minute-of-day is a multiple of the grid with zero seconds.  Repeated wall times
  contribute both instants; skipped wall times contribute none.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall-clock reading of ``instant`` in ``tz``."""
    return instant.astimezone(tz).replace(tzinfo=None)


def _first_reaching(naive: datetime, tz: ZoneInfo) -> datetime:
    """The first UTC instant at which the local clock reads ``naive`` or later."""
    early = naive.replace(tzinfo=tz).astimezone(UTC)
    if _wall(early, tz) == naive:
        return early
    before = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    low, high = 0, int((early - before).total_seconds())
    while low < high:
        middle = (low + high) // 2
        if _wall(before + timedelta(seconds=middle), tz) >= naive:
            high = middle
        else:
            low = middle + 1
    return before + timedelta(seconds=low)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of a local day, in UTC: its midnight, or where a zone skips midnight, the instant the
    clocks jump past it (the day's local date begins there). The end of a day is the next day's midnight."""
    return _first_reaching(datetime.combine(day, time()), tz)


class LocalDay:
    """A local date with its UTC span [start, end), time boundaries and grid instants."""

    def __init__(self, day: date, tz: ZoneInfo, grid_minutes: int) -> None:
        self.date = day
        self.tz = tz
        self.grid_minutes = grid_minutes
        self.start = midnight(day, tz)
        self.end = midnight(day + ONE_DAY, tz)
        self.uniform = self.end - self.start == ONE_DAY
        self.grid = self._grid()
        self._boundaries: dict[time, datetime] = {}

    def at(self, local: time) -> datetime:
        """The UTC instant of the local time ``local`` on this day (see module rules)."""
        found = self._boundaries.get(local)
        if found is None:
            if self.uniform:
                found = self.start + timedelta(
                    hours=local.hour, minutes=local.minute, seconds=local.second,
                    microseconds=local.microsecond,
                )
            else:
                found = _first_reaching(datetime.combine(self.date, local), self.tz)
            self._boundaries[local] = found
        return found

    def _grid(self) -> list[datetime]:
        """Sorted UTC instants of this day that lie on the local grid."""
        step = timedelta(minutes=self.grid_minutes)
        count = -(-24 * 60 // self.grid_minutes)
        if self.uniform:
            return [self.start + k * step for k in range(count)]
        found: set[datetime] = set()
        for k in range(count):
            naive = datetime.combine(self.date, time()) + k * step
            for fold in (0, 1):
                instant = naive.replace(tzinfo=self.tz, fold=fold).astimezone(UTC)
                if _wall(instant, self.tz) == naive:
                    found.add(instant)
        return sorted(found)


@lru_cache(maxsize=512)
def local_day(day: date, tz: ZoneInfo, grid_minutes: int) -> LocalDay:
    """The shared, memoised ``LocalDay`` for a date, zone and grid."""
    return LocalDay(day, tz, grid_minutes)

