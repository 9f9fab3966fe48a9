"""Booking after the screening (service, day and time, details) and managing a visit by its link."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from booking.appointments import bp
from booking.clinic.calendar import ics_for
from booking.clinic.links import absolute_url
from booking.clinic.settings import clinic_settings
from booking.clinic.times import local_time
from booking.database import reads_only
from booking.extensions import db, limiter
from booking.flows.charts import measure_figures
from booking.flows.picker import DAY_LABEL, TIME_LABEL, TherapistSlots, pick_day
from booking.flows.reschedule import ReschedulePage, reschedule_page
from booking.flows.steps import chosen_service, day_form, details_step, none_trained
from booking.forms.visits import (
    CANCEL_BOTH,
    CancelForm,
    DetailsForm,
    ServiceForm,
    format_start,
    parse_start,
)
from booking.models import Appointment, AppointmentStatus, Screening, Therapist
from booking.security import booking_limit, read_limit
from booking.services.care_plans.measures import patients_course
from booking.services.catalog import single_visit_services
from booking.services.screenings import get_screening, recommendation_of
from booking.services.therapists.training import call_us_untrained
from booking.services.visits import (
    BookingError,
    ReferredOut,
    can_change,
    cancel,
    change_deadline,
    changeable_at,
    find_for_manage,
    manage_token,
    partner,
    upcoming_with,
)
from booking.services.visits.link_expiry import still_working
from booking.templating import price, service_title

logger = logging.getLogger(__name__)


# Lookups -------------------------------------------------------------------------------------

def _screening_or_404(screening_id: uuid.UUID) -> Screening:
    """The screening behind the booking, or a 404 page."""
    return get_screening(screening_id) or abort(404)


def _appointment_or_404(token: str) -> Appointment:
    """The visit this manage link belongs to, or a 404 page; the expired link's page once the link has stopped
    working (``link_expiry``)."""
    return still_working(find_for_manage(None, token) or abort(404))


def _refer_out(screening: Screening, advice: str | None = None) -> str:
    """The page for a screening that gets no booking: its advice, no form."""
    return render_template("appointments/advice.html", screening=screening,
                           advice=advice or recommendation_of(screening).advice)


# Booking -----------------------------------------------------------------------------------

@bp.route("/<uuid:screening_id>")
def start(screening_id: uuid.UUID) -> str | Response:
    """Step 1: choose one of the services the screening recommends (combined care: the physiotherapy)."""
    screening = _screening_or_404(screening_id)
    if not screening.therapy_types:
        return _refer_out(screening)
    services = single_visit_services(screening)
    form = ServiceForm(formdata=request.args or None)
    form.service.choices = [(s.code, f"{service_title(s)}, {price(s.price_cents)}") for s in services]
    if request.args and form.validate():
        return redirect(url_for(".times", screening_id=screening_id, service=form.service.data))
    return render_template("appointments/start.html", screening=screening, form=form,
                           services=services)


@bp.route("/<uuid:screening_id>/times")
@reads_only
def times(screening_id: uuid.UUID) -> str | Response:
    """Step 2: a therapist (or first available) and a day, then one of that day's open times."""
    screening = _screening_or_404(screening_id)
    service = chosen_service(screening, request.args.get("service"))
    if service is None:
        flash("Choose a service first.")
        return redirect(url_for(".start", screening_id=screening_id))
    form, therapist_id = day_form(service, screening)
    view = pick_day(form, TherapistSlots(service, therapist_id, cautions=screening.caution_codes),
                    service=service.code, therapist=form.therapist.data)
    # A time tapped goes on only if the therapist and day chosen now offer it: the form that
    # holds the time buttons also holds the choice, which may have changed since the times were shown.
    start = parse_start(request.args.get("start"))
    if start and view.offers(start):
        return redirect(url_for(".details", screening_id=screening_id, service=service.code,
                                therapist=form.therapist.data, start=format_start(start)))
    notice = (_not_offered(start, db.session.get(Therapist, therapist_id) if therapist_id else None) if start
              else none_trained(screening, service, therapist_id, view, call_us_untrained))
    return render_template("appointments/times.html", screening=screening, service=service,
                           form=form, view=view, notice=notice)


def _not_offered(start: datetime, therapist: Therapist | None) -> str:
    """Why a time tapped does not go on: the choice made since does not offer it."""
    when = f"{local_time(start, TIME_LABEL)} on {local_time(start, DAY_LABEL)}"
    if therapist is None:
        return f"There is no open time at {when} any more. Choose one of the open times below."
    return f"{therapist.name} has no open time at {when}. Here are {therapist.name}'s open times: choose one to continue."


@bp.route("/<uuid:screening_id>/details", methods=["GET", "POST"])
@limiter.limit(booking_limit, methods=["POST"])
def details(screening_id: uuid.UUID) -> str | tuple[str, int] | Response:
    """Steps 3 and 4: your details and consent, a summary, then book; 409 with nearby times when the
    time was just taken."""
    screening = _screening_or_404(screening_id)
    if not screening.therapy_types:
        return _refer_out(screening)
    try:
        step = details_step(screening, DetailsForm, untrained=call_us_untrained)
    except ReferredOut as exc:
        return _refer_out(screening, exc.advice)
    if step is None:
        flash("Choose a service and a time first.")
        return redirect(url_for(".start", screening_id=screening_id))
    if step.booked is not None:
        logger.info("booked appointment %s (replayed=%s)", step.booked.appointment.id, step.booked.replayed)
        return redirect(url_for(".confirmation", token=step.booked.manage_token), code=303)
    starts_at = step.starts_at
    return render_template("appointments/details.html", screening=screening, service=step.service,
                           therapist=step.therapist, form=step.form, problem=step.problem, starts_at=starts_at,
                           changeable=starts_at is None or changeable_at(starts_at)), step.status


@bp.route("/confirmed/<token>")
@limiter.limit(read_limit)
def confirmation(token: str) -> str | Response:
    """The booking is made: when, with whom, where, and the links to keep."""
    appointment = _appointment_or_404(token)
    if appointment.status != AppointmentStatus.BOOKED:
        return redirect(url_for(".manage", token=token))
    return render_template("appointments/confirmation.html", appointment=appointment, token=token,
                           changeable=_changeable(appointment), deadline=change_deadline(appointment))


@bp.route("/privacy")
def privacy() -> str:
    """The privacy notice patients agree to when they book."""
    return render_template("appointments/privacy.html")


# Managing a visit ----------------------------------------------------------------------------

@bp.route("/manage/<token>")
@limiter.limit(read_limit)
def manage(token: str) -> str:
    """A visit, with cancel and reschedule until the cut-off."""
    appointment = _appointment_or_404(token)
    together = [(visit, manage_token(visit), _changeable(visit)) for visit in upcoming_with(appointment)]
    progress = patients_course(appointment)
    return render_template("appointments/manage.html", appointment=appointment, token=token,
                           changeable=_changeable(appointment),
                           deadline=change_deadline(appointment), together=together, progress=progress,
                           figures=measure_figures(progress, for_patient=True))


def _changeable(appointment: Appointment) -> bool:
    """Whether the patient may still cancel or move this visit online."""
    return appointment.status == AppointmentStatus.BOOKED and can_change(appointment)


def _call_us(token: str) -> Response:
    """Back to the visit, saying that changes now go through the phone."""
    flash(f"To change this visit, please call us at {clinic_settings().phone}.")
    return redirect(url_for(".manage", token=token), code=303)


@bp.route("/manage/<token>/calendar.ics")
@limiter.limit(read_limit)
def calendar(token: str) -> Response:
    """The visit as a calendar file."""
    appointment = _appointment_or_404(token)
    body = ics_for([(appointment, absolute_url("appointments.manage", token=token))])
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="appointment.ics"'})


@bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(read_limit)
@limiter.limit(booking_limit, methods=["POST"])
def cancel_visit(token: str) -> str | Response:
    """Ask to confirm, then cancel (the service refuses after the cut-off); a pair's partner too if asked."""
    appointment = _appointment_or_404(token)
    if request.method == "GET" and not _changeable(appointment):
        return _call_us(token)
    form = CancelForm()
    problem = None
    if form.validate_on_submit():
        both = form.scope.data == CANCEL_BOTH
        try:
            cancel(appointment, reason=(form.reason.data or "").strip() or None, with_partner=both)
        except BookingError as exc:
            problem = exc.errors.get("scope")
            if problem is None:
                flash(exc.message)
                return redirect(url_for(".manage", token=token), code=303)
        else:
            flash("Both visits are cancelled. We hope to see you another time." if both
                  else "Your visit is cancelled. We hope to see you another time.")
            return redirect(url_for(".manage", token=token), code=303)
    other = partner(appointment)
    return render_template("appointments/cancel.html", appointment=appointment, form=form, token=token,
                           problem=problem, partner=other, partner_changeable=other is not None and _changeable(other))


@bp.route("/manage/<token>/reschedule", methods=["GET", "POST"])
@limiter.limit(read_limit)
@limiter.limit(booking_limit, methods=["POST"])
def reschedule_visit(token: str) -> tuple[str, int] | Response:
    """Pick a new day and time with the same therapist, confirm, then move the visit; 409 with nearby times when
    the time was just taken."""
    appointment = _appointment_or_404(token)
    if request.method == "GET" and not _changeable(appointment):
        return _call_us(token)
    return reschedule_page(appointment, ReschedulePage(
        template="appointments/reschedule.html", back=url_for(".manage", token=token),
        moved="Your visit is moved to {when}."), token=token)
