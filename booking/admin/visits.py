"""One visit, for admins: its details, and cancelling or moving it at any time (the cut-off binds patients only).

Every change goes through booking.services.visits with ``by_staff``: the same
checks, notices to the patient and therapist through the outbox, and an audit
row naming the admin, in the change's own transaction.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.admin.appointments import STATUS_LABELS
from booking.appointments.forms import CancelForm, DayForm, format_start, parse_start
from booking.appointments.picker import day_view
from booking.appointments.steps import move_step
from booking.clinic.times import local_time
from booking.models import Appointment, AppointmentStatus
from booking.services import audit
from booking.services.screenings import staff_recommendation
from booking.services.visits import BookingError, cancel, partner
from booking.services.visits.schedule import PATHWAY_LABELS, visit_for
from booking.staff.access import staff_required


def _visit_or_404(appointment_id: uuid.UUID) -> Appointment:
    """The visit with this id if the policy lets the signed-in admin open it, or a 404 page."""
    return visit_for(current_user, appointment_id) or abort(404)  # type: ignore[arg-type]


def _visit_page(appointment: Appointment, form: CancelForm) -> str:
    """The visit page, with its screening's reasons and cautions (staff wording): an audited view of them."""
    screening = appointment.screening
    page = render_template("staff/admin/visit.html", appointment=appointment, statuses=STATUS_LABELS, form=form,
                           booked=appointment.status == AppointmentStatus.BOOKED,
                           recommendation=staff_recommendation(screening),
                           pathway=PATHWAY_LABELS.get(screening.pathway, screening.pathway))
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


@bp.route("/appointments/<uuid:appointment_id>/reschedule", methods=["GET", "POST"])
@staff_required(policy.may_change_any_booking)
def reschedule_visit(appointment_id: uuid.UUID) -> tuple[str, int] | Response:
    """Pick a new day and time with the same therapist, confirm, then move the visit (any time before it);
    409 with nearby times when the time was just taken."""
    appointment = _visit_or_404(appointment_id)
    if appointment.status != AppointmentStatus.BOOKED:
        flash(f"This visit is {STATUS_LABELS[appointment.status].lower()}: it cannot be moved.")
        return redirect(url_for(".visit", appointment_id=appointment.id), code=303)
    try:
        step = move_step(appointment, by_staff=current_user)
    except BookingError as exc:
        flash(exc.message)
        return redirect(url_for(".visit", appointment_id=appointment.id), code=303)
    if step.moved:
        flash(f"The visit is moved to {local_time(appointment.starts_at)}. {_told(appointment)}")
        return redirect(url_for(".visit", appointment_id=appointment.id), code=303)
    form = step.form
    chosen = parse_start(request.args.get("start")) if request.method == "GET" else None
    if chosen:
        form.starts_at.data = format_start(chosen)
    day_form = DayForm(formdata=request.args)
    day_form.validate()

    def link(day: date) -> str:
        return url_for(".reschedule_visit", appointment_id=appointment.id, date=day.isoformat())

    view = day_view(appointment.service, day_form.date.data, therapist_id=appointment.therapist_id,
                    link=link, exclude=appointment.id)
    if view.error:
        day_form.date.errors = [*day_form.date.errors, view.error]
    if not day_form.date.errors:
        day_form.date.data = view.day
    return render_template("staff/admin/reschedule.html", appointment=appointment, form=form,
                           day_form=day_form, view=view, chosen=chosen, problem=step.problem,
                           partner=partner(appointment)), step.status
