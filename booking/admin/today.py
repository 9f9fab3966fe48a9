"""The admins' today page (their home), and checking a patient in from it or from a visit's page.

Thin views: the page asks ``booking.services.front_desk`` for its sections; the
check-in asks ``booking.services.visits.check_in``, then goes back where it was
sent from (``next``, a path on this site only; the visit's page otherwise), to
the notice saying what happened.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField

from booking import policy
from booking.admin import bp
from booking.clinic.times import local_time
from booking.forms import ClinicForm
from booking.services.front_desk import today_page
from booking.services.visits import BookingError
from booking.services.visits.check_in import open_for_check_in, set_arrived
from booking.services.visits.schedule import visit_for
from booking.staff.access import safe_next, staff_required


class CheckInForm(ClinicForm):
    """Checking a patient in (or, with ``undo``, taking the mark back), and the page to go back to."""

    next = HiddenField()
    undo = HiddenField()


@bp.context_processor
def _check_in() -> dict[str, object]:
    """Give the admins' templates ``check_in_open(visit)``: whether a visit's page offers its check-in."""
    return {"check_in_open": open_for_check_in}


@bp.route("/today")
@staff_required(policy.may_see_patients)
def today() -> str:
    """Today at the desk: the day's visits by status and who has arrived, and what waits for an admin."""
    return render_template("admin/today.html", today=today_page(current_user))


@bp.route("/appointments/<uuid:appointment_id>/check-in", methods=["POST"])
@staff_required(policy.may_check_in)
def check_in(appointment_id: uuid.UUID) -> Response:
    """Mark the visit's patient arrived (``undo``: take the mark back), then back to the page it was done from."""
    appointment = visit_for(current_user, appointment_id) or abort(404)
    form = CheckInForm()
    back = (safe_next(form.next.data) or url_for(".visit", appointment_id=appointment.id)).partition("#")[0]
    if form.validate_on_submit():
        arrived = not form.undo.data
        try:
            set_arrived(appointment, arrived, by_staff=current_user)
        except BookingError as exc:
            flash(exc.message)
        else:
            name = appointment.patient.name
            flash(f"{name} is checked in: arrived at {local_time(appointment.checked_in_at, 'time')}."
                  if appointment.checked_in_at else f"{name}'s check-in is undone: not arrived yet.")
    return redirect(f"{back}#notice", code=303)
