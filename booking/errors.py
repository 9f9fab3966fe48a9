"""Error pages for people, JSON errors for the API; never a bare 500 for a user's mistake."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from booking.clinic.settings import clinic_settings
from booking.extensions import db
from booking.services.visits.link_expiry import LinkExpired

logger = logging.getLogger(__name__)

# When the database cannot be reached (down, restarting, every connection busy): 503, and when to retry.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 60
# Statuses whose own description, when given, tells the client what to fix (other descriptions are technical).
EXPLAINED = (400, 415)

MESSAGES = {
    400: "We could not read that request.",
    404: "We could not find that page.",
    405: "That page does not accept this kind of request.",
    413: "That request was too large. Please send less, or give us a call.",
    415: "Send the request body as JSON (Content-Type: application/json).",
    429: "Too many requests in a short time. Please wait a little and try again, or give us a call.",
    500: "Something went wrong on our side. Please try again, or give us a call.",
    503: "Our booking system is not available just now. Please try again in a few minutes.",
}


def wants_json() -> bool:
    """Return whether the request came to the JSON API."""
    return request.path.startswith("/api/")


def _render(status: int, message: str) -> tuple[Response | str, int]:
    """Answer with JSON for the API and with a page otherwise."""
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def _message(error: HTTPException, status: int) -> str:
    """The words for an HTTP error: ours, unless a 400 or 415 was raised saying what was wrong (abort(400, "..."))."""
    if status in EXPLAINED and error.description != type(error).description:
        return str(error.description)
    return MESSAGES.get(status, error.description or "Request failed.")


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return _render(400, "This form has expired. Please go back, reload the page and try again.")

    @app.errorhandler(LinkExpired)
    def _expired(error: LinkExpired) -> ResponseReturnValue:
        """A visit's link past its days: 410 (gone for good), and how to reach the clinic instead."""
        return render_template("link_expired.html"), 410

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        body, status = _render(status, _message(error, status))
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    def _unavailable(error: Exception) -> ResponseReturnValue:
        """The database cannot be reached: 503 with Retry-After and the clinic's phone number."""
        db.session.rollback()
        rule = request.url_rule.rule if request.url_rule else "an unknown route"
        logger.warning("database unavailable (%s) on %s %s", type(error).__name__, request.method, rule)
        message = MESSAGES[503]
        if wants_json():
            message = f"{message[:-1]}, or call us at {clinic_settings().phone}."
        body, status = _render(503, message)
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    for unavailable in UNAVAILABLE:
        app.register_error_handler(unavailable, _unavailable)

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError) -> ResponseReturnValue:
        db.session.rollback()
        logger.error("unhandled error on %s %s", request.method, request.path,
                     exc_info=error.original_exception)
        return _render(500, MESSAGES[500])
