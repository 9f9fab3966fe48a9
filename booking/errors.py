"""Error pages for people, JSON errors for the API; never a bare 500 for a user's mistake."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from booking.extensions import db

logger = logging.getLogger(__name__)

MESSAGES = {
    400: "We could not read that request.",
    404: "We could not find that page.",
    405: "That page does not accept this kind of request.",
    413: "That request was too large.",
    415: "Send the request body as JSON (Content-Type: application/json).",
    429: "Too many requests in a short time. Please wait a little and try again, or give us a call.",
    500: "Something went wrong on our side. Please try again, or give us a call.",
}


def wants_json() -> bool:
    """Return whether the request came to the JSON API."""
    return request.path.startswith("/api/")


def _render(status: int, message: str):  # type: ignore[no-untyped-def]
    """Answer with JSON for the API and with a page otherwise."""
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        return _render(400, "This form has expired. Please go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        body, status = _render(status, MESSAGES.get(status, error.description or "Request failed."))
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        logger.error("unhandled error on %s %s", request.method, request.path,
                     exc_info=error.original_exception)
        return _render(500, MESSAGES[500])
