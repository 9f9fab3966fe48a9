"""Home page, contact messages and the health check."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from werkzeug.wrappers import Response

from booking.database import database_answers
from booking.extensions import limiter
from booking.forms import required
from booking.public import bp
from booking.public.forms import ContactForm
from booking.security import contact_limit
from booking.services.contact import save_message
from booking.templating import opening_hours_shown


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(contact_limit, methods=["POST"])
def home() -> str | Response:
    """The clinic's home page, with its contact form."""
    form = ContactForm()
    if form.validate_on_submit():
        save_message(name=required(form.name.data), email=required(form.email.data), phone=form.phone.data,
                     message=required(form.message.data))
        flash("Thank you, your message was sent. We reply within one business day.")
        # To the thank-you itself (the notice at the top of the page), not back down to the form.
        return redirect(url_for("public.home", _anchor="notice"))
    return render_template("public/home.html", form=form, hours=opening_hours_shown())


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the app and its database answer, 503 otherwise."""
    if database_answers():
        return jsonify(status="ok", database="ok"), 200
    return jsonify(status="unavailable", database="unreachable"), 503
