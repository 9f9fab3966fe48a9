"""All appointments, for admins: filtered by day or dates, therapist, status and therapy type, a page at a time."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from wtforms import Field, Form, IntegerField, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from booking import policy
from booking.admin import bp
from booking.admin.forms import THERAPY_CHOICES
from booking.clinic.times import FIRST_DAY, LAST_DAY, accepted_day, written
from booking.extensions import db
from booking.forms import QueryForm
from booking.forms.fields import DayField
from booking.models import AppointmentStatus, Therapist
from booking.services.visits.listing import AppointmentFilter, appointment_page
from booking.staff.access import staff_required

ANY = ""
LAST_PAGE = 10_000
FILTERS = ("day", "from_day", "to_day", "therapist", "status", "therapy_type")


def within_days(form: Form, field: Field) -> None:
    """WTForms validator: a day the clinic's records could hold (far dates cannot even be converted)."""
    if field.data and not accepted_day(field.data):
        raise ValidationError(f"Enter a date from {written(FIRST_DAY, 'date')} to {written(LAST_DAY, 'date')}.")


class AppointmentFilterForm(QueryForm):
    """The list's filters, sent with GET; every value is checked and explained."""

    day = DayField("Day", validators=[Optional(), within_days])
    from_day = DayField("From", validators=[Optional(), within_days])
    to_day = DayField("To", validators=[Optional(), within_days])
    therapist = SelectField("Therapist", default=ANY,
                            invalid_choice_message="Choose one of the therapists listed, or any therapist.")
    status = SelectField("Status", default=ANY,
                         choices=[SelectChoice(ANY, "Any status"),
                                  *(SelectChoice(status.value, status.label) for status in AppointmentStatus)],
                         invalid_choice_message="Choose one of the statuses listed, or any status.")
    therapy_type = SelectField("Therapy", default=ANY,
                               choices=[SelectChoice(ANY, "Any therapy"), *THERAPY_CHOICES],
                               invalid_choice_message="Choose physiotherapy, massage therapy, or any therapy.")
    page = IntegerField("Page", default=1, validators=[
        Optional(), NumberRange(min=1, max=LAST_PAGE, message=f"Choose a page from 1 to {LAST_PAGE}.")])

    def validate(self, extra_validators: object = None) -> bool:
        """Each field's checks, then the day and the range together."""
        valid = super().validate()
        if self.day.data and (self.from_day.data or self.to_day.data):
            self.day.errors = [*self.day.errors, "Choose either one day or a date range, not both."]
            return False
        if self.from_day.data and self.to_day.data and self.from_day.data > self.to_day.data:
            self.to_day.errors = [*self.to_day.errors, "The end of the range must not be before its start."]
            return False
        return valid

    def chosen(self) -> AppointmentFilter:
        """The filter the (valid) form describes."""
        return AppointmentFilter(
            first_day=self.day.data or self.from_day.data, last_day=self.day.data or self.to_day.data,
            therapist_id=int(self.therapist.data) if self.therapist.data else None,
            status=self.status.data or None, therapy_type=self.therapy_type.data or None)


@bp.route("/appointments")
@staff_required(policy.may_see_patients)
def appointments() -> str:
    """Every visit, newest first, narrowed by the filters; a bad filter is explained, nothing is listed."""
    form = AppointmentFilterForm(formdata=request.args)
    therapists = db.session.scalars(select(Therapist).order_by(Therapist.name, Therapist.id))
    form.therapist.choices = [SelectChoice(ANY, "Any therapist"), *(SelectChoice(str(t.id), t.name) for t in therapists)]
    page = appointment_page(form.chosen(), current_user, form.page.data or 1) if form.validate() else None
    links = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template("admin/appointments.html", form=form, page=page, links=links)
