"""The questions before a visit, on the clinic's tablet: the therapist hands it to a patient who did not answer at home.

The same form and service as the patient's emailed link (``booking.public.questionnaires``); the
therapist may also add one activity at a later measurement. Only the visit's own therapist opens it.
"""

from __future__ import annotations

import uuid

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.forms.questionnaire import QuestionnaireForm
from booking.models import Appointment, Questionnaire
from booking.services import audit
from booking.services.questionnaires import QuestionnaireClosed, answer, asking, for_waiting_room, is_open
from booking.staff import bp
from booking.staff.access import staff_required
from booking.staff.visits import own_visit_or_404


def _page(visit: Appointment, questionnaire: Questionnaire, form: QuestionnaireForm, status: int = 200
          ) -> tuple[str, int]:
    """The form (or, once closed, the thanks), then its audit row (the activities named are health information)."""
    page = render_template("staff/questionnaire.html", visit=visit, form=form, open=is_open(questionnaire),
                           answered=questionnaire.answered_at is not None, asking=asking(questionnaire))
    audit.viewed("appointment", visit.id, "questionnaire")
    return page, status


@bp.route("/visits/<uuid:visit_id>/questions", methods=["GET", "POST"])
@staff_required(policy.is_therapist)
def waiting_room_questions(visit_id: uuid.UUID) -> tuple[str, int] | Response:
    """The questions before the visit for the patient to answer on the tablet; what was typed is kept on an error."""
    visit = own_visit_or_404(visit_id)
    questionnaire = for_waiting_room(current_user, visit) or abort(404)
    form = QuestionnaireForm()
    if not form.is_submitted() or not is_open(questionnaire):
        return _page(visit, questionnaire, form)
    if form.validate():
        try:
            reading = answer(questionnaire, form.typed(), by=current_user)
        except QuestionnaireClosed:
            return _page(visit, questionnaire, form, 409)
        if not reading.errors:
            return redirect(url_for("staff.waiting_room_questions", visit_id=visit.id), 303)
        form.show_errors(reading.errors)
    return _page(visit, questionnaire, form, 400)
