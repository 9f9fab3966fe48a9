"""The questions before a visit, answered through the emailed link: no account, once, until the visit ends."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from booking.extensions import limiter
from booking.forms.questionnaire import QuestionnaireForm
from booking.models import Questionnaire
from booking.public import bp
from booking.security import booking_limit, read_limit
from booking.services.questionnaires import QuestionnaireClosed, answer, asking, find, is_open
from booking.services.visits.link_expiry import still_working


def _closed(questionnaire: Questionnaire) -> str:
    """The plain page of questions that can no longer be answered: thanks, or the link's end."""
    return render_template("public/questionnaire_closed.html", answered=questionnaire.answered_at is not None)


@bp.route("/q/<token>", methods=["GET", "POST"])
@limiter.limit(read_limit)
@limiter.limit(booking_limit, methods=["POST"])
def questionnaire(token: str) -> str | tuple[str, int] | Response:
    """The questions before a visit; what was typed is kept when an answer is missing or wrong. The expired link's
    page once the link has stopped working, as the visit's manage link does."""
    found = find(token) or abort(404)
    still_working(found.appointment)
    if not is_open(found):
        return _closed(found)
    form = QuestionnaireForm()
    if form.is_submitted():
        if form.validate():
            try:
                reading = answer(found, form.typed())
            except QuestionnaireClosed:
                return _closed(found)
            if not reading.errors:
                return redirect(url_for("public.questionnaire", token=token), 303)
            form.show_errors(reading.errors)
        return render_template("public/questionnaire.html", form=form, asking=asking(found), token=token), 400
    return render_template("public/questionnaire.html", form=form, asking=asking(found), token=token)
