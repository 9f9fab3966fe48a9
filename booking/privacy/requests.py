"""A person's request under the Act (to see their records, or to correct them): the day it came in, and when an
answer is due."""

from __future__ import annotations

from datetime import date, timedelta

OLDEST_DAYS = 366  # a request received longer ago than this is a mistyped day


def received_problem(received_on: date, today: date) -> str | None:
    """What is wrong with the day a request was received, as the form says it; None when it is a plausible day."""
    if received_on > today:
        return "A request cannot come in after today: enter the day the clinic received it."
    if received_on < today - timedelta(days=OLDEST_DAYS):
        return "That day is over a year ago: check the day the clinic received the request."
    return None


def due_on(received_on: date, days: int) -> date:
    """The last day to answer a request received on ``received_on`` (the clinic's ``request_days`` later)."""
    return received_on + timedelta(days=days)
