"""The clinic's time zone, from the configuration, the days it accepts, and how its times are written, for services
and pages alike."""

from __future__ import annotations

from datetime import date, datetime, time
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


def local_time(moment: datetime, fmt: str = "%A %B %-d, %Y at %-I:%M %p %Z") -> str:
    """An aware datetime in the clinic's zone, with the zone named; ``%p`` is "a.m." or "p.m." (en-CA)."""
    return wall_time(moment.astimezone(clinic_zone()), fmt)


def wall_time(moment: datetime | time, fmt: str = "%-I:%M %p") -> str:
    """A local clock reading in the site's style: "9:30 a.m."."""
    return moment.strftime(fmt.replace("%p", "a.m." if moment.hour < 12 else "p.m."))
