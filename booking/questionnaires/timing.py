"""Which visits are preceded by a questionnaire, and when its email is due: pure, time-zone aware."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_SEND_TIME = "18:00"  # the evening before the visit, in the clinic's zone


def is_asked(care_plan_id: int | None, therapy_type: str, service_name: str) -> bool:
    """Whether a visit gets a questionnaire: every visit of a care plan, and any physiotherapy assessment
    (the clinic names those services so, as the catalog's order of services does)."""
    return care_plan_id is not None or (therapy_type == "physiotherapy" and "assessment" in service_name.lower())


def parse_send_time(text: str) -> time:
    """The local time of day in "HH:MM" (a ValueError otherwise)."""
    hours, _, minutes = text.partition(":")
    if not (len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"not a time of day as HH:MM: {text!r}")
    return time(int(hours), int(minutes))


def questionnaire_due(starts_at: datetime, send_time: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the questionnaire of a visit starting at ``starts_at`` is due, in UTC; None once the visit has begun.

    It is due on the local day before the visit at ``send_time``; a visit booked after that time is
    sent its questionnaire at once. A local time that does not exist or happens twice is read as
    Python's zoneinfo does (see ``booking.scheduling.reminders``).
    """
    if now >= starts_at:
        return None
    day_before = starts_at.astimezone(zone).date() - timedelta(days=1)
    due = datetime.combine(day_before, parse_send_time(send_time), tzinfo=zone).astimezone(UTC)
    return max(due, now.astimezone(UTC))
