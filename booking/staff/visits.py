"""One visit for staff: its screening in plain words and its notes; marking what became of it; session notes.

A therapist opens only their own visits (anyone else's answers 404, as an
unknown one does); an admin opens any. Every page showing the screening and
notes writes an audit row, stored once the page is rendered.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from booking.forms import ClinicForm
from booking.models import Appointment, AppointmentStatus
from booking.services import audit
from booking.services.booking import BookingError
from booking.services.booking.visits import OUTCOMES, record_outcome
from booking.services.clock import moment
from booking.services.notes import NOTE_LENGTH, NoteError, notes_of, write_note
from booking.services.schedule import PATHWAY_LABELS, STATUS_LABELS, answers_in_words, visit_for
from booking.services.screenings import recommendation_of
from booking.staff import bp
from booking.staff.access import staff_required


class OutcomeForm(ClinicForm):
    """Mark the visit completed or a no-show (one button each)."""

    outcome = HiddenField(validators=[AnyOf(list(OUTCOMES), "Choose whether the visit was completed or a no-show.")])


class NoteForm(ClinicForm):
    """A session note on the visit."""

    body = TextAreaField("Session note", validators=[
        DataRequired("Write the note before saving it."),
        Length(max=NOTE_LENGTH, message=f"A note can be at most {NOTE_LENGTH} characters long.")])


def _visit_or_404(visit_id: uuid.UUID) -> Appointment:
    """The visit if the signed-in staff member may open it, or a 404 page (also for another therapist's)."""
    return visit_for(current_user, visit_id) or abort(404)  # type: ignore[arg-type]


def _own_visit_or_404(visit_id: uuid.UUID) -> Appointment:
    """The visit if it is the signed-in therapist's own (notes are written by the visit's therapist only)."""
    appointment = _visit_or_404(visit_id)
    if appointment.therapist_id != current_user.therapist_id:
        abort(404)
    return appointment


def _page(appointment: Appointment, note_form: NoteForm, *, problem: str | None = None,
          status: int = 200) -> tuple[str, int]:
    """The visit page (screening, notes, actions), then its audit row."""
    started = appointment.starts_at <= moment()
    page = render_template(
        "staff/schedule/visit.html", visit=appointment, recommendation=recommendation_of(appointment.screening),
        pathway=PATHWAY_LABELS.get(appointment.screening.pathway, appointment.screening.pathway),
        status_label=STATUS_LABELS.get(appointment.status, appointment.status),
        answers=answers_in_words(appointment.screening), notes=notes_of(appointment), note_form=note_form,
        can_mark=appointment.status == AppointmentStatus.BOOKED and started, started=started,
        can_write=appointment.therapist_id == current_user.therapist_id
        and appointment.status != AppointmentStatus.CANCELLED,
        problem=problem, note_length=NOTE_LENGTH)
    audit.viewed("appointment", appointment.id, "screening and notes")
    return page, status


@bp.route("/visits/<uuid:visit_id>")
@staff_required()
def visit(visit_id: uuid.UUID) -> tuple[str, int]:
    """One visit with its screening and notes."""
    return _page(_visit_or_404(visit_id), NoteForm(formdata=None))


@bp.route("/visits/<uuid:visit_id>/outcome", methods=["POST"])
@staff_required()
def mark_visit(visit_id: uuid.UUID) -> Response | tuple[str, int]:
    """Mark the visit completed or a no-show (only a booked visit whose start has passed)."""
    appointment = _visit_or_404(visit_id)
    form = OutcomeForm()
    if not form.validate():
        return _page(appointment, NoteForm(formdata=None), problem=form.outcome.errors[0], status=400)
    try:
        record_outcome(appointment, form.outcome.data, by_staff=current_user)  # type: ignore[arg-type]
    except BookingError as error:
        return _page(appointment, NoteForm(formdata=None), problem=error.message, status=409)
    flash("The visit is marked completed." if form.outcome.data == "completed" else "The visit is marked a no-show.")
    return redirect(url_for("staff.visit", visit_id=appointment.id), 303)


@bp.route("/visits/<uuid:visit_id>/notes", methods=["POST"])
@staff_required("therapist")
def add_note(visit_id: uuid.UUID) -> Response | tuple[str, int]:
    """Write a session note on one of the therapist's own visits; what was typed is kept on an error."""
    appointment = _own_visit_or_404(visit_id)
    form = NoteForm()
    if form.validate():
        try:
            write_note(appointment, current_user, form.body.data)  # type: ignore[arg-type]
        except NoteError as error:
            form.body.errors = [str(error)]
        else:
            flash("Your note is saved.")
            return redirect(url_for("staff.visit", visit_id=appointment.id, _anchor="notes"), 303)
    return _page(appointment, form, status=400)
