"""The audit log, for admins: who viewed or changed what, newest first, filtered, never editable here.

There is no route that edits or deletes an event, and the database refuses
UPDATE (and, on PostgreSQL, DELETE) of ``audit_events`` by a trigger.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from booking import policy
from booking.admin import bp
from booking.admin.appointments import within_days
from booking.clinic.limits import AUDIT_WORD_LENGTH
from booking.extensions import db
from booking.forms import QueryForm
from booking.forms.fields import DayField
from booking.models import AuditEvent, StaffUser
from booking.services.audit import AuditFilter, log_page
from booking.staff.access import staff_required

ANY = ""
PAGE_SIZE = 50
LAST_PAGE = 10_000
FILTERS = ("actor", "action", "subject_type", "from_day", "to_day")


class AuditFilterForm(QueryForm):
    """The log's filters, sent with GET; every value is checked and explained."""

    actor = SelectField("Who", default=ANY, invalid_choice_message="Choose one of the staff members listed, or anyone.")
    action = StringField("Action", validators=[
        Optional(), Length(max=AUDIT_WORD_LENGTH, message=f"An action has at most {AUDIT_WORD_LENGTH} characters.")],
                         description='For example "viewed", "cancelled" or "changed".')
    subject_type = StringField("Subject", validators=[
        Optional(), Length(max=AUDIT_WORD_LENGTH, message=f"A subject has at most {AUDIT_WORD_LENGTH} characters.")],
        description='For example "screening", "appointment" or "settings".')
    from_day = DayField("From", validators=[Optional(), within_days])
    to_day = DayField("To", validators=[Optional(), within_days])
    page = IntegerField("Page", default=1, validators=[
        Optional(), NumberRange(min=1, max=LAST_PAGE, message=f"Choose a page from 1 to {LAST_PAGE}.")])

    def validate(self, extra_validators: object = None) -> bool:
        """Each field's checks, then the range."""
        valid = super().validate()
        if self.from_day.data and self.to_day.data and self.from_day.data > self.to_day.data:
            self.to_day.errors = [*self.to_day.errors, "The end of the range must not be before its start."]
            return False
        return valid


def _events(form: AuditFilterForm) -> list[AuditEvent]:
    """One page (and one row more) of the events the filters keep, newest first, with their actors."""
    chosen = AuditFilter(actor_id=int(form.actor.data) if form.actor.data else None, action=form.action.data,
                         subject_type=form.subject_type.data, first_day=form.from_day.data, last_day=form.to_day.data)
    return log_page(chosen, current_user, form.page.data or 1, PAGE_SIZE)


@bp.route("/audit")
@staff_required(policy.may_read_audit_log)
def audit() -> str:
    """The audit log, newest first, narrowed by the filters; a bad filter is explained, nothing is listed."""
    form = AuditFilterForm(formdata=request.args)
    staff = db.session.scalars(select(StaffUser).order_by(StaffUser.email))
    form.actor.choices = [SelectChoice(ANY, "Anyone"), *(SelectChoice(str(user.id), user.email) for user in staff)]
    events = _events(form) if form.validate() else None
    links = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template("admin/audit.html", form=form, events=None if events is None else events[:PAGE_SIZE],
                           has_next=events is not None and len(events) > PAGE_SIZE, number=form.page.data or 1,
                           links=links)
