"""The time every service judges by."""

from __future__ import annotations

from datetime import UTC, datetime

from booking.models.base import utcnow


def moment(now: datetime | None = None) -> datetime:
    """The time to judge by, in UTC: the one given (tests, replays), or the current time."""
    return (now or utcnow()).astimezone(UTC)
