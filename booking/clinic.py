"""The clinic's time zone, from the configuration, and how its times are written, for services and pages alike."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    """The clinic's time zone: every local day and time is in it."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def local_time(moment: datetime, fmt: str = "%A %B %-d, %Y at %-I:%M %p %Z") -> str:
    """An aware datetime in the clinic's zone, with the zone named; ``%p`` is "a.m." or "p.m." (en-CA)."""
    return wall_time(moment.astimezone(clinic_zone()), fmt)


def wall_time(moment: datetime | time, fmt: str = "%-I:%M %p") -> str:
    """A local clock reading in the site's style: "9:30 a.m."."""
    return moment.strftime(fmt.replace("%p", "a.m." if moment.hour < 12 else "p.m."))
