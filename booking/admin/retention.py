"""Retention, for admins: the dry run (who would be destroyed tonight and why, who is held, whose birth date is
needed), and on a patient's page the legal hold (put, lifted) and the birth date. Each change is audited by its
service (``booking.services.privacy.holds``); the dry run, a list of patients, is audited as viewed."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.admin.patients import patient_page
from booking.admin.retention_forms import BirthDateForm, HoldForm
from booking.database import get_or_none
from booking.forms import ClinicForm, required
from booking.models import Patient
from booking.services import audit
from booking.services.privacy import destruction, holds
from booking.staff.access import staff_required


def _current_or_404(patient_id: int) -> Patient:
    """The record kept with this id (not one joined into another), or a 404 page."""
    record = get_or_none(Patient, patient_id)
    return record if record is not None and record.merged_into_id is None else abort(404)


@bp.route("/privacy/retention")
@staff_required(policy.may_see_patients)
def retention() -> str:
    """The dry run: whose records the nightly task would destroy and under which rule, who is kept under a legal
    hold, and who is kept until their birth date is known."""
    report = destruction.destroy_due(dry_run=True)
    needed = destruction.birth_date_needed()
    audit.viewed("retention", None, f"dry run: {len(report.destroyed)} due, {len(report.held)} held, "
                                    f"{len(needed)} birth dates needed")
    return render_template("admin/retention.html", report=report, needed=needed)


@bp.route("/patients/<int:id>/hold", methods=["POST"])
@staff_required(policy.may_see_patients)
def put_hold(id: int) -> str | Response:  # noqa: A002
    """Put a legal hold on the patient's records, with its reason."""
    patient, form = _current_or_404(id), HoldForm()
    return _saved(patient, form, lambda: holds.put_hold(patient, required(form.reason.data), current_user),
                  "The records are under a legal hold: nothing of this patient is destroyed until it is lifted.") \
        or patient_page(patient, hold_form=form)


@bp.route("/patients/<int:id>/hold/lift", methods=["POST"])
@staff_required(policy.may_see_patients)
def lift_hold(id: int) -> Response:  # noqa: A002
    """Lift the patient's legal hold: their retention date counts again."""
    patient = _current_or_404(id)
    if ClinicForm().validate_on_submit():
        lifted = holds.lift_hold(patient, current_user)
        flash("The legal hold is lifted." if lifted else "These records were not under a legal hold.")
    return _back_to(patient)


@bp.route("/patients/<int:id>/birth-date", methods=["POST"])
@staff_required(policy.may_see_patients)
def set_birth_date(id: int) -> str | Response:  # noqa: A002
    """Store the patient's birth date, as they gave it."""
    patient, form = _current_or_404(id), BirthDateForm()
    return _saved(patient, form, lambda: holds.set_birth_date(patient, required(form.birth_date.data), current_user),
                  "The birth date is saved.") or patient_page(patient, birth_form=form)


def _saved(patient: Patient, form: ClinicForm, save: Callable[[], object], done: str) -> Response | None:
    """Save a valid form (``save``) and go back to the patient's page saying ``done``; None when the form or the
    service refused it (the error then on its field, for the page to show again)."""
    if not form.validate_on_submit():
        return None
    try:
        save()
    except holds.HoldError as error:
        form[error.field].errors = [error.message]
        return None
    flash(done)
    return _back_to(patient)


def _back_to(patient: Patient) -> Response:
    """The patient's page, at its retention part."""
    return redirect(url_for(".patient", id=patient.id, _anchor="retention"), code=303)
