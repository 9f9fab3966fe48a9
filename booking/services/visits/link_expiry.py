"""How long a visit's links work: the one rule for every link that opens a visit without signing in.

The visit's manage link (its page, the confirmation, a back-to-back pair's page, the calendar files) and its
questionnaire's link stop working ``link_days_after_visit`` days after the visit ends (a clinic setting, 30 by
default), so that an old email or a calendar entry shared on no longer opens the visit. From then on they
answer ``LinkExpired``: a clear page, HTTP 410, saying how to reach the clinic (``booking.errors``). The API's
bearer token is the same secret but is no link; it keeps working.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from booking.clinic.clock import moment
from booking.clinic.settings import clinic_settings
from booking.models import Appointment


class LinkExpired(Exception):
    """A link of a visit was opened after it stopped working."""


def works_until(visit: Appointment) -> datetime:
    """The moment the visit's links stop working: ``link_days_after_visit`` days after the visit ends."""
    return visit.ends_at + timedelta(days=clinic_settings().link_days_after_visit)


def still_working(visit: Appointment, *, now: datetime | None = None) -> Appointment:
    """The visit a link opened, while its links work; raises LinkExpired once they have stopped."""
    if moment(now) >= works_until(visit):
        raise LinkExpired
    return visit
