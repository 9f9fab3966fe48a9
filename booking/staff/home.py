"""/staff/ and /admin/: the signed-in person's first page (signed out: the sign-in page), never a 404."""

from __future__ import annotations

from flask import redirect
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp as admin_bp
from booking.staff import bp
from booking.staff.access import staff_required
from booking.staff.auth import home_for


@bp.route("/")
@admin_bp.route("/", endpoint="home")
@staff_required(policy.may_use_staff_pages)
def home() -> Response:
    """Whoever is signed in goes to their own first page: a therapist's schedule, an admin's appointments."""
    return redirect(home_for(current_user))  # type: ignore[arg-type]
