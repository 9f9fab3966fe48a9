"""The admins' waitlist pages: who is waiting (by service, therapist, in priority or waiting order) with the calls to
make (``waitlist_calls``), every time freed over the last 30 days and what became of it, with the figure the clinic
watches; removing a place, and offering a time by hand (a therapist, a day and a time: the patient gets the claim
link as from any freed time).

Thin views over ``booking.services.waitlist`` (``overview`` reads, ``entries.remove`` and
``offering.offer_by_hand`` change); patients by name, never their screening.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from booking import policy
from booking.admin import bp
from booking.admin.appointments import within_days
from booking.clinic.times import clinic_zone, local_time
from booking.flows.waitlist import place_of
from booking.forms import ClinicForm, QueryForm, required
from booking.forms.fields import ClockField, DayField, listed_choice
from booking.models import WaitlistEntry
from booking.models.waitlist import EntryStatus, OfferStatus, OpeningCause, OpeningStatus
from booking.services.catalog import all_services
from booking.services.therapists.profiles import all_therapists
from booking.services.visits import InvalidBooking
from booking.services.waitlist import calls, entries, offering, overview
from booking.services.waitlist.overview import PRIORITY, WAITING_LONGEST, EntryFilter
from booking.staff.access import staff_required

ANY = ""
ORDERS = [SelectChoice(PRIORITY, "Priority"), SelectChoice(WAITING_LONGEST, "Longest waiting first")]


class WaitlistFilterForm(QueryForm):
    """The list's filters, sent with GET; every value is checked and explained."""

    service = SelectField("Service", default=ANY,
                          invalid_choice_message="Choose one of the services listed, or any service.")
    therapist = SelectField("Therapist", default=ANY,
                            invalid_choice_message="Choose one of the therapists listed, or any therapist.")
    order = SelectField("Order", default=PRIORITY, choices=ORDERS,
                        invalid_choice_message="Choose the priority order or the waiting time.")

    def fill_choices(self) -> None:
        """The services and therapists to choose from."""
        self.service.choices = [SelectChoice(ANY, "Any service"),
                                *(SelectChoice(str(service.id), service.name) for service in all_services())]
        self.therapist.choices = [SelectChoice(ANY, "Any therapist"),
                                  *(SelectChoice(str(therapist.id), therapist.name) for therapist in all_therapists())]

    def chosen(self) -> EntryFilter:
        """The filter the (valid) form describes."""
        return EntryFilter(service_id=int(self.service.data) if self.service.data else None,
                           therapist_id=int(self.therapist.data) if self.therapist.data else None,
                           order=self.order.data or PRIORITY)


@bp.route("/waitlist")
@staff_required(policy.may_see_patients)
def waitlist() -> str:
    """The entries waiting, narrowed by the filters; a bad filter is explained, nothing is listed."""
    form = WaitlistFilterForm(formdata=request.args)
    form.fill_choices()
    rows = overview.waiting(current_user, form.chosen()) if form.validate() else None
    places = None if rows is None else [(row, place_of(row.entry)) for row in rows]
    to_call = calls.to_call(current_user) if policy.may_run_the_clinic(current_user) else []
    return render_template("admin/waitlist.html", form=form, places=places, rate=overview.fill_rate(),
                           waiting=overview.waiting_count(), calls=to_call)


@bp.route("/waitlist/openings")
@staff_required(policy.may_see_patients)
def waitlist_openings() -> str:
    """Every time freed over the last 30 days, newest first, with its offers and its outcome, and the figure."""
    return render_template("admin/waitlist_openings.html", stories=overview.openings(current_user),
                           rate=overview.fill_rate(), days=overview.HISTORY_DAYS, causes=OpeningCause,
                           outcomes=OpeningStatus, offer_statuses=OfferStatus)


class OfferForm(ClinicForm):
    """A time to offer one waiting patient: the therapist, the day and the time it starts (clinic time)."""

    therapist = SelectField("Therapist", validators=[listed_choice("Choose one of the therapists listed.")])
    day = DayField("Day", validators=[InputRequired("Enter the day of the time, like 2026-12-04."), within_days])
    time = ClockField("Starts at", validators=[InputRequired("Enter when the time starts, like 14:30.")])

    def starts_at(self) -> datetime:
        """The start typed, in UTC."""
        return datetime.combine(required(self.day.data), required(self.time.data), tzinfo=clinic_zone()).astimezone(UTC)


# Where each of the service's complaints goes on the form.
OFFER_FIELDS = {"therapist_id": "therapist", "starts_at": "time"}


def _gone(entry: WaitlistEntry) -> Response:
    """Back to the list, saying the place no longer waits and why."""
    flash(f"{entry.patient.name} is no longer waiting: {EntryStatus(entry.status).label.lower()}.")
    return redirect(url_for(".waitlist"), code=303)


def _waiting_or_gone(entry_id: int) -> WaitlistEntry | Response:
    """The waiting entry, or back to the list saying it no longer waits (404 when there is no such entry)."""
    entry = overview.find_entry(current_user, entry_id) or abort(404)
    return entry if entry.status == EntryStatus.WAITING else _gone(entry)


@bp.route("/waitlist/<int:entry_id>/offer", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def offer_waitlist_time(entry_id: int) -> str | Response:
    """Offer one waiting patient a time by hand; a time that is not free or does not suit them is explained."""
    entry = _waiting_or_gone(entry_id)
    if isinstance(entry, Response):
        return entry
    form = OfferForm()
    form.therapist.choices = [SelectChoice(str(therapist.id), therapist.name)
                              for therapist in overview.therapists_for(entry)]
    if form.validate_on_submit():
        try:
            offer = offering.offer_by_hand(entry.id, int(form.therapist.data), form.starts_at(), by_staff=current_user)
        except InvalidBooking as refused:
            if "entry_id" in refused.errors:
                flash(refused.errors["entry_id"])
                return redirect(url_for(".waitlist"), code=303)
            for key, message in refused.errors.items():
                form[OFFER_FIELDS.get(key, "time")].errors.append(message)
            return render_template("admin/waitlist_offer.html", form=form, place=place_of(entry))
        patient = entry.patient
        reach = (f"An email with the claim link is on its way to {patient.email}." if patient.email else
                 f"They have no email address: call them on {patient.phone}, then answer for them under "
                 f"Call to offer.")
        flash(f"{local_time(offer.opening.starts_at)} is offered to {patient.name}, held until "
              f"{local_time(offer.expires_at, 'clock')}. {reach}")
        return redirect(url_for(".waitlist"), code=303)
    return render_template("admin/waitlist_offer.html", form=form, place=place_of(entry))


@bp.route("/waitlist/<int:entry_id>/remove", methods=["POST"])
@staff_required(policy.may_run_the_clinic)
def remove_waitlist_entry(entry_id: int) -> Response:
    """Take a patient off the waitlist (any offer they hold is withdrawn)."""
    if not ClinicForm().validate_on_submit():
        abort(400)
    entry = _waiting_or_gone(entry_id)
    if isinstance(entry, Response):
        return entry
    if not entries.remove(entry, by_staff=current_user):
        return _gone(entry)  # it ended meanwhile (booked by a claim, left, expired)
    flash(f"{entry.patient.name} is off the waitlist; any time offered to them is withdrawn.")
    return redirect(url_for(".waitlist"), code=303)
