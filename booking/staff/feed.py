"""A therapist's personal calendar feed: the page with its secret link (and revoking it), and the .ics itself.

The feed needs no sign-in (calendar apps cannot sign in): its link's token is
the key, and a wrong or revoked one answers 404 like an unknown page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField

from booking import policy
from booking.extensions import db, limiter
from booking.forms import ClinicForm
from booking.models import Therapist
from booking.security import read_limit
from booking.services.therapists import feed as feeds
from booking.staff import bp
from booking.staff.access import staff_required


def _own_therapist() -> Therapist:
    """The signed-in therapist's record."""
    return db.session.get(Therapist, current_user.therapist_id) or abort(404)


class NamesForm(ClinicForm):
    """Whether the feed's events show the patients' full names (unticked: their initials)."""

    full_names = BooleanField("Show patients' full names instead of their initials")


@bp.route("/calendar-feed")
@staff_required(policy.is_therapist)
def calendar_feed() -> str:
    """The secret link to subscribe to, the choice of names or initials, and the button that replaces the link."""
    therapist = _own_therapist()
    return render_template("staff/feed.html", feed_url=feeds.feed_url(therapist),
                           form=ClinicForm(formdata=None),
                           names_form=NamesForm(formdata=None, full_names=therapist.feed_full_names))


@bp.route("/calendar-feed/names", methods=["POST"])
@staff_required(policy.is_therapist)
def feed_names() -> Response:
    """Save the choice of full names or initials in the feed."""
    form = NamesForm()
    if not form.validate():
        abort(400)
    if feeds.show_full_names(_own_therapist(), form.full_names.data, current_user):
        flash("Your calendar now shows patients' full names." if form.full_names.data
              else "Your calendar now shows patients' initials only.")
    else:
        flash("Nothing was changed.")
    return redirect(url_for("staff.calendar_feed"), 303)


@bp.route("/calendar-feed/revoke", methods=["POST"])
@staff_required(policy.is_therapist)
def revoke_feed() -> Response:
    """Revoke the current link and make a new one."""
    if not ClinicForm().validate():
        abort(400)
    feeds.revoke(_own_therapist(), current_user)
    flash("The old link no longer works. Subscribe your calendar to the new link below.")
    return redirect(url_for("staff.calendar_feed"), 303)


@bp.route("/feed/<int:therapist_id>/<token>.ics")
@limiter.limit(read_limit)
def feed(therapist_id: int, token: str) -> Response:
    """The therapist's visits as iCalendar, for the calendar app holding the link."""
    therapist = feeds.therapist_for_feed(therapist_id, token) or abort(404)
    return Response(feeds.feed_ics(therapist), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="schedule.ics"'})
