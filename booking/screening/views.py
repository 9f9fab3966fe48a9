"""Screening views (placeholder until the multi-step form lands)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("screening", __name__, url_prefix="/screening")


@bp.route("/")
def start() -> str:
    """Start the screening."""
    return render_template("error.html", status=200, message="Screening")
