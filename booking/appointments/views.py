"""Booking views (placeholder until the booking flow lands)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("appointments", __name__, url_prefix="/book")
