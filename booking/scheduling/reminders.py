"""When a visit's reminders are due: pure, time-zone aware.

The rule for "N days before" across a daylight-saving change: an offset of
whole days (a multiple of 1,440 minutes) means the same local clock time that
many days before, so the "24 hours before" reminder of a 10:00 visit comes at
10:00 the day before, also when the clocks changed in between (it is then 23
or 25 hours before). Any other offset is an exact duration: 120 minutes is two
hours before, whatever the clocks do. A local time that does not exist (in the
hour skipped in spring) is read with the offset in force before the change,
as Python's zoneinfo does (02:30 becomes 03:30); one that happens twice (the
hour repeated in autumn) is the first of the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


def reminder_due(starts_at: datetime, offset_minutes: int, zone: ZoneInfo) -> datetime:
    """When the reminder ``offset_minutes`` before a visit is due, in UTC (see the module docstring)."""
    if offset_minutes <= 0:
        raise ValueError("a reminder offset is a positive number of minutes")
    if offset_minutes % MINUTES_PER_DAY:
        return starts_at.astimezone(UTC) - timedelta(minutes=offset_minutes)
    local = starts_at.astimezone(zone)
    wall = local.replace(tzinfo=None) - timedelta(days=offset_minutes // MINUTES_PER_DAY)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def reminders_to_send(starts_at: datetime, offsets: Iterable[int], zone: ZoneInfo,
                      now: datetime) -> list[tuple[int, datetime]]:
    """The (offset, due time) of each reminder still to come at ``now``; one whose time has passed is left out."""
    due = ((offset, reminder_due(starts_at, offset, zone)) for offset in sorted(set(offsets), reverse=True))
    return [(offset, when) for offset, when in due if now < when < starts_at]
