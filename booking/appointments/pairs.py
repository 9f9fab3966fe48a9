"""Massage right before physiotherapy: a combined screening books a back-to-back pair in one step.

The patient chooses the two services and therapists, then a day and one of its pair
times (a massage start whose end is a physiotherapy start, both therapists free), then
their details; both visits are booked by one ``book_course`` call, all or none. Only the
massage start travels between the steps: the physiotherapy visit starts when it ends.
The confirmation and the calendar file are reached by the massage visit's manage token.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from wtforms import HiddenField, RadioField

from booking.appointments.forms import (FIRST_AVAILABLE, DayForm, DetailsForm, QueryForm, format_start,
                                        parse_start, show_booking_errors)
from booking.appointments.picker import DAY_AND_TIME_LABEL, TIME_LABEL, DayChoice, DayView, TimeChoice, periods
from booking.appointments.views import bp
from booking.calendar import ics_for
from booking.clinic import clinic_zone, local_time
from booking.extensions import limiter
from booking.limits import booking_limit, read_limit
from booking.links import absolute_url
from booking.models import Appointment, AppointmentStatus, Screening, Service, Therapist
from booking.models.base import utcnow
from booking.scheduling import SlotSearchError
from booking.services.availability import bookable_days, search_pairs
from booking.services.booking import (BookingError, CourseRequest, InvalidBooking, PatientDetails, SlotTaken,
                                      VisitRequest, book_course, find_for_manage, manage_token, partner)
from booking.services.catalog import active_therapists, services_for
from booking.services.screenings import get_screening
from booking.templating import price, service_title

MASSAGE, PHYSIOTHERAPY = "massage", "physiotherapy"
COMING_DAYS = 7
NEARBY = 6


@dataclass(frozen=True)
class PairChoice:
    """What the pair is of: each service and its therapist (None: the first available)."""

    massage: Service
    physio: Service
    massage_therapist: Therapist | None
    physio_therapist: Therapist | None
    cautions: tuple[str, ...] = ()  # the screening's: only therapists trained for them are offered

    def query(self) -> dict[str, str]:
        """The choice as query-string (or hidden-field) values."""
        return {"massage": self.massage.code, "physio": self.physio.code,
                "massage_therapist": _therapist_value(self.massage_therapist),
                "physio_therapist": _therapist_value(self.physio_therapist)}

    def visits(self, massage_start: datetime) -> tuple[VisitRequest, VisitRequest]:
        """The two visits of the pair starting with the massage at ``massage_start``."""
        return (VisitRequest(self.massage.code, _therapist_id(self.massage_therapist), massage_start),
                VisitRequest(self.physio.code, _therapist_id(self.physio_therapist),
                             massage_start + self.massage.duration))


def _therapist_value(therapist: Therapist | None) -> str:
    """A therapist as a form value."""
    return str(therapist.id) if therapist else FIRST_AVAILABLE


def _therapist_id(therapist: Therapist | None) -> int | None:
    """A therapist's id, None for the first available."""
    return therapist.id if therapist else None


class PairForm(QueryForm):
    """The pair's services and therapists (read from the query string)."""

    massage = RadioField("Massage therapy", validate_choice=False)
    physio = RadioField("Physiotherapy", validate_choice=False)
    massage_therapist = RadioField("Massage therapist", default=FIRST_AVAILABLE, validate_choice=False)
    physio_therapist = RadioField("Physiotherapist", default=FIRST_AVAILABLE, validate_choice=False)


class PairDetailsForm(DetailsForm):
    """The details step of a pair: the pair's choice in hidden fields, the massage start, who you are."""

    physio = HiddenField()
    massage_therapist = HiddenField(default=FIRST_AVAILABLE)
    physio_therapist = HiddenField(default=FIRST_AVAILABLE)


def _combined_or_none(screening_id: uuid.UUID) -> Screening | None:
    """The screening if it is of combined care; 404 for an unknown one."""
    screening = get_screening(screening_id) or abort(404)
    return screening if screening.pathway == "combined" and screening.therapy_types else None


def _not_combined(screening_id: uuid.UUID) -> Response:
    """Back to the single bookings: this screening offers no pair."""
    flash("Back-to-back visits are for a care plan that combines massage therapy and physiotherapy.")
    return redirect(url_for(".start", screening_id=screening_id))


def _of_type(services: list[Service], kind: str) -> list[Service]:
    """The services of one therapy type."""
    return [service for service in services if service.therapy_type == kind]


def _read_choice(screening: Screening, values: dict[str, str]) -> tuple[PairForm, PairChoice | None]:
    """The pair form filled with the choices offered, and the choice it holds (defaults where none is made)."""
    services = services_for(screening)
    massages, physios = _of_type(services, MASSAGE), _of_type(services, PHYSIOTHERAPY)
    form = PairForm(formdata=None)
    form.massage.choices = [(s.code, f"{service_title(s)}, {price(s.price_cents)}") for s in massages]
    form.physio.choices = [(s.code, f"{service_title(s)}, {price(s.price_cents)}") for s in physios]
    cautions = tuple(screening.caution_codes)
    therapists = {kind: active_therapists(kind, cautions=cautions) for kind in (MASSAGE, PHYSIOTHERAPY)}
    form.massage_therapist.choices = [(FIRST_AVAILABLE, "First available")] + [
        (str(t.id), t.name) for t in therapists[MASSAGE]]
    form.physio_therapist.choices = [(FIRST_AVAILABLE, "First available")] + [
        (str(t.id), t.name) for t in therapists[PHYSIOTHERAPY]]
    massage = next((s for s in massages if s.code == values.get("massage")), massages[0] if massages else None)
    physio = next((s for s in physios if s.code == values.get("physio")), physios[0] if physios else None)
    massage_therapist = next((t for t in therapists[MASSAGE] if str(t.id) == values.get("massage_therapist")), None)
    physio_therapist = next((t for t in therapists[PHYSIOTHERAPY] if str(t.id) == values.get("physio_therapist")),
                            None)
    if massage is None or physio is None:
        return form, None
    choice = PairChoice(massage, physio, massage_therapist, physio_therapist, cautions)
    for name, value in choice.query().items():
        getattr(form, name).data = value
    return form, choice


def pair_slots(choice: PairChoice, date_from: date, date_to: date) -> list[tuple[datetime, datetime]]:
    """The pair times between two local days: (massage start, physiotherapy start), both therapists free."""
    return search_pairs(choice.massage, choice.physio, date_from, date_to,
                        first_therapist_id=_therapist_id(choice.massage_therapist),
                        second_therapist_id=_therapist_id(choice.physio_therapist), cautions=choice.cautions)


def _pair_label(massage_start: datetime, physio_start: datetime, label: str = TIME_LABEL) -> str:
    """"9:00 AM MST massage, then 10:00 AM physiotherapy"."""
    return f"{local_time(massage_start, label)} massage, then {local_time(physio_start, '%-I:%M %p')} physiotherapy"


def _choices(pairs: list[tuple[datetime, datetime]], label: str = TIME_LABEL) -> list[TimeChoice]:
    """The pair times as the picker's time buttons (the massage start is the value)."""
    zone = clinic_zone()
    return [TimeChoice(format_start(first), _pair_label(first, second, label), first.astimezone(zone).hour)
            for first, second in pairs]


def pair_day_view(choice: PairChoice, requested: date | None, link: Callable[[date], str]) -> DayView:
    """The pair times on the day asked for (or the first coming day with some), in the picker's shape."""
    first, last = bookable_days(utcnow())
    view = DayView(day=requested, first_day=first, last_day=last)
    if requested is not None and not first <= requested <= last:
        view.error = f"Choose a day from {first:%B %-d} to {last:%B %-d, %Y}."
        view.day = None
    strip_start = view.day or first
    strip_end = min(strip_start + timedelta(days=COMING_DAYS - 1), last)
    try:
        pairs = pair_slots(choice, strip_start, strip_end)
    except SlotSearchError as exc:
        view.error, view.day = " ".join(exc.errors.values()), view.day or first
        return view
    zone = clinic_zone()
    open_days = sorted({start.astimezone(zone).date() for start, _ in pairs})
    view.day = view.day or (open_days[0] if open_days else first)
    if view.day > first:
        view.previous_url = link(view.day - timedelta(days=1))
    if view.day < last:
        view.next_url = link(view.day + timedelta(days=1))
    view.periods = periods(_choices([pair for pair in pairs if pair[0].astimezone(zone).date() == view.day]))
    days = [strip_start + timedelta(days=n) for n in range((strip_end - strip_start).days + 1)]
    view.coming = [DayChoice(day, link(day), day in open_days) for day in days if day >= view.day]
    later = [day for day in open_days if day > view.day]
    if later:
        view.next_open = DayChoice(later[0], link(later[0]), True)
    return view


def nearby_pairs(choice: PairChoice, massage_start: datetime) -> list[tuple[str, str]]:
    """Pair times close to one just taken: the same day nearest first, then the following days."""
    zone = clinic_zone()
    first, last = bookable_days(utcnow())
    day = max(massage_start.astimezone(zone).date(), first)
    if day > last:
        return []
    pairs = pair_slots(choice, day, min(day + timedelta(days=COMING_DAYS - 1), last))
    same_day = sorted((pair for pair in pairs if pair[0].astimezone(zone).date() == day),
                      key=lambda pair: abs(pair[0] - massage_start))
    later = [pair for pair in pairs if pair[0].astimezone(zone).date() > day]
    return [(c.value, c.label) for c in _choices((same_day + later)[:NEARBY], DAY_AND_TIME_LABEL)]


@bp.route("/<uuid:screening_id>/pair")
def pair(screening_id: uuid.UUID) -> str | Response:
    """Pair step 1: the massage and physiotherapy services, and a therapist (or first available) for each."""
    screening = _combined_or_none(screening_id)
    if screening is None:
        return _not_combined(screening_id)
    form, choice = _read_choice(screening, request.args.to_dict())
    if choice is None:
        return _not_combined(screening_id)
    return render_template("appointments/pair_start.html", screening=screening, form=form)


@bp.route("/<uuid:screening_id>/pair/times")
def pair_times(screening_id: uuid.UUID) -> str | Response:
    """Pair step 2: a day, then one of its pair times; a time tapped goes on if the day still offers it."""
    screening = _combined_or_none(screening_id)
    if screening is None:
        return _not_combined(screening_id)
    _, choice = _read_choice(screening, request.args.to_dict())
    if choice is None:
        return _not_combined(screening_id)
    form = DayForm(formdata=request.args)
    form.validate()

    def link(day: date) -> str:
        return url_for(".pair_times", screening_id=screening_id, **choice.query(), date=day.isoformat())

    view = pair_day_view(choice, form.date.data, link)
    if view.error:
        form.date.errors = [*form.date.errors, view.error]
    if not form.date.errors:
        form.date.data = view.day
    start = parse_start(request.args.get("start"))
    if start is not None and view.offers(start):
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
    _, choice = _read_choice(screening, values)
    if choice is None or (request.method == "GET" and parse_start(values.get("start")) is None):
        flash("Choose the visits and a time first.")
        return redirect(url_for(".pair", screening_id=screening_id))
    if request.method == "GET":
        query = choice.query()
        form = PairDetailsForm(service=query["massage"], physio=query["physio"],
                               massage_therapist=query["massage_therapist"],
                               physio_therapist=query["physio_therapist"], starts_at=values["start"],
                               idempotency_key=uuid.uuid4().hex)
    else:
        form = PairDetailsForm()
    form.starts_at.choices = []
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            booked = book_course(CourseRequest(
                screening_id=str(screening.id), visits=choice.visits(parse_start(form.starts_at.data)),
                patient=PatientDetails(name=form.name.data.strip(), email=form.email.data.strip(),
                                       phone=form.phone.data.strip()),
                idempotency_key=form.idempotency_key.data or None))
        except SlotTaken as exc:
            problem = ("One of the two visits at that time was just taken, so neither is booked. "
                       if exc.visit is not None else f"{exc.message} ") + "Choose another pair of times."
            form.starts_at.choices = nearby_pairs(choice, parse_start(form.starts_at.data))
            status = 409
        except InvalidBooking as exc:
            problem = show_booking_errors(form, exc)
        except BookingError as exc:
            problem = exc.message
        else:
            massage = next(b for b in booked if b.appointment.service.therapy_type == MASSAGE)
            return redirect(url_for(".pair_confirmation", token=massage.manage_token), code=303)
        if form.starts_at.choices:
            form.starts_at.data = None
    start = parse_start(form.starts_at.data)
    return render_template("appointments/pair_details.html", screening=screening, choice=choice, form=form,
                           problem=problem, massage_start=start,
                           physio_start=start + choice.massage.duration if start else None), status


def _pair(token: str) -> tuple[Appointment, Appointment] | None:
    """The massage visit this token opens and the physiotherapy booked right after it; 404 for a token that opens
    no massage visit, None when the two are no longer a booked pair (one cancelled or moved since)."""
    massage = find_for_manage(None, token)
    if massage is None or massage.service.therapy_type != MASSAGE:
        abort(404)
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
