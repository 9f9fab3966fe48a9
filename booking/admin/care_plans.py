"""Admins' pages for combined-care plans: the "needs a care plan" queue, making a plan, its course, booking it."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking import policy
from booking.admin import bp
from booking.admin.care_plan_forms import NEW_PLAN, BookCourseForm, ChangePlanForm, DismissForm, PlanForm
from booking.admin.phone import CallerJoinForm
from booking.flows.charts import plan_figures
from booking.flows.waitlist import Joiner, join_step, waited_for
from booking.forms import required
from booking.models import CarePlan, CarePlanStatus, Screening
from booking.services import audit
from booking.services.care_plans import course as plan_course
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans import progress
from booking.services.care_plans import queue as plan_queue
from booking.services.care_plans import work as plan_work
from booking.services.care_plans.plans import InvalidPlan
from booking.services.care_plans.queue import NoLongerQueued
from booking.services.visits import InvalidBooking, PatientDetails, SlotTaken
from booking.staff.access import staff_required
from booking.waitlist.rules import PARTS_OF_DAY


def _queued(screening_id: object) -> Screening:
    """The screening if it is waiting for a plan; 404 when there is no such combined screening.

    Raises NoLongerQueued when it has its plan or was dismissed (answered by ``_decided``).
    """
    screening = plan_queue.queued_screening(screening_id)
    if screening is None:
        abort(404)
    return screening


@bp.errorhandler(NoLongerQueued)
def _decided(_: NoLongerQueued) -> Response:
    """Back to the queue, saying why: another admin decided this screening, meanwhile or before."""
    flash("This screening already has its plan or was taken off the queue (by another admin): see the plans below.")
    return redirect(url_for(".care_plans"), code=303)


def _plan(plan_id: int) -> CarePlan:
    """The plan, or 404."""
    plan = care_plans.find_plan(plan_id)
    if plan is None:
        abort(404)
    return plan


def _new_page(screening: Screening, form: PlanForm | None = None, dismiss_form: DismissForm | None = None) -> str:
    """The "make a plan" page of a queued screening, with its dismiss form."""
    audit.viewed("screening", screening.id, "queued for a care plan")
    return render_template("admin/care_plans_new.html", screening=screening,
                           form=form or PlanForm(formdata=None, **NEW_PLAN).offer(screening.caution_codes),
                           dismiss_form=dismiss_form or DismissForm(formdata=None),
                           patient=plan_queue.screening_patient(screening))


def _change_form(plan: CarePlan, booked: bool, *, sent: bool = True) -> ChangePlanForm:
    """The form changing the plan (what was ``sent``, else the plan as it stands). Once its course is booked, only
    its goals and status, unless its terms were sent (from a page shown before the booking: they are refused)."""
    form = (ChangePlanForm(obj=plan) if sent else ChangePlanForm(formdata=None, obj=plan)).offer(
        plan.screening.caution_codes, plan)
    if booked and not (sent and any(name in request.form for name in care_plans.TERMS)):
        form.fix_terms()
    return form


def _plan_page(plan: CarePlan, form: ChangePlanForm | None = None, book_form: BookCourseForm | None = None,
               problem: str | None = None) -> str:
    """A plan's page: its terms (a form to change them), its booked visits or its proposed course."""
    visits = plan_work.visits_of(plan)
    proposal = None if visits else plan_course.propose(plan)
    book_form = book_form or BookCourseForm(formdata=None)
    if proposal is not None:
        book_form.course.data = plan_course.course_digest(proposal)
        book_form.idempotency_key.data = book_form.idempotency_key.data or uuid.uuid4().hex
    audit.viewed("care_plan", plan.id)
    return render_template("admin/care_plans_plan.html", plan=plan, visits=visits, proposal=proposal,
                           form=form or _change_form(plan, bool(visits), sent=False), book_form=book_form,
                           patient=care_plans.earlier_patient(plan), problem=problem,
                           upcoming=len(plan_work.sessions_of(visits).upcoming), figures=plan_figures(plan, visits),
                           flag=progress.flag_of(plan),
                           final=not CarePlanStatus(plan.status).next)


@bp.route("/care-plans", endpoint="care_plans")
@staff_required(policy.may_run_care_plans)
def care_plans_queue() -> str:
    """The combined screenings that need a care plan, and the plans made."""
    waiting = plan_queue.queue(current_user)
    plans = plan_work.plans_of(current_user)
    flags = progress.flags(plan.id for plan in plans)
    audit.viewed("care_plan_queue", None, f"{len(waiting)} screenings waiting")
    audit.viewed_each("care_plan", flags, "outcome flag on the list of plans")
    return render_template("admin/care_plans.html", waiting=waiting, plans=plans, flags=flags)


@bp.route("/care-plans/new/<uuid:screening_id>", methods=["GET", "POST"])
@staff_required(policy.may_run_care_plans)
def new_care_plan(screening_id: object) -> str | Response:
    """Make a plan for a queued combined screening."""
    screening = _queued(screening_id)
    form = PlanForm(**NEW_PLAN).offer(screening.caution_codes)
    if form.validate_on_submit():
        try:
            plan = care_plans.create_plan(screening, form.details(), current_user)
        except InvalidPlan as refusal:
            form.refused(refusal)
        else:
            flash("The plan was made. Check its proposed course, then book it.")
            return redirect(url_for(".care_plan", id=plan.id), code=303)
    return _new_page(screening, form=form)


@bp.route("/care-plans/new/<uuid:screening_id>/dismiss", methods=["POST"])
@staff_required(policy.may_run_care_plans)
def dismiss_care_plan(screening_id: object) -> str | Response:
    """Take a queued screening off the queue with a reason."""
    screening = _queued(screening_id)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            care_plans.dismiss(screening, required(form.reason.data), current_user)
        except InvalidPlan as refusal:
            form.reason.errors = [refusal.errors["reason"]]
        else:
            flash("The screening was taken off the queue.")
            return redirect(url_for(".care_plans"), code=303)
    return _new_page(screening, dismiss_form=form)


@bp.route("/care-plans/<int:id>", methods=["GET", "POST"])
@staff_required(policy.may_run_care_plans)
def care_plan(id: int) -> str | Response:  # noqa: A002 (the access test's name for a record's id)
    """A plan: change its terms and status; see its proposed course or its visits."""
    plan = _plan(id)
    form = _change_form(plan, bool(plan_work.visits_of(plan)))
    if form.validate_on_submit():
        try:
            cancelled = care_plans.change_plan(plan, form.details(plan), form.status.data, current_user)
        except InvalidPlan as refusal:
            form.refused(refusal)
        else:
            visits = "visit" if cancelled == 1 else f"{cancelled} visits"
            flash(f"The plan and its {visits} still to come are cancelled; the patient is emailed." if cancelled
                  else "The plan was changed.")
            return redirect(url_for(".care_plan", id=plan.id), code=303)
    return _plan_page(plan, form=form)


@bp.route("/care-plans/<int:id>/book", methods=["POST"])
@staff_required(policy.may_run_care_plans)
def book_care_plan(id: int) -> str | Response:  # noqa: A002
    """Book the whole proposed course at once: every visit or none."""
    plan = _plan(id)
    form = BookCourseForm()
    if not form.validate_on_submit():
        return _plan_page(plan, book_form=form)
    key = form.idempotency_key.data or None
    if plan_course.replay(plan, key):
        flash("The whole course is booked (it was booked when this form was first sent).")
        return redirect(url_for(".care_plan", id=plan.id), code=303)
    patient = care_plans.earlier_patient(plan) or PatientDetails(form.name.data or "", form.email.data or "",
                                                                 form.phone.data or "")
    if plan_course.unbookable(plan):
        return _plan_page(plan, book_form=form, problem=plan_course.unbookable(plan))
    proposal = plan_course.propose(plan)
    if form.course.data != plan_course.course_digest(proposal):
        return _plan_page(plan, book_form=form, problem="The proposed course changed since the page was shown "
                                                        "(a time was taken or the plan changed). Nothing was booked: "
                                                        "check the course below and book it again.")
    try:
        booked = plan_course.book_plan(plan, proposal, patient, current_user, idempotency_key=key)
    except InvalidBooking as refusal:
        for name, message in refusal.errors.items():
            field = getattr(form, name.removeprefix("patient."), None)
            if field is not None:
                field.errors = [message]
        problem = next((message for name, message in refusal.errors.items() if not name.startswith("patient.")),
                       None)
        return _plan_page(plan, book_form=form, problem=problem)
    except SlotTaken as taken:
        return _plan_page(plan, book_form=form, problem=f"{taken.message} Nothing was booked: the course below "
                                                        "is proposed again from the calendars as they are now.")
    except InvalidPlan as refusal:
        return _plan_page(plan, book_form=form, problem=refusal.errors["course"])
    flash(f"The whole course is booked: {len(booked)} visits.")
    return redirect(url_for(".care_plan", id=plan.id), code=303)


@bp.route("/care-plans/<int:id>/waitlist", methods=["GET", "POST"])
@staff_required(policy.may_run_care_plans)
def care_plan_waitlist(id: int) -> str | Response:  # noqa: A002
    """A session of the plan that could not be placed waits on the list as the plan's entry (ahead of everyone):
    ``discipline`` says which (its service and, to start with, its therapist); the patient is the plan's."""
    plan = _plan(id)
    massage = request.args.get("discipline") == "massage"  # in the query of the page and of its form's action
    service, therapist = ((plan.massage_service, plan.massage_therapist) if massage
                          else (plan.physio_service, plan.physiotherapist))
    waited = waited_for(plan.screening, service.code) or abort(404)
    every = {"days": [str(day) for day in range(7)], "parts": [part.name for part in PARTS_OF_DAY],
             "therapist": str(therapist.id)}
    step = join_step(plan.screening, waited, CallerJoinForm, Joiner(
        by=current_user, patient=plan.patient, care_plan_id=plan.id, known=every))
    if step.joined is None:
        return render_template("admin/waitlist_join.html", step=step, plan=plan,
                               heading=f"Put a {service.therapy_type} session of the plan on the waitlist",
                               action=url_for(".care_plan_waitlist", id=plan.id, discipline=service.therapy_type),
                               back=url_for(".care_plan", id=plan.id))
    flash("The session is on the waitlist, ahead of everyone else: it is offered the first time that suits.")
    return redirect(url_for(".care_plan", id=plan.id), code=303)
