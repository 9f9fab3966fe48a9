"""Moving a visit to another time with the same therapist: the page of a patient's manage link, and an admin's.

Both are this one flow (``reschedule_page``) in their readers' words: a day picker of the
therapist's open times (the visit's own time counts as free), the time chosen to confirm,
then the move through ``booking.services.visits.reschedule``. A time refused is answered
with nearby open times, and 409 when it was taken meanwhile; any other refusal (after the
cut-off, no longer booked) is told on the visit's page. Who may open the page, and when, is
the view's to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from booking.clinic.times import local_time
from booking.flows.picker import TherapistSlots, pick_day
from booking.flows.steps import other_times
from booking.forms import required
from booking.forms.visits import DayForm, RescheduleForm, format_start, parse_start
from booking.models import Appointment, StaffUser
from booking.services.visits import BookingError, InvalidBooking, SlotTaken, partner, reschedule


@dataclass(frozen=True)
class ReschedulePage:
    """One reader's reschedule page: its template, the visit's page (where a move or a refusal leads back to),
    and what is said once the visit is moved (``{when}``: its new time)."""

    template: str
    back: str
    moved: str


@dataclass
class _Move:
    """Moving a visit as the request left it: the form, a problem to show (and the page's status), or moved."""

    form: RescheduleForm
    problem: str | None = None
    status: int = 200  # 409 when the time was just taken
    moved: bool = False


def reschedule_page(appointment: Appointment, page: ReschedulePage, *, by_staff: StaffUser | None = None,
                    **context: Any) -> tuple[str, int] | Response:
    """The reschedule page of a visit, or, once it is moved or cannot be, back to the visit's page saying so.

    ``by_staff`` is the admin moving it (the patient: None); ``context`` goes to the template too.
    """
    try:
        step = _move(appointment, by_staff)
    except BookingError as exc:  # ChangeNotAllowed: after the cut-off, or not booked
        flash(exc.message)
        return redirect(page.back, code=303)
    if step.moved:
        flash(page.moved.format(when=local_time(appointment.starts_at)))
        return redirect(page.back, code=303)
    chosen = parse_start(request.args.get("start")) if request.method == "GET" else None
    if chosen:
        step.form.starts_at.data = format_start(chosen)
    day_form = DayForm(formdata=request.args)
    day_form.validate()
    view = pick_day(day_form, _slots(appointment))
    return render_template(page.template, appointment=appointment, form=step.form, day_form=day_form, view=view,
                           chosen=chosen, problem=step.problem, partner=partner(appointment),
                           **context), step.status


def _slots(appointment: Appointment) -> TherapistSlots:
    """The open times the visit may move to: its therapist's, its own time counting as free."""
    return TherapistSlots(appointment.service, appointment.therapist_id, exclude=appointment.id)


def _move(appointment: Appointment, by_staff: StaffUser | None) -> _Move:
    """Read the new time chosen and, on a valid POST, move the visit to it with the same therapist.

    A time refused becomes the step's problem, with nearby open times; any other refusal
    raises its BookingError.
    """
    form = RescheduleForm()
    form.starts_at.choices = []
    step = _Move(form)
    if form.validate_on_submit():
        starts_at = required(parse_start(form.starts_at.data))
        try:
            reschedule(appointment, starts_at, by_staff=by_staff)
        except (SlotTaken, InvalidBooking) as exc:
            step.problem = exc.errors.get("starts_at") or exc.message
            step.status = other_times(form, exc, _slots(appointment), starts_at)
        else:
            step.moved = True
    return step
