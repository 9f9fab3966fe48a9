"""'Manage my booking' for a patient who lost the link: ask for the email, answer the same for every address."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from booking.appointments import bp
from booking.clinic.limits import EMAIL_LENGTH
from booking.clinic.validators import email_address
from booking.extensions import limiter
from booking.forms import ClinicForm, required
from booking.security import contact_limit
from booking.services.visits.manage_links import send_manage_links


class FindBookingForm(ClinicForm):
    """"Manage my booking": the email address the visits were booked with."""

    email = EmailField("Email address", validators=[
        DataRequired("Enter the email address you booked with."), Length(max=EMAIL_LENGTH), email_address])


@bp.route("/find", methods=["GET", "POST"])
@limiter.limit(contact_limit, methods=["POST"])
def find_booking() -> str | Response:
    """Ask for the email address the visits were booked with, and email that address its links.

    Nothing is looked up here: the answer must not tell whether an address has a booking.
    """
    form = FindBookingForm()
    if form.validate_on_submit():
        send_manage_links(required(form.email.data))
        return redirect(url_for(".find_booking_sent"), code=303)
    return render_template("appointments/find.html", form=form)


@bp.route("/find/sent")
def find_booking_sent() -> str:
    """The same answer for every address, with the phone number for those who cannot wait."""
    return render_template("appointments/find_sent.html")
