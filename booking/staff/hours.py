"""A therapist's own weekly hours and time off (booking.services.therapists.hours decides what a change may do).

A change that would leave booked visits outside the hours is refused with the
list of those visits and "call the patients first", unless the therapist ticks
"I will rebook these visits myself"; the visits are never dropped or moved.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from booking import policy
from booking.clinic.limits import TIME_OFF_REASON_LENGTH
from booking.clinic.settings import WEEKDAYS
from booking.clinic.times import FIRST_DAY, LAST_DAY, accepted_day, clinic_zone, local_midnight
from booking.forms import ClinicForm, required
from booking.forms.fields import ClockField, DayField
from booking.models import Appointment
from booking.services.therapists import hours as working_hours
from booking.services.therapists.hours import HoursConflict
from booking.services.therapists.shifts import HoursError, Shift
from booking.staff import bp
from booking.staff.access import staff_required

REBOOK_LABEL = "I will rebook these visits myself"


def in_range(_form: ClinicForm, field: DayField) -> None:
    """WTForms validator: a date hours can be given for."""
    if field.data and not accepted_day(field.data):
        raise ValidationError(f"Choose a date between {FIRST_DAY} and {LAST_DAY}.")


class RebookForm(ClinicForm):
    """The confirmation a change that leaves visits outside the hours needs."""

    rebook_myself = BooleanField(REBOOK_LABEL)


class ShiftForm(RebookForm):
    """A weekly shift."""

    weekday = SelectField("Day of the week", coerce=int,
                          choices=[SelectChoice(number, name) for number, name in enumerate(WEEKDAYS)],
                          validators=[InputRequired("Choose a day of the week.")])
    start = ClockField("Starts at", validators=[InputRequired("Enter when the shift starts, like 09:00.")])
    end = ClockField("Ends at", validators=[InputRequired("Enter when the shift ends, like 17:00.")])
    valid_from = DayField("First day (optional)", validators=[Optional(), in_range])
    valid_to = DayField("Last day (optional)", validators=[Optional(), in_range])

    def shift(self) -> Shift:
        """The shift typed."""
        return Shift(self.weekday.data, required(self.start.data), required(self.end.data), self.valid_from.data,
                     self.valid_to.data)


class TimeOffForm(RebookForm):
    """A period away, in clinic time: from a day (and time) until a day (and time)."""

    from_day = DayField("From (day)", validators=[InputRequired("Enter the first day away, like 2026-12-24."),
                                                  in_range])
    from_time = ClockField("From (time, optional)", validators=[Optional()])
    until_day = DayField("Until (day)", validators=[InputRequired("Enter the last day away, like 2026-12-26."),
                                                    in_range])
    until_time = ClockField("Until (time, optional)", validators=[Optional()])
    reason = StringField("Reason", validators=[Length(max=TIME_OFF_REASON_LENGTH,
                                                      message=f"Write at most {TIME_OFF_REASON_LENGTH} characters.")])

    def span(self) -> tuple[datetime, datetime]:
        """The period in UTC: from the start of the first day (or the time given) until the end of the
        last day (or the time given)."""
        zone = clinic_zone()
        first, last = required(self.from_day.data), required(self.until_day.data)
        start = (datetime.combine(first, self.from_time.data, tzinfo=zone).astimezone(UTC)
                 if self.from_time.data else local_midnight(first))
        if self.until_time.data:
            end = datetime.combine(last, self.until_time.data, tzinfo=zone).astimezone(UTC)
        else:
            end = local_midnight(last + timedelta(days=1))
        return start, end


def _therapist_id() -> int:
    """The signed-in therapist's record."""
    return current_user.therapist_id


def _page(*, shift_form: ShiftForm | None = None, time_off_form: TimeOffForm | None = None,
          conflicts: list[Appointment] | None = None, conflict_action: str | None = None,
          status: int = 200) -> tuple[str, int]:
    """The hours page: shifts, time off, visits outside the hours, the two forms (and a refused change)."""
    therapist_id = _therapist_id()
    return render_template(
        "staff/hours.html", weekdays=WEEKDAYS, shifts=working_hours.shifts_of(therapist_id),
        time_off=working_hours.time_off_of(therapist_id), outside=working_hours.outside_hours(therapist_id),
        shift_form=shift_form or ShiftForm(formdata=None), time_off_form=time_off_form or TimeOffForm(formdata=None),
        remove_form=RebookForm(formdata=None), conflicts=conflicts, conflict_action=conflict_action,
        rebook_label=REBOOK_LABEL), status


def _saved(message: str, kept: list[Appointment]) -> Response:
    """Back to the hours page after a change, saying what happened to the visits kept outside the hours."""
    if kept:
        message += (f" {len(kept)} booked visit(s) are now outside your hours and are listed below: "
                    "please rebook them.")
    flash(message)
    return redirect(url_for("staff.hours"), 303)


def _field_errors(form: ClinicForm, error: HoursError) -> None:
    """Put the service's errors on the form's fields."""
    for name, message in error.errors.items():
        getattr(form, name if name in form else "end").errors = [message]


@bp.route("/hours")
@staff_required(policy.is_therapist)
def hours() -> tuple[str, int]:
    """The therapist's weekly shifts and time off."""
    return _page()


@bp.route("/hours/shifts", methods=["POST"])
@staff_required(policy.is_therapist)
def add_shift() -> Response | tuple[str, int]:
    """Add a weekly shift."""
    form = ShiftForm()
    if form.validate():
        try:
            working_hours.add_shift(_therapist_id(), form.shift(), current_user)
        except HoursError as error:
            _field_errors(form, error)
        else:
            return _saved("The shift is added.", [])
    return _page(shift_form=form, status=400)


@bp.route("/hours/shifts/<int:shift_id>", methods=["GET", "POST"])
@staff_required(policy.is_therapist)
def edit_shift(shift_id: int) -> Response | str | tuple[str, int]:
    """Change a shift (its day, times or dates)."""
    stored = next((shift for shift in working_hours.shifts_of(_therapist_id()) if shift.id == shift_id), None)
    if stored is None:
        abort(404)
    form = ShiftForm(data={"weekday": stored.weekday, "start": stored.start_time, "end": stored.end_time,
                           "valid_from": stored.valid_from, "valid_to": stored.valid_to})
    status, conflicts = 200, None
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                kept = working_hours.change_shift(_therapist_id(), shift_id, form.shift(), current_user,
                                          rebook_myself=form.rebook_myself.data)
            except HoursError as error:
                _field_errors(form, error)
            except HoursConflict as conflict:
                status, conflicts = 409, conflict.visits
            else:
                return _saved("The shift is changed.", kept)
    return render_template("staff/shift.html", form=form, shift=stored, conflicts=conflicts,
                           rebook_label=REBOOK_LABEL), status


@bp.route("/hours/shifts/<int:shift_id>/remove", methods=["POST"])
@staff_required(policy.is_therapist)
def remove_shift(shift_id: int) -> Response | tuple[str, int]:
    """Remove a shift (refused while it holds booked visits, unless the therapist will rebook them)."""
    form = RebookForm()
    if not form.validate():
        abort(400)
    try:
        kept = working_hours.remove_shift(_therapist_id(), shift_id, current_user,
                                          rebook_myself=form.rebook_myself.data)
    except LookupError:
        abort(404)
    except HoursConflict as conflict:
        return _page(conflicts=conflict.visits, conflict_action=url_for("staff.remove_shift", shift_id=shift_id),
                     status=409)
    return _saved("The shift is removed.", kept)


@bp.route("/hours/time-off", methods=["POST"])
@staff_required(policy.is_therapist)
def add_time_off() -> Response | tuple[str, int]:
    """Add time off (refused over booked visits, unless the therapist will rebook them)."""
    form = TimeOffForm()
    if form.validate():
        starts_at, ends_at = form.span()
        try:
            kept = working_hours.add_time_off(_therapist_id(), starts_at, ends_at, form.reason.data or "", current_user,
                                      rebook_myself=form.rebook_myself.data)
        except HoursError as error:
            _field_errors(form, error)
        except HoursConflict as conflict:
            return _page(time_off_form=form, conflicts=conflict.visits, status=409)
        else:
            return _saved("The time off is added.", kept)
    return _page(time_off_form=form, status=400)


@bp.route("/hours/time-off/<int:time_off_id>/remove", methods=["POST"])
@staff_required(policy.is_therapist)
def remove_time_off(time_off_id: int) -> Response:
    """Remove time off."""
    if not RebookForm().validate():
        abort(400)
    try:
        working_hours.remove_time_off(_therapist_id(), time_off_id, current_user)
    except LookupError:
        abort(404)
    return _saved("The time off is removed.", [])
