"""Moving a visit to another time (an admin: also to another therapist): the page of a patient's manage link,
and an admin's.

Both are this one flow (``reschedule_page``) in their readers' words: a day picker of the
therapist's open times (the visit's own time counts as free), the time chosen to confirm,
then the move through ``booking.services.visits.reschedule``. An admin's page also offers the
therapist: the visit's own, or another active one of its kind trained for the screening's cautions
(``?therapist=<id>``); ``?therapist=<id>&start=<time>`` is the one-step confirmation of exactly that
move, which a visit dragged on the calendar lands on. A time that is not open when it is asked
for, or is refused, is answered with nearby open times (409 when it was taken meanwhile); any
other refusal (after the cut-off, no longer booked) is told on the visit's page. Who may open
the page, and when, is the view's to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from booking.clinic.times import clinic_zone, local_time
from booking.database import parse_id
from booking.flows.picker import TherapistSlots, nearby_choices, pick_day
from booking.flows.steps import other_times
from booking.forms import required
from booking.forms.visits import (
    DayForm,
    MoveDayForm,
    RescheduleForm,
    StaffRescheduleForm,
    format_start,
    parse_start,
)
from booking.models import Appointment, StaffUser, Therapist
from booking.services.catalog import active_therapists
from booking.services.visits import BookingError, InvalidBooking, SlotTaken, partner, reschedule
from booking.services.visits.requests import therapist_problem

UNLISTED = "Choose one of the therapists listed."


@dataclass(frozen=True)
class ReschedulePage:
    """One reader's reschedule page: its template, the visit's page (where a move or a refusal leads back to),
    what is said once the visit is moved (``{when}``: its new time; ``{therapist}``: its therapist's name), and
    whether the visit may go to another therapist (an admin's page)."""

    template: str
    back: str
    moved: str
    other_therapists: bool = False


@dataclass(frozen=True)
class _Target:
    """The therapist the visit moves to; on an admin's page, the therapists to choose from (value, label) and why
    the one asked for cannot take the visit (the visit's own therapist then stands)."""

    therapist: Therapist
    choices: list[tuple[str, str]] = field(default_factory=list)
    refused: str | None = None

    def slots(self, appointment: Appointment) -> TherapistSlots:
        """The open times the visit may move to: this therapist's, its own time counting as free."""
        return TherapistSlots(appointment.service, self.therapist.id, exclude=appointment.id)

    def keep(self) -> dict[str, str]:
        """What the page's links carry so the therapist chosen stays chosen."""
        return {"therapist": str(self.therapist.id)} if self.choices else {}


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
    target = _target(appointment, page.other_therapists)
    try:
        step = _move(appointment, target, by_staff)
    except BookingError as exc:  # ChangeNotAllowed: after the cut-off, or not booked
        flash(exc.message)
        return redirect(page.back, code=303)
    if step.moved:
        flash(page.moved.format(when=local_time(appointment.starts_at), therapist=appointment.therapist.name))
        return redirect(page.back, code=303)
    chosen = parse_start(request.args.get("start")) if request.method == "GET" and not target.refused else None
    day_form = _day_form(target)
    if chosen and not request.args.get("date"):  # a time asked for on its own (a drag): show its day
        day_form.date.data = chosen.astimezone(clinic_zone()).date()
    view = pick_day(day_form, target.slots(appointment), **target.keep())
    if chosen and not view.offers(chosen):
        step.problem = f"{local_time(chosen)} is not an open time for this visit with {target.therapist.name}."
        step.form.starts_at.choices = nearby_choices(target.slots(appointment), chosen)
        chosen = None
    if chosen:
        step.form.starts_at.data = format_start(chosen)
    again = url_for(request.endpoint or "", **{**(request.view_args or {}), **target.keep()})
    return render_template(page.template, appointment=appointment, form=step.form, day_form=day_form, view=view,
                           chosen=chosen, problem=step.problem, partner=partner(appointment),
                           therapist=target.therapist, again=again, **context), step.status


def _target(appointment: Appointment, other_therapists: bool) -> _Target:
    """The therapist the request asks the visit to move to: the visit's own unless an admin chose another
    (``therapist``, from the query or the form posted) who may take it by the booking rule."""
    own = appointment.therapist
    if not other_therapists:
        return _Target(own)
    others = active_therapists(appointment.service.therapy_type, cautions=appointment.screening.caution_codes)
    therapists = [own, *(therapist for therapist in others if therapist.id != own.id)]
    choices = [(str(therapist.id), f"{therapist.name} (now)" if therapist is own else therapist.name)
               for therapist in therapists]
    asked = ((request.form if request.method == "POST" else request.args).get("therapist") or "").strip()
    chosen = next((therapist for therapist in therapists if str(therapist.id) == asked), None)
    if chosen is None and asked:
        return _Target(own, choices, _refusal(appointment, asked))
    return _Target(chosen or own, choices)


def _refusal(appointment: Appointment, asked: str) -> str:
    """Why the therapist asked for (an id, or anything typed) cannot take the visit, in the booking rule's words:
    not one of ours, of another kind, or not trained for the screening's cautions."""
    therapist_id = parse_id(asked) or 0
    return therapist_problem(therapist_id, appointment.service, appointment.screening.caution_codes,
                             first_available=False) or UNLISTED


def _day_form(target: _Target) -> DayForm:
    """The form of the day shown (and on an admin's page, of the therapist), checked."""
    if not target.choices:
        form = DayForm(formdata=request.args)
        form.validate()
        return form
    move_form = MoveDayForm(formdata=request.args)
    move_form.validate()
    move_form.therapist.choices = target.choices
    move_form.therapist.data = str(target.therapist.id)
    if target.refused:
        move_form.therapist.errors = [target.refused]
    return move_form


def _move(appointment: Appointment, target: _Target, by_staff: StaffUser | None) -> _Move:
    """Read the new time chosen and, on a valid POST, move the visit to it with the target's therapist.

    A time refused becomes the step's problem, with nearby open times; any other refusal
    raises its BookingError.
    """
    form = StaffRescheduleForm() if target.choices else RescheduleForm()
    form.starts_at.choices = []
    step = _Move(form)
    if form.validate_on_submit() and not target.refused:
        starts_at = required(parse_start(form.starts_at.data))
        try:
            reschedule(appointment, starts_at, therapist_id=target.therapist.id, by_staff=by_staff)
        except (SlotTaken, InvalidBooking) as exc:
            step.problem = exc.errors.get("starts_at") or exc.errors.get("therapist_id") or exc.message
            step.status = other_times(form, exc, target.slots(appointment), starts_at)
        else:
            step.moved = True
    if isinstance(form, StaffRescheduleForm):
        form.therapist.data = str(target.therapist.id)
    return step
