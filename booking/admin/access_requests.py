"""Access requests, for admins, from the patient's page: record one, answer it, and the export it produces.

Thin views over ``booking.services.privacy.access``: a form that does not validate, or a service that says no, shows
the form again with what was typed and why. Answering marks the request answered and opens the export: a page made to
be printed (or saved as PDF) for the patient, which links the same export as a JSON file. Each export produced is
audited; another person's request answers 404.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from booking import policy
from booking.admin import bp
from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone, local_time, written
from booking.clinic.validators import stripped
from booking.database import get_or_none
from booking.forms import ClinicForm, required
from booking.forms.fields import DayField
from booking.models import AccessRequest, Patient
from booking.privacy.law import law_for, law_for_all
from booking.services.privacy import access
from booking.staff.access import staff_required


class AccessRequestForm(ClinicForm):
    """An access request as received: the day it came in, and how the person was identified."""

    received_on = DayField("Received on", validators=[InputRequired("Enter the day the request was received.")])
    identified_by = StringField("How the person was identified", filters=[stripped], validators=[
        InputRequired("Say how the person was identified (for example: driver's licence seen at the desk)."),
        Length(max=access.IDENTIFIED_LENGTH, message=f"Write at most {access.IDENTIFIED_LENGTH} characters.")])


class AnswerForm(ClinicForm):
    """Answering a request: a button and its CSRF token."""


@bp.context_processor
def _laws() -> dict[str, object]:
    """Give the admins' templates ``law_for`` and ``law_for_all``: the law each record falls under."""
    return {"law_for": law_for, "law_for_all": law_for_all}


@bp.app_template_filter("iso_written")
def iso_written(value: str | None) -> str:
    """An export's day (YYYY-MM-DD) or instant (ISO 8601) as the clinic writes it ("" for none)."""
    if value is None:
        return ""
    if len(value) == len("2026-12-02"):
        return written(date.fromisoformat(value), "date")
    return local_time(datetime.fromisoformat(value), "date_short_time")


def _patient_or_404(patient_id: int) -> Patient:
    """The current patient record with this id (not one joined into another), or a 404 page."""
    patient = get_or_none(Patient, patient_id)
    return patient if patient is not None and patient.merged_into_id is None else abort(404)


def _request_or_404(patient_id: int, request_id: int) -> AccessRequest:
    """The person's access request with this id, or a 404 page (another person's too)."""
    return access.request_of(_patient_or_404(patient_id), request_id, current_user) or abort(404)


@bp.route("/patients/<int:id>/access-requests/new", methods=["GET", "POST"])
@staff_required(policy.may_see_patients)
def new_access_request(id: int) -> str | tuple[str, int] | Response:  # noqa: A002  (as the patient's page)
    """Record an access request: when it came in and how the person was identified; then the patient's page."""
    patient = _patient_or_404(id)
    form = AccessRequestForm(received_on=moment().astimezone(clinic_zone()).date())
    if form.validate_on_submit():
        try:
            made = access.record_request(patient, required(form.received_on.data), required(form.identified_by.data),
                                         current_user)
        except access.AccessRequestError as refused:
            form[refused.field].errors = [refused.message]
        else:
            flash(f"The access request is recorded: answer it by {written(made.due_on, 'date')}.")
            return redirect(url_for(".patient", id=patient.id, _anchor="access-requests"), code=303)
    return render_template("admin/access_request_new.html", patient=patient, form=form), 400 if form.errors else 200


@bp.route("/patients/<int:id>/access-requests/<int:request_id>/answer", methods=["POST"])
@staff_required(policy.may_see_patients)
def answer_access_request(id: int, request_id: int) -> Response:  # noqa: A002
    """Mark the request answered, then open its export to print or save for the patient."""
    asked = _request_or_404(id, request_id)
    if not AnswerForm().validate_on_submit():
        abort(400)
    access.answer(asked, current_user)
    flash("The request is answered: print this export or save it as PDF for the patient, or give them the JSON file.")
    return redirect(url_for(".access_export", id=id, request_id=request_id), code=303)


@bp.route("/patients/<int:id>/access-requests/<int:request_id>/export")
@staff_required(policy.may_see_patients)
def access_export(id: int, request_id: int) -> str:  # noqa: A002
    """Everything held about the person, as a page that prints well."""
    asked = _request_or_404(id, request_id)
    document = access.export_for(asked, "page", current_user)
    return render_template("admin/access_export.html", export=document, patient_id=id, request_id=request_id)


@bp.route("/patients/<int:id>/access-requests/<int:request_id>/export.json")
@staff_required(policy.may_see_patients)
def access_export_json(id: int, request_id: int) -> Response:  # noqa: A002
    """Everything held about the person, as a JSON file (its schema: docs/privacy/export.schema.json)."""
    asked = _request_or_404(id, request_id)
    document = access.export_for(asked, "JSON file", current_user)
    name = f"records-{asked.received_on.isoformat()}-{asked.id}.json"
    return Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
