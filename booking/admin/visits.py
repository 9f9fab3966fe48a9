"""One visit, for admins: its details, marking it completed or a no-show, and cancelling or moving it at any time
(the cut-off binds patients only).

Every change goes through booking.services.visits with ``by_staff``: the same
checks, notices to the patient and therapist through the outbox, and an audit
row naming the admin, in the change's own transaction.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.flows.outcome import mark_from_form
from booking.flows.reschedule import ReschedulePage, reschedule_page
from booking.forms.visits import CancelForm
from booking.models import Appointment, AppointmentStatus
from booking.services import audit
from booking.services.privacy import corrections
from booking.services.screenings import staff_recommendation
from booking.services.visits import BookingError, cancel, inside_cutoff
from booking.services.visits.outcomes import markable
from booking.services.visits.schedule import visit_for
from booking.staff.access import staff_required


def _visit_or_404(appointment_id: uuid.UUID) -> Appointment:
    """The visit with this id if the policy lets the signed-in admin open it, or a 404 page."""
    return visit_for(current_user, appointment_id) or abort(404)


def _visit_page(appointment: Appointment, form: CancelForm, problem: str | None = None) -> str:
    """The visit page, with its screening's reasons and cautions (staff wording): an audited view of them;
    ``problem``: why marking it could not be done."""
    screening = appointment.screening
    page = render_template("admin/visit.html", appointment=appointment, form=form,
                           booked=appointment.status == AppointmentStatus.BOOKED,
                           inside_cutoff=inside_cutoff(appointment), recommendation=staff_recommendation(screening),
                           can_mark=markable(appointment), problem=problem,
                           marks=corrections.marks_of(appointment.patient_id))
    audit.viewed("appointment", appointment.id, "screening (admin's visit page)")
    return page


def _told(appointment: Appointment) -> str:
    """How the patient hears of a change: by email, or (with no email address) from the admin."""
    if appointment.patient.email:
        return "The patient is emailed a notice."
    return "Nothing is emailed to this patient (no email address): tell them on the phone."


@bp.route("/appointments/<uuid:appointment_id>")
@staff_required(policy.may_see_patients)
def visit(appointment_id: uuid.UUID) -> str:
    """A visit: when, who, what, its status, the screening behind it, and the changes an admin can make."""
    return _visit_page(_visit_or_404(appointment_id), CancelForm())


@bp.route("/appointments/<uuid:appointment_id>/cancel", methods=["POST"])
@staff_required(policy.may_change_any_booking)
def cancel_visit(appointment_id: uuid.UUID) -> str | Response:
    """Cancel the visit for the patient (they are told by email), whatever the cut-off."""
    appointment = _visit_or_404(appointment_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _visit_page(appointment, form)
    try:
        cancel(appointment, reason=(form.reason.data or "").strip() or None, by_staff=current_user)
    except BookingError as exc:
        flash(exc.message)
    else:
        flash(f"The visit is cancelled. {_told(appointment)}")
    return redirect(url_for(".visit", appointment_id=appointment.id), code=303)


@bp.route("/appointments/<uuid:appointment_id>/outcome", methods=["POST"])
@staff_required(policy.may_see_patients)
def mark_visit(appointment_id: uuid.UUID) -> str | tuple[str, int] | Response:
    """Mark the visit completed or a no-show (a booked visit that has begun; the service checks who may)."""
    appointment = _visit_or_404(appointment_id)
    problem, status = mark_from_form(appointment, current_user)
    if problem:
        return _visit_page(appointment, CancelForm(formdata=None), problem), status
    return redirect(url_for(".visit", appointment_id=appointment.id), code=303)


@bp.route("/appointments/<uuid:appointment_id>/reschedule", methods=["GET", "POST"])
@staff_required(policy.may_change_any_booking)
def reschedule_visit(appointment_id: uuid.UUID) -> tuple[str, int] | Response:
    """Pick a therapist (the visit's own by default, or another who may give it), a new day and time, confirm,
    then move the visit (any time before it, inside the cut-off recorded as such); 409 with nearby times when the
    time was just taken. ``?therapist=<id>&start=<time>`` confirms exactly that move (a visit dragged on the
    calendar)."""
    appointment = _visit_or_404(appointment_id)
    if appointment.status != AppointmentStatus.BOOKED:
        flash(f"This visit is {appointment.status.label.lower()}: it cannot be moved.")
        return redirect(url_for(".visit", appointment_id=appointment.id), code=303)
    return reschedule_page(appointment, ReschedulePage(
        template="admin/reschedule.html", back=url_for(".visit", appointment_id=appointment.id),
        moved="The visit is moved to {when} with {therapist}. " + _told(appointment), other_therapists=True),
        by_staff=current_user, inside_cutoff=inside_cutoff(appointment))
