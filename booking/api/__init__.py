"""The JSON API, version 1: one blueprint per area under /api/v1."""

from flask import Blueprint, Response, jsonify

from booking.api.appointments import bp as appointments_bp
from booking.api.body import TextRefused
from booking.api.catalog import bp as catalog_bp
from booking.api.openapi import bp as openapi_bp
from booking.api.screenings import bp as screenings_bp

bp = Blueprint("api", __name__, url_prefix="/api/v1")
for child in (screenings_bp, catalog_bp, appointments_bp, openapi_bp):
    bp.register_blueprint(child)


@bp.errorhandler(TextRefused)
def _text_refused(error: TextRefused) -> tuple[Response, int]:
    """A text with a line break or a control character where none belongs: 422 naming each field."""
    return jsonify(errors=error.errors), 422

__all__ = ["bp"]
