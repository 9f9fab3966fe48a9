"""Massage right before physiotherapy: a combined screening books a back-to-back pair in one step.

The patient chooses the two services and therapists, then a day and one of its pair
times (a massage start whose end is a physiotherapy start, both therapists free), then
their details; both visits are booked by one ``book_course`` call, all or none. Only the
massage start travels between the steps: the physiotherapy visit starts when it ends.
The confirmation and the calendar file are reached by the massage visit's manage token.
These are the pages; the pair's choice, forms and times are in ``booking.appointments.pair_choice``.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from booking.appointments import bp
from booking.appointments.pair_choice import (
    MASSAGE,
    PairChoice,
    PairDetailsForm,
    PairSlots,
    read_choice,
)
from booking.clinic.calendar import ics_for
from booking.clinic.links import absolute_url
from booking.clinic.times import local_time
from booking.extensions import limiter
from booking.flows.picker import DAY_AND_TIME_LABEL, nearby_choices, pick_day
from booking.forms import required
from booking.forms.visits import DayForm, format_start, parse_start, patient_details, show_booking_errors
from booking.models import Appointment, AppointmentStatus, Screening
from booking.security import booking_limit, read_limit
from booking.services.screenings import get_screening
from booking.services.visits import (
    Booked,
    BookingError,
    CourseRequest,
    InvalidBooking,
    SlotTaken,
    book_course,
    find_for_manage,
    manage_token,
    partner,
)
from booking.services.visits.link_expiry import still_working


def _combined_or_none(screening_id: uuid.UUID) -> Screening | None:
    """The screening if it is of combined care; 404 for an unknown one."""
    screening = get_screening(screening_id) or abort(404)
    return screening if screening.pathway == "combined" and screening.therapy_types else None


def _not_combined(screening_id: uuid.UUID) -> Response:
    """Back to the single bookings: this screening offers no pair."""
    flash("Back-to-back visits are for a care plan that combines massage therapy and physiotherapy.")
    return redirect(url_for(".start", screening_id=screening_id))


@bp.route("/<uuid:screening_id>/pair")
def pair(screening_id: uuid.UUID) -> str | Response:
    """Pair step 1: the massage and physiotherapy services, and a therapist (or first available) for each."""
    screening = _combined_or_none(screening_id)
    if screening is None:
        return _not_combined(screening_id)
    form, choice = read_choice(screening, request.args.to_dict())
    if choice is None:
        return _not_combined(screening_id)
    return render_template("appointments/pair_start.html", screening=screening, form=form)


@bp.route("/<uuid:screening_id>/pair/times")
def pair_times(screening_id: uuid.UUID) -> str | Response:
    """Pair step 2: a day, then one of its pair times; a time tapped goes on if the day still offers it."""
    screening = _combined_or_none(screening_id)
    if screening is None:
        return _not_combined(screening_id)
    _, choice = read_choice(screening, request.args.to_dict())
    if choice is None:
        return _not_combined(screening_id)
    form = DayForm(formdata=request.args)
    form.validate()
    view = pick_day(form, PairSlots(choice), **choice.query())
    start = parse_start(request.args.get("start"))
    if start and view.offers(start):
        return redirect(url_for(".pair_details", screening_id=screening_id, **choice.query(),
                                start=format_start(start)))
    notice = None
    if start is not None:
        notice = (f"The pair of visits at {local_time(start, DAY_AND_TIME_LABEL)} is no longer open. "
                  "Choose one of the times below.")
    return render_template("appointments/pair_times.html", screening=screening, choice=choice, form=form,
                           view=view, notice=notice)


@bp.route("/<uuid:screening_id>/pair/details", methods=["GET", "POST"])
@limiter.limit(booking_limit, methods=["POST"])
def pair_details(screening_id: uuid.UUID) -> tuple[str, int] | Response:
    """Pair step 3: your details and consent, then both visits are booked at once, or neither;
    409 with other pair times when one of the two was just taken."""
    screening = _combined_or_none(screening_id)
    if screening is None:
        return _not_combined(screening_id)
    values = (request.form if request.method == "POST" else request.args).to_dict()
    if request.method == "POST":
        values["massage"] = values.get("service", "")
    _, choice = read_choice(screening, values)
    if choice is None or (request.method == "GET" and parse_start(values.get("start")) is None):
        flash("Choose the visits and a time first.")
        return redirect(url_for(".pair", screening_id=screening_id))
    form = _pair_details_form(choice, values)
    problem, status = None, 200
    if form.validate_on_submit():
        booked, problem, status = _book_pair(screening, choice, form)
        if booked is not None:
            return redirect(url_for(".pair_confirmation", token=booked.manage_token), code=303)
        if form.starts_at.choices:
            form.starts_at.data = None
    start = parse_start(form.starts_at.data)
    return render_template("appointments/pair_details.html", screening=screening, choice=choice, form=form,
                           problem=problem, massage_start=start,
                           physio_start=start + choice.massage.duration if start else None), status


def _pair_details_form(choice: PairChoice, values: dict[str, str]) -> PairDetailsForm:
    """The details form: filled from the chosen pair on the first view, from what was sent on a post."""
    if request.method == "GET":
        query = choice.query()
        form = PairDetailsForm(service=query["massage"], physio=query["physio"],
                               massage_therapist=query["massage_therapist"],
                               physio_therapist=query["physio_therapist"], starts_at=values["start"],
                               idempotency_key=uuid.uuid4().hex)
    else:
        form = PairDetailsForm()
    form.starts_at.choices = []
    return form


def _book_pair(screening: Screening, choice: PairChoice,
               form: PairDetailsForm) -> tuple[Booked | None, str | None, int]:
    """Book both visits, or neither: the massage visit's booking, else what went wrong and the page's status
    (409 with other pair times when one of the two was just taken)."""
    try:
        booked = book_course(CourseRequest(
            screening_id=str(screening.id), visits=choice.visits(required(parse_start(form.starts_at.data))),
            patient=patient_details(form),
            idempotency_key=form.idempotency_key.data or None))
    except SlotTaken as exc:
        form.starts_at.choices = nearby_choices(PairSlots(choice), required(parse_start(form.starts_at.data)))
        return None, ("One of the two visits at that time was just taken, so neither is booked. "
                      if exc.visit is not None else f"{exc.message} ") + "Choose another pair of times.", 409
    except InvalidBooking as exc:
        return None, show_booking_errors(form, exc), 200
    except BookingError as exc:
        return None, exc.message, 200
    return next(b for b in booked if b.appointment.service.therapy_type == MASSAGE), None, 200


def _pair(token: str) -> tuple[Appointment, Appointment] | None:
    """The massage visit this token opens and the physiotherapy booked right after it; 404 for a token that opens
    no massage visit, the expired link's page once its link has stopped working, None when the two are no longer
    a booked pair (one cancelled or moved since)."""
    massage = find_for_manage(None, token)
    if massage is None or massage.service.therapy_type != MASSAGE:
        abort(404)
    still_working(massage)
    physio = partner(massage) if massage.status == AppointmentStatus.BOOKED else None
    if physio is None or physio.starts_at != massage.ends_at:
        return None
    return massage, physio


@bp.route("/pair/<token>")
@limiter.limit(read_limit)
def pair_confirmation(token: str) -> str | Response:
    """Both visits are booked: each with its manage link, and one calendar file of the two."""
    pair = _pair(token)
    if pair is None:
        return redirect(url_for(".manage", token=token))  # the visit's own page says what became of it
    massage, physio = pair
    return render_template("appointments/pair_confirmation.html", visits=[
        (massage, absolute_url("appointments.manage", token=token)),
        (physio, absolute_url("appointments.manage", token=manage_token(physio)))], token=token)


@bp.route("/pair/<token>/calendar.ics")
@limiter.limit(read_limit)
def pair_calendar(token: str) -> Response:
    """The two visits of the pair as one calendar file."""
    pair = _pair(token)
    if pair is None:
        return redirect(url_for(".manage", token=token))  # each visit's page has its own calendar file
    massage, physio = pair
    body = ics_for([(massage, absolute_url("appointments.manage", token=token)),
                    (physio, absolute_url("appointments.manage", token=manage_token(physio)))])
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="appointments.ics"'})
