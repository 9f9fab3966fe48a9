"""The notifications still owed or failed, for admins, with a retry button (no personal data is shown)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from booking.admin import bp
from booking.forms import ClinicForm
from booking.notifications.admin import retry, unfinished
from booking.services.availability import storable_id
from booking.staff.access import staff_required


class RetryForm(ClinicForm):
    """Retrying a notification: a button and its CSRF token."""


@bp.route("/notifications")
@staff_required("admin")
def notifications() -> str:
    """Failed notifications first, then those pending or being sent, by due time."""
    return render_template("staff/admin/notifications.html", notifications=unfinished(), form=RetryForm())


@bp.route("/notifications/<int:notification_id>/retry", methods=["POST"])
@staff_required("admin")
def retry_notification(notification_id: int) -> Response:
    """Make the notification due now with a fresh count of attempts."""
    if RetryForm().validate_on_submit():
        done = retry(notification_id) if storable_id(notification_id) else None
        flash(f"Notification {notification_id} will be sent again now." if done else
              f"Notification {notification_id} is not waiting or failed: there is nothing to retry.")
    return redirect(url_for(".notifications"), code=303)
