"""The admins' page of the days the clinic is closed (holidays): add one, see those to come, remove one.

No time is offered on a closed day (web, API, phone, plan finder: ``SlotRules.closed_days``). A day
with booked visits is refused (409) with those visits listed, so that the patients are called first.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from booking import policy
from booking.admin import bp
from booking.clinic.limits import CLOSURE_LABEL_LENGTH
from booking.forms import ClinicForm, required
from booking.forms.fields import DayField
from booking.models import Appointment
from booking.services import clinic_hours
from booking.services.clinic_hours import describe
from booking.services.therapists.hours import HoursConflict
from booking.services.therapists.shifts import HoursError
from booking.staff.access import staff_required


class ClosureForm(ClinicForm):
    """A day the clinic is closed, with an optional label."""

    day = DayField("Date", validators=[InputRequired("Enter the date the clinic is closed, like 2026-12-25.")])
    label = StringField("Label (optional)", validators=[
        Length(max=CLOSURE_LABEL_LENGTH, message=f"Write at most {CLOSURE_LABEL_LENGTH} characters.")])


class RemoveForm(ClinicForm):
    """Opening the clinic again on a closed day: a button and its CSRF token."""


def _page(form: ClosureForm, *, stranded: list[Appointment] | None = None, status: int = 200) -> tuple[str, int]:
    """The closed days to come, the form to add one, and any visits that stopped it."""
    return render_template("admin/closures.html", form=form, closures=clinic_hours.upcoming_closures(),
                           stranded=stranded), status


@bp.route("/closures", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def closures() -> tuple[str, int] | Response:
    """List the closed days to come; add one (refused over booked visits)."""
    form = ClosureForm()
    if not form.validate_on_submit():
        return _page(form)
    try:
        closure = clinic_hours.add_closure(required(form.day.data), form.label.data or "", current_user)
    except HoursError as refused:
        for field, message in refused.errors.items():
            form[field].errors.append(message)
        return _page(form)
    except HoursConflict as conflict:
        return _page(form, stranded=conflict.visits, status=409)
    flash(f"The clinic is closed on {describe(closure.day, closure.label)}: no times are offered that day.")
    return redirect(url_for(".closures"), code=303)


@bp.route("/closures/<int:closure_id>/remove", methods=["POST"])
@staff_required(policy.may_run_the_clinic)
def remove_closure(closure_id: int) -> Response:
    """Open the clinic again on a closed day."""
    if not RemoveForm().validate_on_submit():
        abort(400)
    try:
        day = clinic_hours.remove_closure(closure_id, current_user)
    except LookupError:
        abort(404)
    flash(f"The clinic is open again on {day}, in its usual hours.")
    return redirect(url_for(".closures"), code=303)
