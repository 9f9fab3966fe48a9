"""One visit for staff: its screening in plain words and its notes; marking what became of it; notes and outcomes.

Who may open, mark or write on a visit is ``booking.policy``'s: a therapist
opens only their own visits (anyone else's answers 404, as an unknown one
does); an admin opens any. Every page showing the screening and notes writes
an audit row, stored once the page is rendered.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from booking import policy
from booking.clinic.clock import moment
from booking.clinic.validators import stripped
from booking.extensions import db
from booking.flows.outcome import mark_from_form
from booking.forms import ClinicForm, required
from booking.forms.fields import listed_choice
from booking.models import Appointment, AppointmentStatus, CarePlan
from booking.services import audit
from booking.services.care_plans.measures import before_visit
from booking.services.care_plans.notes import (
    FUNCTION_NOTE_LENGTH,
    HANDOFF,
    NOTE_LENGTH,
    SESSION,
    NoteError,
    notes_of,
    outcome_of,
    record_pain,
    write_note,
)
from booking.services.care_plans.work import visits_of
from booking.services.privacy import corrections
from booking.services.questionnaires import asks, of_visit
from booking.services.screenings import staff_recommendation
from booking.services.visits.outcomes import markable
from booking.services.visits.schedule import answers_in_words, visit_for
from booking.staff import bp
from booking.staff.access import staff_required


class NoteForm(ClinicForm):
    """A note on the visit: for the record, or (on a care plan's session) a handoff to the plan's other therapist."""

    kind = RadioField("Kind of note", default=SESSION, validate_choice=False,
                      choices=[SelectChoice(SESSION, "Session note"),
                               SelectChoice(HANDOFF, "Handoff note for the plan's other therapist")],
                      validators=[listed_choice("Choose a session note or a handoff note.")])
    body = TextAreaField("Note", validators=[
        DataRequired("Write the note before saving it."),
        Length(max=NOTE_LENGTH, message=f"A note can be at most {NOTE_LENGTH} characters long.")])


class PainForm(ClinicForm):
    """The outcome at a session: pain now, 0 to 10, and a one-line function note."""

    pain = SelectField("Pain now (0 none, 10 the worst imaginable)", validate_choice=False,
                       choices=[SelectChoice("", "Choose")] + [SelectChoice(str(score), str(score)) for score in range(11)],
                       validators=[AnyOf([str(score) for score in range(11)], "Choose the pain now, from 0 to 10.")])
    function_note = StringField("Function, in one line", filters=[stripped], validators=[
        DataRequired("Write the function note, for example: climbs stairs without the rail."),
        Length(max=FUNCTION_NOTE_LENGTH, message=f"Keep the function note to {FUNCTION_NOTE_LENGTH} characters.")])


def _visit_or_404(visit_id: uuid.UUID) -> Appointment:
    """The visit if the signed-in staff member may open it, or a 404 page (also for another therapist's)."""
    return visit_for(current_user, visit_id) or abort(404)


def own_visit_or_404(visit_id: uuid.UUID) -> Appointment:
    """The visit if the signed-in staff member may write on it (its own therapist), or a 404 page."""
    appointment = _visit_or_404(visit_id)
    if not policy.may_write_on_visit(current_user, appointment):
        abort(404)
    return appointment


def _page(appointment: Appointment, note_form: NoteForm, *, problem: str | None = None, status: int = 200,
          pain_form: PainForm | None = None) -> tuple[str, int]:
    """The visit page (screening, answers before the visit, notes, outcome, actions), then its audit row."""
    started = appointment.starts_at <= moment()
    own = policy.may_write_on_visit(current_user, appointment)
    outcome = outcome_of(appointment)
    if pain_form is None:
        pain_form = PainForm(formdata=None, pain=str(outcome.pain) if outcome else "",
                             function_note=outcome.function_note if outcome else None)
    plan = db.session.get(CarePlan, appointment.care_plan_id) if appointment.care_plan_id else None
    page = render_template(
        "staff/visit.html", visit=appointment, recommendation=staff_recommendation(appointment.screening),
        answers=answers_in_words(appointment.screening), notes=notes_of(appointment), note_form=note_form,
        can_mark=markable(appointment),
        can_write=own and appointment.status != AppointmentStatus.CANCELLED,
        plan=plan, measured=before_visit(appointment, visits_of(plan) if plan else []),
        outcome=outcome, pain_form=pain_form,
        can_record=own and started and appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED),
        problem=problem, note_length=NOTE_LENGTH, asks_questions=asks(appointment), questionnaire=of_visit(appointment),
        ended=appointment.ends_at <= moment(), marks=corrections.marks_of(appointment.patient_id))
    audit.viewed("appointment", appointment.id, "screening, answers and notes")
    return page, status


@bp.route("/visits/<uuid:visit_id>")
@staff_required(policy.may_use_staff_pages)
def visit(visit_id: uuid.UUID) -> tuple[str, int]:
    """One visit with its screening and notes."""
    return _page(_visit_or_404(visit_id), NoteForm(formdata=None))


@bp.route("/visits/<uuid:visit_id>/outcome", methods=["POST"])
@staff_required(policy.may_use_staff_pages)
def mark_visit(visit_id: uuid.UUID) -> Response | tuple[str, int]:
    """Mark the visit completed or a no-show (only a booked visit whose start has passed)."""
    appointment = _visit_or_404(visit_id)
    problem, status = mark_from_form(appointment, current_user)
    if problem:
        return _page(appointment, NoteForm(formdata=None), problem=problem, status=status)
    return redirect(url_for("staff.visit", visit_id=appointment.id), 303)


@bp.route("/visits/<uuid:visit_id>/notes", methods=["POST"])
@staff_required(policy.is_therapist)
def add_note(visit_id: uuid.UUID) -> Response | tuple[str, int]:
    """Write a session note on one of the therapist's own visits; what was typed is kept on an error."""
    appointment = own_visit_or_404(visit_id)
    form = NoteForm()
    if form.validate():
        try:
            write_note(appointment, current_user, required(form.body.data), kind=form.kind.data)
        except NoteError as error:
            form.body.errors = [str(error)]
        else:
            flash("Your handoff note is saved; the other therapist is told." if form.kind.data == HANDOFF
                  else "Your note is saved.")
            return redirect(url_for("staff.visit", visit_id=appointment.id, _anchor="notes"), 303)
    return _page(appointment, form, status=400)


@bp.route("/visits/<uuid:visit_id>/pain", methods=["POST"])
@staff_required(policy.is_therapist)
def record_outcome_at_visit(visit_id: uuid.UUID) -> Response | tuple[str, int]:
    """Record (or correct) pain now and the function note at one of the therapist's own sessions."""
    appointment = own_visit_or_404(visit_id)
    form = PainForm()
    if form.validate():
        try:
            record_pain(appointment, current_user, int(form.pain.data), form.function_note.data)
        except NoteError as error:
            return _page(appointment, NoteForm(formdata=None), pain_form=form, problem=str(error), status=400)
        flash("The outcome is saved.")
        return redirect(url_for("staff.visit", visit_id=appointment.id, _anchor="outcome"), 303)
    return _page(appointment, NoteForm(formdata=None), pain_form=form, status=400)
