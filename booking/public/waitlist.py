"""A place on the waitlist, through its secret link: what it waits for, and leaving the list.

The link (``/waitlist/<token>``) is the patient's, like a visit's manage link: an unknown token answers 404, and
the page shows no health words (no screening answers), only the service, the therapist and when a time suits.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from booking.extensions import limiter
from booking.flows.waitlist import place_of
from booking.forms.waitlist import LeaveForm
from booking.models import WaitlistEntry
from booking.models.waitlist import EntryStatus
from booking.public import bp
from booking.security import booking_limit, read_limit
from booking.services.waitlist import entries, links


def _entry_or_404(token: str) -> WaitlistEntry:
    """The place this link opens, or a 404 page."""
    return links.find_entry(token) or abort(404)


@bp.route("/waitlist/<token>")
@limiter.limit(read_limit)
def waitlist_place(token: str) -> str:
    """The place: the service, the therapist, the days and parts of the day, until when, its status."""
    entry = _entry_or_404(token)
    return render_template("public/waitlist_place.html", place=place_of(entry), token=token,
                           link=links.entry_url(entry), waiting=entry.status == EntryStatus.WAITING)


@bp.route("/waitlist/<token>/leave", methods=["GET", "POST"])
@limiter.limit(read_limit)
@limiter.limit(booking_limit, methods=["POST"])
def leave_waitlist(token: str) -> str | Response:
    """Ask to confirm, then take the place off the list (any offer out to it is withdrawn)."""
    entry = _entry_or_404(token)
    if entry.status != EntryStatus.WAITING:
        flash("This place is no longer on the waitlist.")
        return redirect(url_for(".waitlist_place", token=token), code=303)
    form = LeaveForm()
    if form.validate_on_submit():
        entries.leave(entry)
        flash("You have left the waitlist. We will not offer you any more times.")
        return redirect(url_for(".waitlist_place", token=token), code=303)
    return render_template("public/waitlist_leave.html", place=place_of(entry), token=token, form=form)
