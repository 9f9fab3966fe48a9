"""The screening's steps as a flow, shared by the patients' own screening and a staff member's for a caller.

A ``Flow`` says where its draft's token is kept in the session, where each step is
and which page layout it uses, and what follows a stored screening; the steps,
their checks, the early stop at a red flag and the drafts are the same for both.
The answers in progress are kept on the server as a draft that expires (see
booking.services.screenings), never in a URL: the signed session cookie holds only the
draft's random token. A draft holds, for each step, what was entered on it, which steps
passed their checks, and any error the routing engine found that belongs to a step the
patient has to go back to. Each step's answers are checked when the step is sent, so an
error shows on the step it is about. As soon as the answers given make the outcome
refer_out certain (a red flag), the screening is stored and ``finished`` decides what is
shown: nothing more is asked, and questions left unanswered on that page are not asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, session
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from booking.forms.screening import CONCERN_GROUPS, STEPS, Step, add_errors, answers_from, form_data, remove_unasked
from booking.models import Screening
from booking.routing import ScreeningError, refer_out_certain, validate_answers
from booking.services.screenings import create_screening, load_draft, save_draft

LOST = ("Your earlier answers are no longer saved: we keep unfinished answers for 2 hours only. "
        "Please answer the questions again from the start.")


def _no_lead() -> str | None:
    """Nothing said above the steps."""
    return None


@dataclass(frozen=True)
class Flow:
    """Where one kind of screening keeps its draft, shows its steps, and goes once stored; ``lead`` is a line
    shown above each step (a caller's booking: the therapist and time chosen on the calendar), or None."""

    session_key: str
    url: Callable[[Step], str]
    layout: str
    finished: Callable[[Screening], Response]
    lead: Callable[[], str | None] = field(default=_no_lead)


def show_step(flow: Flow, step: Step) -> str | Response:
    """Show a step with the answers kept, or take its answers and move on."""
    progress = _progress(flow, step)
    index = STEPS.index(step)
    skipped = next((s for s in STEPS[:index] if s.slug not in progress["done"]), None)
    if skipped is not None:
        return _go(flow, skipped)
    if request.method == "POST":
        return _submit(flow, step, progress)
    form = step.form(data=progress["data"].get(step.slug, {}))
    remove_unasked(form, answers_from(progress["data"], STEPS[:index]))
    waiting = {key: progress["errors"].pop(key) for key in step.keys & progress["errors"].keys()}
    if waiting:
        add_errors(form, waiting)
        _save(flow, progress)
    return _render(flow, step, form)


def _progress(flow: Flow, step: Step) -> dict[str, Any]:
    """The screening in progress: entered data per step, the steps done, errors to show.

    When the session's draft has expired (or is gone), or a later step is sent without any
    draft, the patient is told plainly that the answers must be given again.
    """
    progress: dict[str, Any] = {"data": {}, "done": [], "errors": {}}
    token = session.get(flow.session_key)
    saved = load_draft(token) if token else None
    if saved is not None:
        progress.update(saved)
    elif token or (request.method == "POST" and step is not STEPS[0]):
        session.pop(flow.session_key, None)
        flash(LOST)
    return progress


def _save(flow: Flow, progress: dict[str, Any]) -> None:
    """Keep the progress in the session's draft (a new one if needed); the cookie gets only its token."""
    session[flow.session_key] = save_draft(session.get(flow.session_key), progress)


def _go(flow: Flow, step: Step) -> Response:
    """Send the browser to a step (303: the next request is a GET)."""
    return redirect(flow.url(step), code=303)


def _submit(flow: Flow, step: Step, progress: dict[str, Any]) -> str | Response:
    """Keep what was entered; go back, show the errors, go on, or finish."""
    index = STEPS.index(step)
    form = step.form()
    remove_unasked(form, answers_from(progress["data"], STEPS[:index]))
    progress["data"][step.slug] = form_data(form)
    progress["done"] = [slug for slug in progress["done"] if slug != step.slug]
    if request.form.get("action") == "back" and index > 0:
        _save(flow, progress)
        return _go(flow, STEPS[index - 1])
    answers = answers_from(progress["data"], STEPS[:index + 1])
    if not (form.validate() or _decided(answers)):
        _save(flow, progress)
        return _render(flow, step, form)
    try:
        validated = validate_answers(answers)
    except ScreeningError as error:
        return _checked(flow, step, form, progress, error.errors)
    if step is STEPS[-1] or refer_out_certain(validated):
        screening = create_screening(answers, draft=session.pop(flow.session_key, None))
        return flow.finished(screening)
    return _checked(flow, step, form, progress, {})


def _decided(answers: dict[str, Any]) -> bool:
    """Whether the answers given so far already make the outcome refer_out (a red flag answered yes),
    so that the questions left unanswered on this page are not asked for: the advice comes at once."""
    try:
        return refer_out_certain(validate_answers(answers))
    except ScreeningError:
        return False


def _checked(flow: Flow, step: Step, form: FlaskForm, progress: dict[str, Any],
             errors: dict[str, str]) -> str | Response:
    """Show the errors about this step here, send the patient back to an earlier step that has one,
    or go on: an error about a question still to come (weeks since surgery) waits for its step."""
    index = STEPS.index(step)
    first = next((s for s in STEPS[:index + 1] if s.keys & errors.keys()), None)
    if first is None:
        progress["done"].append(step.slug)
        _save(flow, progress)
        return _go(flow, STEPS[index + 1])
    progress["done"] = [s.slug for s in STEPS[:STEPS.index(first)]]
    if first is step:
        add_errors(form, errors)
    else:
        progress["errors"] = errors
    _save(flow, progress)
    return _render(flow, step, form) if first is step else _go(flow, first)


def _render(flow: Flow, step: Step, form: FlaskForm) -> str:
    """The page of a step, in the flow's layout."""
    return render_template(f"screening/{step.slug}.html", form=form, step=step, layout=flow.layout,
                           number=STEPS.index(step) + 1, total=len(STEPS),
                           action=flow.url(step), concern_groups=CONCERN_GROUPS, lead=flow.lead())
