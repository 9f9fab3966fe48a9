"""Booking for a phone caller: the patients' own screening, asked by an admin, then the same booking path.

The screening is the patients' flow (booking.flows.screening) in the staff layout,
with a draft of its own in the admin's session; a red flag ends it with the
advice to read to the caller, and nothing can be booked. Otherwise the admin
picks a service, a therapist and a time with the patients' slot picker, types
the caller's name, email (a caller may have none: nothing is then emailed to them)
and phone, and ``booking.services.visits.book`` books it with every check of an
online booking, the confirmation email through the outbox, and an audit row naming
the admin in the same transaction.

"Book a visit" on a patient's page starts the same booking for that known record
(``/admin/book?patient=<id>``): the record is kept in the admin's session, tied to
the screening once it is stored, and the details step starts with the record's
details and books onto it. An empty time of the calendar starts it with that therapist
and time chosen (``?therapist=<id>&start=<time>``, booking.admin.caller_start): the
services offered are those the therapist gives, and once one is chosen the booking goes
straight to the details when the time still holds the visit, else to that therapist's
times of the day, saying why it does not.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, EmailField, StringField, TelField
from wtforms.validators import DataRequired, Length, Optional

from booking import policy
from booking.admin import bp, caller_start
from booking.admin.caller_start import Chosen
from booking.clinic.limits import EMAIL_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.clinic.validators import email_address, phone_number
from booking.database import parse_id
from booking.flows.picker import TherapistSlots, pick_day
from booking.flows.screening import Flow, show_step
from booking.flows.steps import chosen_service, day_form, details_step, none_trained
from booking.flows.waitlist import Joiner, join_step, waited_for
from booking.forms.screening import STEP_BY_SLUG, STEPS, Step
from booking.forms.visits import DetailsForm, ServiceForm, format_start, parse_start, under_18_field
from booking.forms.waitlist import JoinForm
from booking.models import Patient, Screening, Service
from booking.scheduling import Unfit
from booking.services import audit
from booking.services.catalog import services_for
from booking.services.screenings import get_screening, staff_recommendation
from booking.services.visits import ReferredOut
from booking.services.visits.availability import why_not_open
from booking.services.visits.patients import current_record
from booking.staff.access import staff_required
from booking.templating import price, service_title


class CallerDetailsForm(DetailsForm):
    """The caller's details, typed by the admin; the caller agrees to the privacy notice on the phone.

    The email is optional (not every caller has one); the phone, then the only way to reach them, is required.
    """

    name = StringField("Full name", validators=[DataRequired("Enter the caller's full name."),
                                                Length(max=NAME_LENGTH)])
    email = EmailField("Email address (optional)", validators=[Optional(), Length(max=EMAIL_LENGTH), email_address])
    phone = TelField("Phone number", validators=[
        DataRequired("Enter the caller's phone number: the clinic reaches them by it if the visit has to move."),
        Length(max=PHONE_LENGTH), phone_number])
    under_18 = under_18_field(required=False)
    consent = BooleanField("The caller has heard the privacy notice and agrees that the clinic keeps these "
                           "details and the screening answers to arrange their care.",
                           validators=[DataRequired("Tick the box once the caller agrees to the privacy notice.")])


class CallerJoinForm(CallerDetailsForm, JoinForm):
    """The desk putting a caller on the waitlist: the caller's details (email optional, phone required), and when a
    time suits them."""

    phone = TelField("Phone number", validators=[
        DataRequired("Enter the caller's phone number: the clinic calls them by it when a time opens."),
        Length(max=PHONE_LENGTH), phone_number])


def _step_url(step: Step) -> str:
    """The address of a step of the caller's screening."""
    return url_for("admin.book_for_caller") if step is STEPS[0] else url_for("admin.caller_step", slug=step.slug)


def _screened(screening: Screening) -> Response:
    """The caller's screening is stored: record who entered it, then go on to book (or to the advice)."""
    audit.record_and_commit("created", "screening", screening.id, "screening asked by phone")
    caller_start.tie_to(screening)
    return redirect(url_for("admin.caller_visit", screening_id=screening.id), code=303)


def _lead() -> str | None:
    """The therapist and time chosen on the calendar, above each step of the screening."""
    chosen = caller_start.chosen_now()
    return chosen.words if chosen else None


CALLER = Flow(session_key="caller_screening_draft", url=_step_url, layout="staff_base.html", finished=_screened,
              lead=_lead)


@bp.route("/book", methods=["GET", "POST"])
@staff_required(policy.may_book_for_callers)
def book_for_caller() -> str | Response:
    """Step 1 of the caller's screening: why they are coming. ``?patient=<id>`` starts it for a known record,
    ``?therapist=<id>&start=<time>`` with a therapist and time chosen on the calendar; either leads to
    ``?started=1``, this step with what was chosen kept (also on coming back to it), where this page without
    anything is a fresh start once no screening is under way."""
    if request.method == "GET" and request.args.keys() & {"patient", "therapist", "start"}:
        started = {"patient": _record_or_404(request.args["patient"]).id} if "patient" in request.args else {}
        choice, problem = caller_start.choice_in(request.args)
        if problem:
            flash(problem)
        session.pop(CALLER.session_key, None)  # a new screening, with what the link chose
        caller_start.start({**started, **choice})
        return redirect(url_for(".book_for_caller", started=1), code=303)
    if request.method == "GET" and CALLER.session_key not in session and "started" not in request.args:
        caller_start.forget()  # a fresh start is for a new caller
    return show_step(CALLER, STEPS[0])


def _record_or_404(value: str) -> Patient:
    """The current record with this id (or the one it was joined into), or a 404 page."""
    record_id = parse_id(value)
    record = current_record(record_id) if record_id is not None else None
    return record or abort(404)


def _known_patient(screening: Screening) -> Patient | None:
    """The known record this screening's booking is for, if it was started from a patient's page."""
    known = caller_start.started_for(screening.id).get("patient")
    return None if known is None else current_record(known)


@staff_required(policy.may_book_for_callers)
def caller_step(slug: str) -> str | Response:
    """Steps 2 to 4 of the caller's screening."""
    return show_step(CALLER, STEP_BY_SLUG[slug])


for _later in STEPS[1:]:
    bp.add_url_rule(f"/book/{_later.slug}", "caller_step", caller_step, methods=["GET", "POST"],
                    defaults={"slug": _later.slug})


def _screening_or_404(screening_id: uuid.UUID) -> Screening:
    """The caller's screening, or a 404 page."""
    return get_screening(screening_id) or abort(404)


def _advice(screening: Screening, advice: str | None = None) -> str:
    """The advice to read to a caller whom the screening sends elsewhere first (a view of health information)."""
    audit.viewed("screening", screening.id, "advice read to a caller")
    return render_template("admin/caller_advice.html", screening=screening,
                           recommendation=staff_recommendation(screening), advice=advice)


@bp.route("/book/<uuid:screening_id>")
@staff_required(policy.may_book_for_callers)
def caller_visit(screening_id: uuid.UUID) -> str | Response:
    """A service, then a therapist (or first available), a day and one of its open times.

    The services offered follow from the screening's recommendation, whose reasons and cautions (in the
    staff's words) are shown before a service is chosen: each answer is an audited view of it.
    """
    screening = _screening_or_404(screening_id)
    if not screening.therapy_types:
        return _advice(screening)
    if request.args.get("any_therapist"):  # the usual choice rather than the therapist chosen on the calendar
        caller_start.drop(screening_id, "therapist", "start")
        return redirect(url_for(".caller_visit", screening_id=screening_id), code=303)
    audit.viewed("screening", screening.id, "booking for a caller")
    chosen = caller_start.chosen_for(screening_id)
    service = chosen_service(screening, request.args.get("service"))
    if service is None:
        return _service_page(screening, chosen)
    if chosen and chosen.gives(service, screening) and not request.args.keys() & {"therapist", "date", "start"}:
        return _to_chosen_time(screening, service, chosen)
    form, therapist_id = day_form(service, screening)
    view = pick_day(form, TherapistSlots(service, therapist_id, cautions=screening.caution_codes),
                    service=service.code, therapist=form.therapist.data)
    start = parse_start(request.args.get("start"))
    if start and view.offers(start):
        return redirect(url_for(".caller_details", screening_id=screening_id, service=service.code,
                                therapist=form.therapist.data, start=request.args["start"]))
    notice = ("That time is no longer open. Choose one of the open times below." if start
              else none_trained(screening, service, therapist_id, view, _offer_another_day))
    return render_template("admin/caller_times.html", screening=screening, service=service, form=form,
                           view=view, notice=notice)


def _service_page(screening: Screening, chosen: Chosen | None) -> str:
    """The services the screening allows, only those the therapist chosen on the calendar gives (all of them, and
    why, when that therapist gives none)."""
    services = services_for(screening)
    offered = [s for s in services if chosen.gives(s, screening)] if chosen else services
    form = ServiceForm(formdata=request.args)
    form.service.choices = [(s.code, f"{service_title(s)}, {price(s.price_cents)}") for s in offered or services]
    if "service" in request.args:
        form.validate()
    return render_template("admin/caller_service.html", screening=screening, form=form, services=offered or services,
                           recommendation=staff_recommendation(screening), chosen=chosen,
                           none_given=caller_start.none_given(chosen, screening) if chosen and not offered else None)


def _to_chosen_time(screening: Screening, service: Service, chosen: Chosen) -> Response:
    """Straight to the details when the time chosen on the calendar still holds the visit (the slot search's rules);
    else to that therapist's open times of its day, saying why it does not."""
    why = why_not_open(service, chosen.starts_at, therapist_id=chosen.therapist.id, cautions=screening.caution_codes)
    keep: dict[str, Any] = {"screening_id": screening.id, "service": service.code, "therapist": chosen.therapist.id}
    if why is None:
        return redirect(url_for(".caller_details", **keep, start=format_start(chosen.starts_at)), code=303)
    flash(caller_start.unfit_words(why, chosen, service))
    day: dict[str, Any] = {} if why.reason is Unfit.PAST else {"date": chosen.day.isoformat()}
    return redirect(url_for(".caller_visit", **keep, **day), code=303)


def _offer_another_day(training: str) -> str:
    """The admin's words when no therapist trained in ``training`` has a time for the caller's visit."""
    return (f"No therapist trained in {training} has an open time for this visit: offer the caller another day, or "
            f"add the qualification to a therapist on their page (Therapists).")


@bp.route("/book/<uuid:screening_id>/details", methods=["GET", "POST"])
@staff_required(policy.may_book_for_callers)
def caller_details(screening_id: uuid.UUID) -> str | tuple[str, int] | Response:
    """The caller's name, email and phone, then book through the same service as patients; 409 with nearby times
    when the time was just taken."""
    screening = _screening_or_404(screening_id)
    if not screening.therapy_types:
        return _advice(screening)
    if request.args.get("someone_else"):  # not the known record's person: book a new one
        caller_start.drop(screening_id, "patient")
        kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "someone_else"}
        return redirect(url_for(".caller_details", screening_id=screening_id, **kept), code=303)
    known = _known_patient(screening)
    step = details_step(screening, CallerDetailsForm, untrained=_offer_another_day, booked_by=current_user,
                        patient=known)
    if step is None:
        flash("Choose a service and a time first.")
        return redirect(url_for(".caller_visit", screening_id=screening_id))
    if step.booked is not None:
        patient = step.booked.appointment.patient
        caller_start.finished()
        flash(f"Booked for {patient.name}. " + ("Their confirmation email is on its way." if patient.email else
                                               "Nothing is emailed to them (no email address): tell them the "
                                               "day and time on the phone now."))
        return redirect(url_for(".visit", appointment_id=step.booked.appointment.id), code=303)
    return render_template("admin/caller_details.html", screening=screening, service=step.service,
                           therapist=step.therapist, form=step.form, problem=step.problem, starts_at=step.starts_at,
                           known=known), step.status


@bp.route("/book/<uuid:screening_id>/waitlist", methods=["GET", "POST"])
@staff_required(policy.may_book_for_callers)
def caller_waitlist(screening_id: uuid.UUID) -> str | Response:
    """No time suits the caller: put them on the waitlist for the service chosen (email optional, phone required),
    onto the known record when the booking started from a patient's page."""
    screening = _screening_or_404(screening_id)
    if not screening.therapy_types:
        return _advice(screening)
    values = request.form if request.method == "POST" else request.args
    waited = waited_for(screening, values.get("service"))
    if waited is None:
        flash("Choose a service first.")
        return redirect(url_for(".caller_visit", screening_id=screening_id))
    try:
        step = join_step(screening, waited, CallerJoinForm, Joiner(by=current_user, patient=_known_patient(screening)))
    except ReferredOut as exc:
        return _advice(screening, exc.advice)
    if step.joined is None:
        return render_template("admin/waitlist_join.html", step=step, heading="Put the caller on the waitlist",
                               action=url_for(".caller_waitlist", screening_id=screening_id),
                               back=url_for(".caller_visit", screening_id=screening_id, service=waited.service.code))
    entry, _ = step.joined
    caller_start.finished()
    flash(f"{entry.patient.name} is on the waitlist. " + (
        "An email with the link to their place is on its way." if entry.patient.email else
        "Nothing is emailed to them (no email address): the clinic calls them when a time opens."))
    return redirect(url_for(".patient", id=entry.patient_id), code=303)
