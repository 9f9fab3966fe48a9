"""Correction requests, for admins, from the patient's page: record one, then correct or refuse it.

Thin views over ``booking.services.privacy.corrections`` (requests, refusals) and ``.correcting`` (the changes):
a form that does not validate, or a service that says no, shows the page again with what was typed and why.
The request's page shows the person's notes and function notes (to choose the one to correct): an audited view.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import EmailField, HiddenField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from booking import policy
from booking.admin import bp
from booking.clinic.clock import moment
from booking.clinic.limits import EMAIL_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.clinic.times import clinic_zone, written
from booking.clinic.validators import email_address, phone_number, stripped
from booking.database import get_or_none
from booking.forms import ClinicForm, required
from booking.forms.fields import DayField
from booking.models import CorrectionRequest, Patient
from booking.services import audit
from booking.services.privacy import correcting, corrections
from booking.services.privacy.corrections import CorrectionError
from booking.staff.access import staff_required


class RequestForm(ClinicForm):
    """A correction request as received: the day it came in and what the patient asked to have corrected."""

    received_on = DayField("Received on", validators=[InputRequired("Enter the day the request was received.")])
    asked = TextAreaField("What the patient asked to have corrected", validators=[
        DataRequired("Write what the patient asked to have corrected."), Length(max=corrections.TEXT_LENGTH)])


class DetailsForm(ClinicForm):
    """The person's contact details, corrected."""

    name = StringField("Full name", filters=[stripped], validators=[
        DataRequired("Enter the patient's full name."), Length(max=NAME_LENGTH)])
    email = EmailField("Email address", filters=[stripped], validators=[
        Optional(), Length(max=EMAIL_LENGTH), email_address])
    phone = TelField("Phone number", filters=[stripped], validators=[
        DataRequired("Enter the patient's phone number."), Length(max=PHONE_LENGTH), phone_number])
    birth_date = DayField("Birth date", validators=[Optional()])


class TextForm(ClinicForm):
    """A note or function note, corrected: which one (from the request's page) and its corrected text."""

    key = HiddenField()
    value = TextAreaField("Corrected text", validators=[DataRequired("Write the corrected text.")])


class RefuseForm(ClinicForm):
    """Why the record is not corrected, and the patient's statement of disagreement, attached to it."""

    reason = TextAreaField("Why the record is not corrected", validators=[
        DataRequired("Write why the record is not corrected."), Length(max=corrections.TEXT_LENGTH)])
    statement = TextAreaField("The patient's statement of disagreement", validators=[
        DataRequired("Write the patient's statement of disagreement, in their words."),
        Length(max=corrections.TEXT_LENGTH)])


def _patient_or_404(patient_id: int) -> Patient:
    """The current patient record with this id (not one joined into another), or a 404 page."""
    patient = get_or_none(Patient, patient_id)
    return patient if patient is not None and patient.merged_into_id is None else abort(404)


def _request_or_404(patient: Patient, correction_id: int) -> CorrectionRequest:
    """The person's correction request with this id, or a 404 page (another person's too)."""
    return corrections.request_of(patient, correction_id, current_user) or abort(404)


@bp.route("/patients/<int:id>/corrections/new", methods=["GET", "POST"])
@staff_required(policy.may_see_patients)
def new_correction_request(id: int) -> str | tuple[str, int] | Response:  # noqa: A002  (as the patient's page)
    """Record a correction request: when it came in and what the patient asked; then its own page."""
    patient = _patient_or_404(id)
    form = RequestForm(received_on=moment().astimezone(clinic_zone()).date())
    if form.validate_on_submit():
        try:
            made = corrections.record_request(patient, required(form.received_on.data), required(form.asked.data),
                                              current_user)
        except CorrectionError as refused:
            form.received_on.errors = [refused.message]
        else:
            flash(f"The correction request is recorded: answer it by {written(made.due_on, 'date')}.")
            return redirect(url_for(".correction_request", id=patient.id, correction_id=made.id), code=303)
    page = render_template("admin/correction_new.html", patient=patient, form=form)
    return (page, 400) if form.errors else page


def _request_page(patient: Patient, chosen: CorrectionRequest, *, details: DetailsForm | None = None,
                  text: TextForm | None = None, refuse: RefuseForm | None = None,
                  problem: str | None = None) -> tuple[str, int]:
    """The request's page: what was asked, its answer, the corrections made, and the forms to answer it."""
    texts = correcting.texts_of(patient, current_user)
    key = text.key.data if text is not None else request.args.get("text")
    picked = next((held for held in texts if held.key == key), None)
    if text is None:
        text = TextForm(formdata=None, key=picked.key if picked else None, value=picked.value if picked else None)
    details = details or DetailsForm(formdata=None, obj=patient)
    page = render_template("admin/correction_request.html", patient=patient, chosen=chosen, texts=texts,
                           picked=picked, details=details, text=text, refuse=refuse or RefuseForm(formdata=None),
                           marks=corrections.marks_of(patient.id), problem=problem)
    audit.viewed_each("appointment", (held.visit.id for held in texts), f"notes on correction request {chosen.id}")
    failed = problem or any(form.errors for form in (details, text, refuse) if form is not None)
    return page, 400 if failed else 200


@bp.route("/patients/<int:id>/corrections/<int:correction_id>")
@staff_required(policy.may_see_patients)
def correction_request(id: int, correction_id: int) -> tuple[str, int]:  # noqa: A002
    """A correction request: what the patient asked, its deadline or answer, and the forms to answer it."""
    patient = _patient_or_404(id)
    return _request_page(patient, _request_or_404(patient, correction_id))


def _done(patient: Patient, chosen: CorrectionRequest, message: str) -> Response:
    """Back to the request's page, saying what was done."""
    flash(message)
    return redirect(url_for(".correction_request", id=patient.id, correction_id=chosen.id), code=303)


@bp.route("/patients/<int:id>/corrections/<int:correction_id>/details", methods=["POST"])
@staff_required(policy.may_see_patients)
def correct_details(id: int, correction_id: int) -> tuple[str, int] | Response:  # noqa: A002
    """Correct the person's contact details; the old values are kept and shown as corrected."""
    patient = _patient_or_404(id)
    chosen = _request_or_404(patient, correction_id)
    form = DetailsForm()
    if not form.validate():
        return _request_page(patient, chosen, details=form)
    typed = correcting.Details(required(form.name.data), form.email.data or None, required(form.phone.data),
                               form.birth_date.data)
    try:
        made = correcting.correct_details(chosen, patient, typed, current_user)
    except CorrectionError as refused:
        return _request_page(patient, chosen, details=form, problem=refused.message)
    fields = ", ".join(correcting.FIELD_NAMES[correction.field].lower() for correction in made)
    return _done(patient, chosen, f"Corrected: {fields}. The old values are kept and shown as corrected.")


@bp.route("/patients/<int:id>/corrections/<int:correction_id>/text", methods=["POST"])
@staff_required(policy.may_see_patients)
def correct_text(id: int, correction_id: int) -> tuple[str, int] | Response:  # noqa: A002
    """Correct one of the person's notes or function notes; the old text is kept and shown as corrected."""
    patient = _patient_or_404(id)
    chosen = _request_or_404(patient, correction_id)
    form = TextForm()
    if not form.validate():
        return _request_page(patient, chosen, text=form)
    try:
        correcting.correct_text(chosen, patient, form.key.data or "", required(form.value.data), current_user)
    except CorrectionError as refused:
        return _request_page(patient, chosen, text=form, problem=refused.message)
    return _done(patient, chosen, "The text is corrected. The old text is kept and shown as corrected.")


@bp.route("/patients/<int:id>/corrections/<int:correction_id>/refuse", methods=["POST"])
@staff_required(policy.may_see_patients)
def refuse_correction(id: int, correction_id: int) -> tuple[str, int] | Response:  # noqa: A002
    """Refuse the request, with the reason and the patient's statement, shown wherever the record shows."""
    patient = _patient_or_404(id)
    chosen = _request_or_404(patient, correction_id)
    form = RefuseForm()
    if not form.validate():
        return _request_page(patient, chosen, refuse=form)
    try:
        corrections.refuse(chosen, required(form.reason.data), required(form.statement.data), current_user)
    except CorrectionError as refused:
        return _request_page(patient, chosen, refuse=form, problem=refused.message)
    return _done(patient, chosen, "The request is refused. The patient's statement is attached to their record.")
