"""A freed time offered from the waitlist, claimed through the emailed link: no account, one button.

The page shows only the time, the service and the therapist (a pair: both visits) and until when the time is
held; never the screening. A time already taken, or whose hold passed, gets a kind page instead: the patient
stays on the list, with the link to their place. A claimed offer leads to its booking.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from booking.clinic.clock import moment
from booking.extensions import limiter
from booking.forms import ClinicForm
from booking.models import Appointment, WaitlistOffer
from booking.models.waitlist import OfferStatus
from booking.public import bp
from booking.security import booking_limit, read_limit
from booking.services.visits import manage_token
from booking.services.waitlist.claims import Claimed, claim, offered_visits, refusal
from booking.services.waitlist.links import entry_url, find_offer


class ClaimForm(ClinicForm):
    """The "Book this time" button: nothing to fill in but the CSRF token."""


def _booking(offer: WaitlistOffer, first: Appointment) -> Response:
    """The confirmation of the booking the offer made, by its first visit (a pair's page for a pair)."""
    endpoint = "appointments.pair_confirmation" if offer.entry.pair_service_id else "appointments.confirmation"
    return redirect(url_for(endpoint, token=manage_token(first)), 303)


def _closed(offer: WaitlistOffer, reason: str) -> str:
    """The kind page of an offer that can no longer be claimed, with the link to the patient's place."""
    return render_template("public/waitlist_offer_closed.html", reason=reason, place_url=entry_url(offer.entry))


@bp.route("/waitlist/offers/<token>", methods=["GET", "POST"])
@limiter.limit(read_limit)
@limiter.limit(booking_limit, methods=["POST"])
def waitlist_offer(token: str) -> str | tuple[str, int] | Response:
    """The offered time with one "Book this time" button; the claim books it and shows the confirmation."""
    offer = find_offer(token) or abort(404)
    if offer.status == OfferStatus.CLAIMED and offer.appointment is not None:
        return _booking(offer, offer.appointment)
    form = ClaimForm()
    if form.validate_on_submit():
        result = claim(offer)
        if isinstance(result, Claimed):
            return _booking(offer, result.booked[0].appointment)
        return redirect(url_for("public.waitlist_offer", token=token), 303)
    reason = refusal(offer, now=moment())
    if reason is not None:
        return _closed(offer, reason)
    page = render_template("public/waitlist_offer.html", visits=offered_visits(offer), offer=offer, form=form,
                           token=token)
    return (page, 400) if form.is_submitted() else page
