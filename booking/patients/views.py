"""Patient flow views."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("patients", __name__)


@bp.route("/screening/")
def screening_start() -> str:
    """Start the screening."""
    return render_template("error.html", status=200, message="Screening")
