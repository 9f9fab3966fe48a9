"""The screening in the patient flow: four short steps, then the recommendation page.

The answers in progress are kept on the server as a draft that expires (see
booking.services.screenings), never in a URL: the signed session cookie holds only the
draft's random token. A draft holds, for each step, what was entered on it, which steps
passed their checks, and any error the routing engine found that belongs to a step the
patient has to go back to. Each step's answers are checked when the step is sent, so an
error shows on the step it is about. As soon as the answers given make the outcome
refer_out certain (a red flag), the screening is stored and its advice shown: nothing more
is asked.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from booking.extensions import limiter
from booking.limits import screening_limit
from booking.routing import ScreeningError, refer_out_certain, validate_answers
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
from booking.services.screenings import (
    create_screening,
    get_screening,
    load_draft,
    recommendation_of,
    save_draft,
)

bp = Blueprint("screening", __name__, url_prefix="/screening")

SESSION_KEY = "screening_draft"
PREFERENCES = {option["code"]: option["text"] for option in QUESTION["preference"]["options"]}
LOST = ("Your earlier answers are no longer saved: we keep unfinished answers for 2 hours only. "
        "Please answer the questions again from the start.")


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(screening_limit, methods=["POST"])
def start() -> str | Response:
    """Step 1: why you are coming. Sending it starts a screening, so it counts against the
    screening rate limit, as the API's screenings do."""
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


def _progress(step: Step) -> dict[str, Any]:
    """The screening in progress: entered data per step, the steps done, errors to show.

    When the session's draft has expired (or is gone), or a later step is sent without any
    draft, the patient is told plainly that the answers must be given again.
    """
    progress: dict[str, Any] = {"data": {}, "done": [], "errors": {}}
    token = session.get(SESSION_KEY)
    saved = load_draft(token) if token else None
    if saved is not None:
        progress.update(saved)
    elif token or (request.method == "POST" and step is not STEPS[0]):
        session.pop(SESSION_KEY, None)
        flash(LOST)
    return progress


def _save(progress: dict[str, Any]) -> None:
    """Keep the progress in the session's draft (a new one if needed); the cookie gets only its token."""
    session[SESSION_KEY] = save_draft(session.get(SESSION_KEY), progress)


def _url(step: Step) -> str:
    """The address of a step."""
    return url_for("screening.start") if step is STEPS[0] else url_for("screening.step", slug=step.slug)


def _go(step: Step) -> Response:
    """Send the browser to a step (303: the next request is a GET)."""
    return redirect(_url(step), code=303)


def _step(step: Step) -> str | Response:
    """Show a step with the answers kept, or take its answers and move on."""
    progress = _progress(step)
    index = STEPS.index(step)
    skipped = next((s for s in STEPS[:index] if s.slug not in progress["done"]), None)
    if skipped is not None:
        return _go(skipped)
    if request.method == "POST":
        return _submit(step, progress)
    form = step.form(data=progress["data"].get(step.slug, {}))
    remove_unasked(form, answers_from(progress["data"], STEPS[:index]))
    waiting = {key: progress["errors"].pop(key) for key in step.keys & progress["errors"].keys()}
    if waiting:
        add_errors(form, waiting)
        _save(progress)
    return _render(step, form)


def _submit(step: Step, progress: dict[str, Any]) -> str | Response:
    """Keep what was entered; go back, show the errors, go on, or finish."""
    index = STEPS.index(step)
    form = step.form()
    remove_unasked(form, answers_from(progress["data"], STEPS[:index]))
    progress["data"][step.slug] = form_data(form)
    progress["done"] = [slug for slug in progress["done"] if slug != step.slug]
    if request.form.get("action") == "back" and index > 0:
        _save(progress)
        return _go(STEPS[index - 1])
    if not form.validate():
        _save(progress)
        return _render(step, form)
    answers = answers_from(progress["data"], STEPS[:index + 1])
    try:
        validated = validate_answers(answers)
    except ScreeningError as error:
        return _checked(step, form, progress, error.errors)
    if step is STEPS[-1] or refer_out_certain(validated):
        screening = create_screening(answers, draft=session.pop(SESSION_KEY, None))
        return redirect(url_for("screening.result", screening_id=screening.id), code=303)
    return _checked(step, form, progress, {})


def _checked(step: Step, form: FlaskForm, progress: dict[str, Any], errors: dict[str, str]) -> str | Response:
    """Show the errors about this step here, send the patient back to an earlier step that has one,
    or go on: an error about a question still to come (weeks since surgery) waits for its step."""
    index = STEPS.index(step)
    first = next((s for s in STEPS[:index + 1] if s.keys & errors.keys()), None)
    if first is None:
        progress["done"].append(step.slug)
        _save(progress)
        return _go(STEPS[index + 1])
    progress["done"] = [s.slug for s in STEPS[:STEPS.index(first)]]
    if first is step:
        add_errors(form, errors)
    else:
        progress["errors"] = errors
    _save(progress)
    return _render(step, form) if first is step else _go(first)


def _render(step: Step, form: FlaskForm) -> str:
    """The page of a step."""
    return render_template(f"screening/{step.slug}.html", form=form, step=step,
                           number=STEPS.index(step) + 1, total=len(STEPS),
                           action=_url(step), concern_groups=CONCERN_GROUPS)
