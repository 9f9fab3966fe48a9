"""The waitlist's calls: a freed time offered to a patient without email, whom the desk phones.

The today page and the waitlist page list the calls to make, each with its two answers; the call's own page shows
it alone with the same choice. "They want it" books it for the caller through the claim (``calls.book_for_caller``)
and opens the visit; "Not wanted, or no answer" ends the offer and passes the time on (``calls.not_wanted``). Thin
views over ``booking.services.waitlist.calls``; patients by name and phone, never their screening.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice

from booking import policy
from booking.admin import bp
from booking.clinic.clock import moment
from booking.clinic.times import local_time
from booking.forms import ClinicForm
from booking.forms.fields import listed_choice
from booking.services.waitlist import calls
from booking.services.waitlist.calls import Call
from booking.services.waitlist.claims import EXPIRED, LEFT, Claimed, refusal
from booking.staff.access import safe_next, staff_required

BOOK, DECLINED = "book", "declined"


class CallForm(ClinicForm):
    """What the caller said, and the page to go back to."""

    answer = RadioField("What did they say?", validate_choice=False,
                        choices=[SelectChoice(BOOK, "They want it: book it for them"),
                                 SelectChoice(DECLINED, "Not wanted, or no answer: offer it to the next on the list")],
                        validators=[listed_choice("Choose whether they want the time, or that they did not want it "
                                                  "or did not answer.")])
    next = HiddenField()


def _over(call: Call, reason: str) -> str:
    """Why the call's time can no longer be offered to its patient, as the notice says it."""
    name = call.patient.name
    if reason == LEFT:
        return f"{name} is no longer on the waitlist: the time was not booked for them."
    if reason == EXPIRED:
        return (f"The hold of that time for {name} is over: it goes to the next on the list, and {name} keeps their "
                f"place on the waitlist.")
    return f"That time was booked meanwhile: {name} keeps their place on the waitlist."


def _time(call: Call) -> str:
    """The offered time in words: when, what, with whom."""
    first = call.visits[0]
    return f"{local_time(first.starts_at)}, {first.service.name} with {first.therapist.name}"


@bp.route("/waitlist/calls/<uuid:offer_id>", methods=["GET", "POST"])
@staff_required(policy.may_run_the_clinic)
def waitlist_call(offer_id: uuid.UUID) -> str | Response:
    """A time to offer a caller by phone, and what they said: booked for them, or passed on to the next."""
    call = calls.find_call(current_user, offer_id) or abort(404)
    form = CallForm()
    back = safe_next(form.next.data or request.args.get("next")) or url_for(".today")
    form.next.data = back
    if form.validate_on_submit():
        if form.answer.data == BOOK:
            result = calls.book_for_caller(call, by_staff=current_user)
            if isinstance(result, Claimed):
                flash(f"Booked for {call.patient.name}: {_time(call)}. They have no email: tell them the time now.")
                return redirect(url_for(".visit", appointment_id=result.booked[0].appointment.id), code=303)
            flash(_over(call, result.reason))
        else:
            reason = calls.not_wanted(call, by_staff=current_user)
            flash(_over(call, reason) if reason else
                  f"Noted: {call.patient.name} did not take {_time(call)}. It is offered to the next on the list.")
        return redirect(back, code=303)
    reason = refusal(call.offer, now=moment())
    if reason is not None and not form.is_submitted():
        flash(_over(call, reason))
        return redirect(back, code=303)
    return render_template("admin/waitlist_call.html", call=call, form=form)
