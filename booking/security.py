"""Security headers on every response, and the rate limits of the endpoints anyone can reach (read from the
settings at request time)."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
])


def register(app: Flask) -> None:
    """Add the headers; every page but static files is marked no-store."""
    production = app.config["BOOKING_ENV"] == "production"

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response


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
