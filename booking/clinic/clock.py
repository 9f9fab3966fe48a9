"""The time every service and page judges by: the one clock of the application.

Services and views take "now" from ``moment`` only (or from a ``now`` handed down to them), so a test or a
replay can give one time to a whole request. ``models.base.utcnow`` is what it reads, and stays the columns'
default.
"""

from __future__ import annotations

from datetime import UTC, datetime

from booking.models.base import utcnow


def moment(now: datetime | None = None) -> datetime:
    """The time to judge by, in UTC: the one given (tests, replays), or the current time."""
    return (now or utcnow()).astimezone(UTC)
