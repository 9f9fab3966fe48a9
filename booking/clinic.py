"""The clinic's time zone, from the configuration, for services and pages alike."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    """The clinic's time zone: every local day and time is in it."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])
