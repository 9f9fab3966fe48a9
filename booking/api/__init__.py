"""The JSON API, version 1: one blueprint per area under /api/v1."""

from flask import Blueprint

from booking.api.appointments import bp as appointments_bp
from booking.api.catalog import bp as catalog_bp
from booking.api.openapi import bp as openapi_bp
from booking.api.screenings import bp as screenings_bp

bp = Blueprint("api", __name__, url_prefix="/api/v1")
for child in (screenings_bp, catalog_bp, appointments_bp, openapi_bp):
    bp.register_blueprint(child)

__all__ = ["bp"]
