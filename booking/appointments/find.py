"""'Manage my booking' for a patient who lost the link: ask for the email, answer the same for every address."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from werkzeug.wrappers import Response

from booking.appointments.forms import FindBookingForm
from booking.appointments.views import bp
from booking.extensions import limiter
from booking.limits import contact_limit


@bp.route("/find", methods=["GET", "POST"])
@limiter.limit(contact_limit, methods=["POST"])
def find_booking() -> str | Response:
    """Ask for the email address the visits were booked with.

    Nothing is looked up or stored: the answer must not tell whether an address has a
    booking, and the email with the links comes with the worker that sends emails.
    """
    form = FindBookingForm()
    if form.validate_on_submit():
        return redirect(url_for(".find_booking_sent"), code=303)
    return render_template("appointments/find.html", form=form)


@bp.route("/find/sent")
def find_booking_sent() -> str:
    """The same answer for every address, with the phone number while no email is sent."""
    return render_template("appointments/find_sent.html")
