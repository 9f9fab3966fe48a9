"""Patients, for admins: finding one, a record's history, and joining two records of one person.

As booking.services.visits.patients states, a typed email proves nothing: the
history is the visits of this patient record only. Other records with the same
email or phone are listed apart, as possibly the same person (unverified); an
admin who has confirmed with the patient that they are one person may join them
(booking.services.patient_records.join). Each screening and outcome shown is a view of
health information and is audited; a search is audited without its terms.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SearchField
from wtforms.validators import InputRequired, Length

from booking import policy
from booking.admin import bp, retention_forms
from booking.admin.retention_forms import BirthDateForm, HoldForm
from booking.clinic.limits import EMAIL_LENGTH
from booking.clinic.times import local_time
from booking.clinic.validators import stripped
from booking.database import get_or_none
from booking.forms import ClinicForm, QueryForm, required
from booking.models import Patient
from booking.services import audit, patient_records
from booking.services.privacy import access, consent, corrections
from booking.services.screenings import staff_recommendation
from booking.services.visits.patients import look_alikes
from booking.staff.access import staff_required

SEARCH_LENGTH = EMAIL_LENGTH


def _record_or_404(patient_id: int) -> Patient:
    """The patient record with this id (joined or not), or a 404 page."""
    record = get_or_none(Patient, patient_id)
    return record or abort(404)


def _joined(record: Patient) -> Response:
    """A record joined into another one: go to the kept record, saying so."""
    joined = f" on {local_time(record.merged_at, 'date')}" if record.merged_at else ""
    flash(f"That record was joined into this one{joined}.")
    return redirect(url_for(".patient", id=record.merged_into_id), code=303)


class PatientSearchForm(QueryForm):
    """What to look for: part of a name, phone number or email."""

    q = SearchField("Name, phone number or email", filters=[stripped], validators=[
        InputRequired("Type part of the patient's name, phone number or email."),
        Length(min=2, max=SEARCH_LENGTH, message=f"Type from 2 to {SEARCH_LENGTH} characters.")])


@bp.route("/patients")
@staff_required(policy.may_see_patients)
def patients() -> str:
    """Find a patient by name, phone or email: the records found, each with its visits to come and past."""
    form = PatientSearchForm(formdata=request.args)
    found = patient_records.search(required(form.q.data), current_user) if "q" in request.args and form.validate() else None
    if found is not None:  # a view of personal details: audited, without the terms typed
        audit.viewed("patient_search", None, f"{len(found)} records found")
    return render_template("admin/patients.html", form=form, found=found, most=patient_records.MOST_FOUND)


@bp.route("/patients/<int:id>")
@staff_required(policy.may_see_patients)
def patient(id: int) -> str | Response:  # noqa: A002  (the endpoint's argument, as the staff navigation names it)
    """One patient record: its details, its own visits with their screenings and outcomes, its care plans, the
    notifications sent to the patient, their consents and reminders, and look-alike records apart."""
    record = _record_or_404(id)
    if record.merged_into_id is not None:
        return _joined(record)
    return patient_page(record)


def patient_page(record: Patient, hold_form: HoldForm | None = None, birth_form: BirthDateForm | None = None) -> str:
    """The page of a record kept, its views audited; with a retention form's errors when given."""
    shown = patient_records.record_of(record, current_user)
    page = render_template("admin/patient.html", patient=record, shown=shown, visits=shown.visits,
                           same=look_alikes(record), recommendation_of=staff_recommendation,
                           access_requests=access.requests_of(record, current_user),
                           marks=corrections.marks_of(record.id),
                           **retention_forms.shown(record, hold_form, birth_form),
                           consents=consent.of(record, current_user))
    for appointment_id in shown.outcomes:  # the views are stored once the page is made (the commit expires its rows)
        audit.record("viewed", "appointment", appointment_id, f"outcome in the history of patient {record.id}")
    audit.viewed_each("screening", (visit.screening_id for visit in [*shown.visits.upcoming, *shown.visits.past]),
                      f"history of patient {record.id}")
    return page


@bp.route("/patients/<int:id>/join/<int:other_id>", methods=["GET", "POST"])
@staff_required(policy.may_see_patients)
def join_patients(id: int, other_id: int) -> str | Response:  # noqa: A002
    """Both records side by side; confirming joins the other one into this one (kept)."""
    kept, other = _record_or_404(id), _record_or_404(other_id)
    if kept.merged_into_id is not None:
        return _joined(kept)
    if other.merged_into_id is not None or kept.id == other.id:
        flash("Those two records cannot be joined: the other one is this record, or was joined already.")
        return redirect(url_for(".patient", id=kept.id), code=303)
    form = ClinicForm()
    if form.validate_on_submit():
        try:
            moved = patient_records.join(kept, other, current_user)
        except patient_records.JoinRefused as refused:
            flash(refused.message)
        else:
            flash(f"The records are joined: {moved} visit{'' if moved == 1 else 's'} moved to this record.")
        return redirect(url_for(".patient", id=kept.id), code=303)
    records = [(record, patient_records.visits_of(record, current_user), patient_records.care_plans_of(record))
               for record in (kept, other)]
    return render_template("admin/patients_join.html", kept=kept, other=other, records=records, form=form)
