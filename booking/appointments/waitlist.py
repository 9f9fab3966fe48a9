"""Joining the waitlist when no time suits, from the times page (one service) or the pair times page (a massage
then physiotherapy, back to back); the place joined is shown at its own link (``booking.public.waitlist``)."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from booking.appointments import bp
from booking.extensions import limiter
from booking.flows.waitlist import join_step, waited_for
from booking.forms.waitlist import JoinForm
from booking.models import Screening
from booking.security import booking_limit
from booking.services.screenings import get_screening, recommendation_of
from booking.services.visits import ReferredOut


@bp.route("/<uuid:screening_id>/waitlist", methods=["GET", "POST"])
@limiter.limit(booking_limit, methods=["POST"])
def join_waitlist(screening_id: uuid.UUID) -> str | Response:
    """The days and parts of the day that suit, a therapist or anyone, until when, and who you are; then the
    place's page. ``service`` (and ``pair_service`` for a pair) come from the times page."""
    screening = get_screening(screening_id) or abort(404)
    if not screening.therapy_types:
        return _advice(screening, recommendation_of(screening).advice)
    values = request.form if request.method == "POST" else request.args
    waited = waited_for(screening, values.get("service"), values.get("pair_service"))
    if waited is None:
        flash("Choose a service first.")
        return redirect(url_for(".start", screening_id=screening_id))
    try:
        step = join_step(screening, waited, JoinForm)
    except ReferredOut as exc:
        return _advice(screening, exc.advice)
    if step.joined is not None:
        _, token = step.joined
        flash("You are on the waitlist. We email you when a time that suits you opens.")
        return redirect(url_for("public.waitlist_place", token=token), code=303)
    return render_template("appointments/waitlist_join.html", screening=screening, step=step)


def _advice(screening: Screening, advice: str) -> str:
    """The page for a screening that never joins the list (a red flag): its advice, no form."""
    return render_template("appointments/advice.html", screening=screening, advice=advice)
