"""The notifications still owed or failed, for admins, with a retry button on failed ones (no personal data)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.forms import ClinicForm
from booking.outbox.retries import NotRetryable, retry, retryable, unfinished
from booking.staff.access import staff_required


class RetryForm(ClinicForm):
    """Retrying a notification: a button and its CSRF token."""


@bp.route("/notifications")
@staff_required(policy.may_run_the_clinic)
def notifications() -> str:
    """Failed notifications first, then those pending or being sent, by due time."""
    return render_template("admin/notifications.html", notifications=unfinished(), form=RetryForm(),
                           retryable=retryable)


@bp.route("/notifications/<int:notification_id>/retry", methods=["POST"])
@staff_required(policy.may_run_the_clinic)
def retry_notification(notification_id: int) -> Response:
    """Make a failed notification due again with a fresh count of attempts; refuse any other."""
    if RetryForm().validate_on_submit():
        try:
            retry(notification_id, by_staff=current_user)
            flash(f"Notification {notification_id} will be sent again now.")
        except NotRetryable as refusal:
            flash(str(refusal))
    return redirect(url_for(".notifications"), code=303)
