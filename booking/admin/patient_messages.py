"""What a patient is sent, on their page: their consents to messages that are not transactional (recorded and
withdrawn by an admin) and their reminders (stopped by the patient's one click, turned back on at their request).

Every change is audited (``booking.services.privacy``); only admins (``policy.may_see_patients``) reach these pages,
and a consent of another patient answers 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from booking import policy
from booking.admin import bp
from booking.clinic.validators import stripped
from booking.database import get_or_none
from booking.forms import ClinicForm, required
from booking.forms.fields import DayField, listed_choice
from booking.models import MessageConsent, Patient
from booking.notifications.kinds import Purpose
from booking.services.privacy import consent, reminders
from booking.services.visits.schedule import clinic_today
from booking.staff.access import staff_required

WORDING_LENGTH = 2000


class ConsentForm(ClinicForm):
    """A consent the patient gave: to what, the words they agreed to, how and when."""

    purpose = RadioField("Messages", default=Purpose.NEWS.value, validate_choice=False,
                         choices=[SelectChoice(purpose.value, purpose.label) for purpose in Purpose],
                         validators=[listed_choice("Choose the messages the patient agreed to.")])
    wording = TextAreaField("What the patient agreed to", default=Purpose.NEWS.wording, filters=[stripped], validators=[
        DataRequired("Write the words the patient agreed to."),
        Length(max=WORDING_LENGTH, message=f"Write at most {WORDING_LENGTH} characters.")])
    how = RadioField("How", validate_choice=False, choices=[SelectChoice(how, label) for how, label in consent.HOW.items()],
                     validators=[listed_choice("Choose how the patient gave their consent.")])
    given_on = DayField("Given on", validators=[InputRequired("Enter the date the patient agreed, like 2026-11-02.")])

    def validate_given_on(self, field: DayField) -> None:
        """A consent is recorded once given: not on a day still to come."""
        if field.data is not None and field.data > clinic_today():
            raise ValidationError("Enter today's date or an earlier one: a consent is recorded once it is given.")


class ButtonForm(ClinicForm):
    """A button and its CSRF token."""


def _current_or_404(patient_id: int) -> Patient:
    """The current patient record with this id (not one joined into another), or a 404 page."""
    patient = get_or_none(Patient, patient_id)
    if patient is None or patient.merged_into_id is not None:
        abort(404)
    return patient


@bp.route("/patients/<int:id>/consents/new", methods=["GET", "POST"])
@staff_required(policy.may_see_patients)
def record_consent(id: int) -> str | Response:  # noqa: A002  (the patient page's argument)
    """Record a consent the patient gave to messages that are not transactional."""
    patient = _current_or_404(id)
    form = ConsentForm()
    if not form.is_submitted():
        form.given_on.data = clinic_today()
    if form.validate_on_submit():
        consent.record(patient, required(form.purpose.data), required(form.wording.data), required(form.how.data),
                       required(form.given_on.data), current_user)
        flash(f"The consent to {Purpose(form.purpose.data).label.lower()} is recorded.")
        return redirect(url_for(".patient", id=patient.id, _anchor="messages"), code=303)
    return render_template("admin/consent_new.html", patient=patient, form=form)


@bp.route("/patients/<int:id>/consents/<int:consent_id>/withdraw", methods=["POST"])
@staff_required(policy.may_see_patients)
def withdraw_consent(id: int, consent_id: int) -> Response:  # noqa: A002
    """Withdraw one of the patient's consents, at their request."""
    patient = _current_or_404(id)
    given = get_or_none(MessageConsent, consent_id)
    if given is None or given.patient_id != patient.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    consent.withdraw(given, current_user)
    flash(f"The consent to {Purpose(given.purpose).label.lower()} is withdrawn: no such message goes to "
          f"{patient.name} any more.")
    return redirect(url_for(".patient", id=patient.id, _anchor="messages"), code=303)


@bp.route("/patients/<int:id>/reminders", methods=["POST"])
@staff_required(policy.may_see_patients)
def resume_reminders(id: int) -> Response:  # noqa: A002
    """Turn the patient's reminders back on, at their request."""
    patient = _current_or_404(id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    reminders.resume(patient, current_user)
    flash(f"Reminders are on again for {patient.name}.")
    return redirect(url_for(".patient", id=patient.id, _anchor="messages"), code=303)
