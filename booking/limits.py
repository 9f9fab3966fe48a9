"""Rate limits of the anonymous endpoints, read from the settings at request time."""

from __future__ import annotations

from flask import current_app


def contact_limit() -> str:
    """Messages one address may send through the contact form."""
    return current_app.config["RATELIMIT_CONTACT"]


def screening_limit() -> str:
    """Screenings one address may submit."""
    return current_app.config["RATELIMIT_SCREENING"]


def booking_limit() -> str:
    """Bookings and changes to a visit one address may make."""
    return current_app.config["RATELIMIT_BOOKING"]


def read_limit() -> str:
    """Reads one address may make (guessing manage tokens is slowed down too)."""
    return current_app.config["RATELIMIT_READ"]


def login_limit() -> str:
    """Staff sign-in attempts (passwords, codes, reset requests) one address may make, whatever the account."""
    return current_app.config["RATELIMIT_LOGIN"]
