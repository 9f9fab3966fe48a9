"""API: screenings (placeholder)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("screenings", __name__)
