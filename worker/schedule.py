"""Every periodic schedule of the clinic, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab

# The clinic's night: the nightly tasks run at this local hour (standard time; an hour later in summer time).
NIGHT_HOUR, NIGHT_MINUTE = 3, 15


def clinic_night(zone_name: str) -> crontab:
    """Every day at the clinic's night: Celery's clock is UTC, so its hour is the clinic's standard time's."""
    night = datetime(2026, 1, 1, NIGHT_HOUR, NIGHT_MINUTE, tzinfo=ZoneInfo(zone_name))
    utc = night.astimezone(ZoneInfo("UTC"))
    return crontab(hour=utc.hour, minute=utc.minute)


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What the scheduler (celery beat) starts, and how often."""
    return {
        # The outbox relay's safety net: due notifications and reminders, and any a broker outage held back.
        "relay-notifications": {"task": "notifications.relay", "schedule": float(config["OUTBOX_RELAY_SECONDS"])},
        # The waitlist's: freed times not yet handed over (a broker outage), and offers expired or withdrawn.
        "sweep-waitlist": {"task": "waitlist.sweep", "schedule": float(config["OUTBOX_RELAY_SECONDS"])},
        # Retention: every record of each person whose date has come is destroyed (a legal hold keeps them).
        "privacy-retention": {"task": "privacy.retention", "schedule": clinic_night(config["CLINIC_TIMEZONE"])},
        # What is never meant to be kept goes on its date: unbooked screenings, drafts, messages, typed addresses,
        # ended waitlist places (booking.services.privacy.tidy).
        "privacy-tidy": {"task": "privacy.tidy", "schedule": clinic_night(config["CLINIC_TIMEZONE"])},
    }
