"""The clinic's time zone, from the configuration, the days it accepts, and how its days and times are written (the
named formats), for services, pages and emails alike."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from types import MappingProxyType
from zoneinfo import ZoneInfo

from flask import current_app

from booking.scheduling.localday import midnight

# The days anything can be asked about or given for (visits, hours, time off, closed days, lists and logs): far
# beyond any visit, and well inside what dates and their conversions between zones can hold.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2199, 12, 31)


def clinic_zone() -> ZoneInfo:
    """The clinic's time zone: every local day and time is in it."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def accepted_day(day: date) -> bool:
    """Whether a day is within the days the clinic accepts (FIRST_DAY to LAST_DAY)."""
    return FIRST_DAY <= day <= LAST_DAY


def local_midnight(day: date) -> datetime:
    """The first instant of a local day of the clinic, in UTC, safe where a zone skips midnight (the end of a day
    is the next one's midnight)."""
    return midnight(day, clinic_zone())


# Every way the clinic writes a day or a time, by name: no page, email or message spells a format out (a test checks
# it). The names say what is shown: "day" has the weekday, "date" does not; "short" abbreviates the names; "time"
# names the zone, "clock" does not. "%p" is written "a.m." or "p.m." (Canadian style).
DATE_FORMATS: Mapping[str, str] = MappingProxyType({
    "day": "%A %B %-d, %Y",  # Wednesday December 2, 2026
    "day_no_year": "%A %B %-d",  # Wednesday December 2
    "day_short_no_year": "%a %b %-d",  # Wed Dec 2
    "date": "%B %-d, %Y",  # December 2, 2026
    "date_no_year": "%B %-d",  # December 2
    "date_short_no_year": "%b %-d",  # Dec 2
    "time": "%-I:%M %p %Z",  # 9:30 a.m. MST
    "clock": "%-I:%M %p",  # 9:30 a.m.
    "day_at_time": "%A %B %-d, %Y at %-I:%M %p %Z",  # Wednesday December 2, 2026 at 9:30 a.m. MST
    "day_no_year_at_time": "%A %B %-d at %-I:%M %p %Z",  # Wednesday December 2 at 9:30 a.m. MST
    "day_short_time": "%a %b %-d, %Y, %-I:%M %p %Z",  # Wed Dec 2, 2026, 9:30 a.m. MST
    "day_short_no_year_time": "%a %b %-d, %-I:%M %p %Z",  # Wed Dec 2, 9:30 a.m. MST
    "date_short_time": "%b %-d, %Y, %-I:%M %p %Z",  # Dec 2, 2026, 9:30 a.m. MST
    "date_short_time_seconds": "%b %-d, %Y, %-I:%M:%S %p %Z",  # Dec 2, 2026, 9:30:05 a.m. MST
    "date_short_no_year_clock": "%b %-d, %-I:%M %p",  # Dec 2, 9:30 a.m.
    "subject": "%a %-d %b at %-I:%M %p",  # Wed 2 Dec at 9:30 a.m. (an email's subject)
})


def local_time(moment: datetime, name: str = "day_at_time") -> str:
    """An aware datetime in the clinic's zone, written in the named format (see DATE_FORMATS)."""
    return written(moment.astimezone(clinic_zone()), name)


def written(value: date | time | datetime, name: str) -> str:
    """A day, a clock reading or a local datetime, as it stands, written in the named format (see DATE_FORMATS)."""
    fmt = DATE_FORMATS[name]
    if "%p" in fmt:
        fmt = fmt.replace("%p", "a.m." if value.hour < 12 else "p.m.")  # type: ignore[union-attr]
    return value.strftime(fmt)
