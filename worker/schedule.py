"""Every periodic schedule of the clinic, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What the scheduler (celery beat) starts, and how often."""
    return {
        # The outbox relay's safety net: due notifications and reminders, and any a broker outage held back.
        "relay-notifications": {"task": "notifications.relay", "schedule": float(config["OUTBOX_RELAY_SECONDS"])},
        # The waitlist's: freed times not yet handed over (a broker outage), and offers expired or withdrawn.
        "sweep-waitlist": {"task": "waitlist.sweep", "schedule": float(config["OUTBOX_RELAY_SECONDS"])},
    }
