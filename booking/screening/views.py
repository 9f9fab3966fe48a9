"""The screening in the patient flow: four short steps (booking.flows.screening), then the recommendation page.

As soon as the answers given make the outcome refer_out certain (a red flag), the
screening is stored and its advice shown: nothing more is asked.
"""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from booking.extensions import limiter
from booking.flows.screening import Flow, show_step
from booking.forms.screening import QUESTION, STEP_BY_SLUG, STEPS, Step
from booking.models import Screening
from booking.screening import bp
from booking.security import screening_limit
from booking.services.care_plans.queue import ask_for_plan
from booking.services.screenings import get_screening, recommendation_of

SESSION_KEY = "screening_draft"
PREFERENCES = {option["code"]: option["text"] for option in QUESTION["preference"]["options"]}


def _url(step: Step) -> str:
    """The address of a step."""
    return url_for("screening.start") if step is STEPS[0] else url_for("screening.step", slug=step.slug)


def _result(screening: Screening) -> Response:
    """After the screening is stored: its recommendation (303: the next request is a GET)."""
    return redirect(url_for("screening.result", screening_id=screening.id), code=303)


PATIENT = Flow(session_key=SESSION_KEY, url=_url, layout="base.html", finished=_result)


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(screening_limit, methods=["POST"])
def start() -> str | Response:
    """Step 1: why you are coming. Sending it starts a screening, so it counts against the
    screening rate limit, as the API's screenings do."""
    return show_step(PATIENT, STEPS[0])


def step(slug: str) -> str | Response:
    """Steps 2 to 4: warning signs, health conditions, about your problem."""
    return show_step(PATIENT, STEP_BY_SLUG[slug])


for _later in STEPS[1:]:
    bp.add_url_rule(f"/{_later.slug}", "step", step, methods=["GET", "POST"], defaults={"slug": _later.slug})


@bp.route("/<uuid:screening_id>")
def result(screening_id: uuid.UUID) -> str:
    """The recommendation with its reasons and cautions, and the next step."""
    screening = get_screening(screening_id) or abort(404)
    recommendation = recommendation_of(screening)
    return render_template("screening/result.html", screening=screening, recommendation=recommendation,
                           preferences=PREFERENCES,
                           online_booking="appointments.start" in current_app.view_functions)


@bp.route("/<uuid:screening_id>/care-plan", methods=["POST"])
@limiter.limit(screening_limit)
def ask_for_care_plan(screening_id: uuid.UUID) -> Response:
    """The patient of a combined screening asks the clinic to plan their care: it enters the admins' queue."""
    ask_for_plan(screening_id) or abort(404)
    flash("Thank you: the clinic will plan your physiotherapy and massage together.")
    return redirect(url_for("screening.result", screening_id=screening_id, _anchor="care-plan"), code=303)
