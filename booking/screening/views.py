"""The screening in the patient flow: four short steps, then the recommendation page.

The answers in progress are kept in the signed session cookie (never in a URL): for
each step, what was entered on it, which steps passed their checks, and any error the
routing engine found that belongs to a step the patient has to go back to.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from booking.routing import ScreeningError
from booking.screening.forms import (
    CONCERN_GROUPS,
    QUESTION,
    STEP_BY_SLUG,
    STEPS,
    Step,
    add_errors,
    answers_from,
    form_data,
    remove_unasked,
)
from booking.services.screenings import create_screening, get_screening, recommendation_of

bp = Blueprint("screening", __name__, url_prefix="/screening")

SESSION_KEY = "screening"
PREFERENCES = {option["code"]: option["text"] for option in QUESTION["preference"]["options"]}


@bp.route("/", methods=["GET", "POST"])
def start() -> str | Response:
    """Step 1: why you are coming."""
    return _step(STEPS[0])


def step(slug: str) -> str | Response:
    """Steps 2 to 4: warning signs, health conditions, about your problem."""
    return _step(STEP_BY_SLUG[slug])


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


def _progress() -> dict[str, Any]:
    """The screening in progress: entered data per step, the steps done, errors to show."""
    progress: dict[str, Any] = {"data": {}, "done": [], "errors": {}}
    progress.update(session.get(SESSION_KEY, {}))
    return progress


def _url(step: Step) -> str:
    """The address of a step."""
    return url_for("screening.start") if step is STEPS[0] else url_for("screening.step", slug=step.slug)


def _go(step: Step) -> Response:
    """Send the browser to a step (303: the next request is a GET)."""
    return redirect(_url(step), code=303)


def _step(step: Step) -> str | Response:
    """Show a step with the answers kept, or take its answers and move on."""
    progress = _progress()
    index = STEPS.index(step)
    skipped = next((s for s in STEPS[:index] if s.slug not in progress["done"]), None)
    if skipped is not None:
        return _go(skipped)
    if request.method == "POST":
        return _submit(step, progress)
    form = step.form(data=progress["data"].get(step.slug, {}))
    remove_unasked(form, answers_from(progress["data"]))
    errors = progress["errors"]
    add_errors(form, {key: errors.pop(key) for key in step.keys & errors.keys()})
    session[SESSION_KEY] = progress
    return _render(step, form)


def _submit(step: Step, progress: dict[str, Any]) -> str | Response:
    """Keep what was entered; go back, show the errors, go on, or finish."""
    index = STEPS.index(step)
    form = step.form()
    remove_unasked(form, answers_from(progress["data"]))
    progress["data"][step.slug] = form_data(form)
    progress["done"] = [slug for slug in progress["done"] if slug != step.slug]
    going_back = request.form.get("action") == "back" and index > 0
    valid = not going_back and form.validate()
    if valid:
        progress["done"].append(step.slug)
    session[SESSION_KEY] = progress
    if going_back:
        return _go(STEPS[index - 1])
    if not valid:
        return _render(step, form)
    if step is not STEPS[-1]:
        return _go(STEPS[index + 1])
    return _finish(step, form, progress)


def _finish(step: Step, form: FlaskForm, progress: dict[str, Any]) -> str | Response:
    """Screen the answers; on success forget them and show the recommendation."""
    try:
        screening = create_screening(answers_from(progress["data"]))
    except ScreeningError as error:
        first = next(s for s in STEPS if s.keys & error.errors.keys())
        progress["done"] = [s.slug for s in STEPS[:STEPS.index(first)]]
        if first is step:
            add_errors(form, error.errors)
        else:
            progress["errors"] = error.errors
        session[SESSION_KEY] = progress
        return _render(step, form) if first is step else _go(first)
    session.pop(SESSION_KEY, None)
    return redirect(url_for("screening.result", screening_id=screening.id), code=303)


def _render(step: Step, form: FlaskForm) -> str:
    """The page of a step."""
    return render_template(f"screening/{step.slug}.html", form=form, step=step,
                           number=STEPS.index(step) + 1, total=len(STEPS),
                           action=_url(step), concern_groups=CONCERN_GROUPS)
