"""Admins' page of staff logins: every login, deactivated when someone leaves (their access ends at once)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.admin.forms import ActionForm
from booking.models import StaffUser
from booking.services.staff_accounts import logins as service
from booking.services.staff_accounts.accounts import AccountError
from booking.staff.access import staff_required


def _login(user_id: int) -> StaffUser:
    """The login, or 404."""
    return service.find_login(user_id) or abort(404)


@bp.route("/staff-logins")
@staff_required(policy.may_run_the_clinic)
def staff_logins() -> str:
    """Every staff login, with its role, therapist and status, and a button to deactivate or reactivate it."""
    return render_template("admin/staff_logins.html", logins=service.all_logins())


@bp.post("/staff-logins/<int:user_id>/deactivate")
@staff_required(policy.may_run_the_clinic)
def deactivate_login(user_id: int) -> Response:
    """End a login's access: its sessions, its calendar feed, its sign-in and password resets."""
    user = _login(user_id)
    if ActionForm().validate_on_submit():
        try:
            if service.deactivate(user, current_user):
                flash(f"{user.email} is deactivated: its sessions have ended and it can no longer sign in.")
        except AccountError as exc:
            flash(exc.message)
    return redirect(url_for(".staff_logins"), code=303)


@bp.post("/staff-logins/<int:user_id>/reactivate")
@staff_required(policy.may_run_the_clinic)
def reactivate_login(user_id: int) -> Response:
    """Let a deactivated login sign in again."""
    user = _login(user_id)
    if ActionForm().validate_on_submit() and service.reactivate(user, current_user):
        flash(f"{user.email} can sign in again with its password.")
    return redirect(url_for(".staff_logins"), code=303)
