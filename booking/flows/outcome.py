"""Marking a visit completed or a no-show, from a therapist's visit page and an admin's alike.

The form is one button per outcome; ``mark_from_form`` reads it and asks
``booking.services.visits.outcomes.record_outcome``, which holds the rule (who may mark
the visit, and only a booked one that has started: ``markable``) and refuses with words
the page shows.
"""

from __future__ import annotations

from flask import flash
from wtforms import HiddenField
from wtforms.validators import AnyOf

from booking.forms import ClinicForm, required
from booking.models import Appointment, StaffUser
from booking.services.visits import BookingError
from booking.services.visits.outcomes import OUTCOME_WORDS, OUTCOMES, record_outcome


class OutcomeForm(ClinicForm):
    """Mark the visit completed or a no-show (one button each)."""

    outcome = HiddenField(validators=[AnyOf(list(OUTCOMES), "Choose whether the visit was completed or a no-show.")])


def mark_from_form(appointment: Appointment, by: StaffUser) -> tuple[str | None, int]:
    """Mark the visit as the form sent says, saying so on the next page; otherwise the problem and the page's status
    (400 for a form that names no outcome, 409 for a visit that cannot be marked)."""
    form = OutcomeForm()
    if not form.validate():
        return form.outcome.errors[0], 400
    outcome = required(form.outcome.data)
    try:
        record_outcome(appointment, outcome, by_staff=by)
    except BookingError as error:
        return error.message, 409
    flash(f"The visit is marked {OUTCOME_WORDS[outcome]}.")
    return None, 303
