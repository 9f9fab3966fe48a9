"""Security headers on every response, the session cookie, and the rate limits of the endpoints anyone can reach
(read from the settings at request time)."""

from __future__ import annotations

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

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


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, opened without the signing machinery when the request has no cookie.

    Flask builds an itsdangerous serializer (a key derivation, a signer) and parses the Cookie header for
    every request before it looks for the cookie; an API client sends no cookie at all, so its session is
    empty whatever the serializer. Without a secret key the session stays unusable (a null session), as
    Flask has it. Saving is Flask's: an empty session that was not changed sets no cookie.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)


def register(app: Flask) -> None:
    """Open sessions cheaply, add the headers; every page but static files is marked no-store."""
    production = app.config["BOOKING_ENV"] == "production"
    app.session_interface = CookieSessions()

    @app.after_request
    def _headers(response: Response) -> Response:
        if "Content-Security-Policy" not in response.headers:  # setdefault would raise and catch a KeyError
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
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
