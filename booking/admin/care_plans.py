"""Admins' pages for combined-care plans: the "needs a care plan" queue, making a plan, its course, booking it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from booking.admin import bp
from booking.admin.forms import InputGiven, WholeNumberField, listed_choice
from booking.forms import ClinicForm
from booking.models import CarePlan, CarePlanStatus, Screening, Service, Therapist
from booking.scheduling.plans import MASSAGE, PHYSIOTHERAPY
from booking.services import audit, care_plans, plan_course, plan_queue, plan_work
from booking.services.booking import InvalidBooking, PatientDetails, SlotTaken
from booking.services.care_plans import InvalidPlan, PlanDetails
from booking.services.plan_queue import NoLongerQueued
from booking.services.catalog import active_services, active_therapists
from booking.staff.access import staff_required
from booking.validators import EMAIL_LENGTH, KEY_LENGTH, NAME_LENGTH, PHONE_LENGTH, stripped

GOALS_LENGTH = 2000
# A new plan's form starts with massage right before physiotherapy and a day's tolerance.
NEW_PLAN = {"back_to_back": True, "tolerance_days": 1}
STATUS_CHOICES = [SelectChoice(status.value, status.value.capitalize()) for status in CarePlanStatus]


def _choices(offered: Sequence[Therapist | Service], current: Therapist | Service | None) -> list[SelectChoice]:
    """The offered therapists or services as choices, then ``current`` (a plan's own) when it is not among them."""
    listed = [*offered, current] if current is not None and current not in offered else list(offered)
    return [SelectChoice(str(item.id), item.name if item.active else f"{item.name} (no longer active)")
            for item in listed]


def _number(label: str, what: str) -> WholeNumberField:
    """A required whole number of the plan (its range is the service's to check)."""
    return WholeNumberField(label, what, validators=[InputGiven(f"Enter {what}.")])


class PlanForm(ClinicForm):
    """A plan's therapists, services, goals, sessions, cadences, tolerance, pairing and start date."""

    physiotherapist_id = SelectField("Physiotherapist", validate_choice=False,
                                     validators=[listed_choice("Choose one of our physiotherapists.")])
    physio_service_id = SelectField("Physiotherapy service", validate_choice=False,
                                    validators=[listed_choice("Choose one of our physiotherapy services.")])
    massage_therapist_id = SelectField("Massage therapist", validate_choice=False,
                                       validators=[listed_choice("Choose one of our massage therapists.")])
    massage_service_id = SelectField("Massage service", validate_choice=False,
                                     validators=[listed_choice("Choose one of our massage services.")])
    goals = TextAreaField("Goals, in plain words", filters=[stripped],
                          validators=[DataRequired("Write the plan's goals in plain words."),
                                      Length(max=GOALS_LENGTH, message=f"Keep the goals under {GOALS_LENGTH} characters.")])
    physio_sessions = _number("Physiotherapy sessions", "the number of physiotherapy sessions")
    physio_cadence_days = _number("Days between physiotherapy sessions", "the physiotherapy cadence in days")
    massage_sessions = _number("Massage sessions", "the number of massage sessions")
    massage_cadence_days = _number("Days between massage sessions", "the massage cadence in days")
    tolerance_days = _number("Tolerance in days", "the tolerance in days")
    back_to_back = BooleanField("Massage right before physiotherapy on the same day")
    starts_on = DateField("Start date", validators=[InputGiven("Enter the start date, like 2026-12-02.")])

    def offer(self, plan: CarePlan | None = None) -> PlanForm:
        """Fill the choices with the active therapists and services of each kind, and the plan's own even once
        they are no longer active (so that saving the plan keeps them); returns the form."""
        for field, kind, current in (
                (self.physiotherapist_id, PHYSIOTHERAPY, plan.physiotherapist if plan else None),
                (self.massage_therapist_id, MASSAGE, plan.massage_therapist if plan else None)):
            field.choices = _choices(active_therapists(kind), current)
        for field, kind, current in (
                (self.physio_service_id, PHYSIOTHERAPY, plan.physio_service if plan else None),
                (self.massage_service_id, MASSAGE, plan.massage_service if plan else None)):
            field.choices = _choices([service for service in active_services() if service.therapy_type == kind],
                                     current)
        return self

    def details(self, plan: CarePlan | None = None) -> PlanDetails:
        """The validated form as the service takes it; ``plan``'s own terms for those the form does not hold."""
        def term(name: str) -> Any:
            field = getattr(self, name)
            return getattr(plan, name) if field is None else field.data

        return PlanDetails(**{name: int(term(name)) for name in (
            "physiotherapist_id", "massage_therapist_id", "physio_service_id", "massage_service_id",
            *care_plans.NUMBERS)},
            goals=self.goals.data, back_to_back=term("back_to_back"), starts_on=term("starts_on"))

    def refused(self, refusal: InvalidPlan) -> None:
        """Show the service's refusal on the fields it names."""
        for name, message in refusal.errors.items():
            getattr(self, name).errors = [message]


class ChangePlanForm(PlanForm):
    """A plan's terms and its status."""

    # Any status is read; whether the plan may move to it is the service's to say.
    status = SelectField("Status", choices=STATUS_CHOICES, validate_choice=False,
                         validators=[AnyOf([status.value for status in CarePlanStatus],
                                           "Choose active, paused, completed or cancelled.")])

    terms_fixed = False

    def offer(self, plan: CarePlan | None = None) -> ChangePlanForm:
        """The plan's choices (see ``PlanForm.offer``), and of the statuses its own and those it may move to."""
        super().offer(plan)
        if plan is not None:
            current = CarePlanStatus(plan.status)
            self.status.choices = [choice for choice in STATUS_CHOICES
                                   if choice.value == current or choice.value in current.next]
        return self

    def fix_terms(self) -> ChangePlanForm:
        """Only the goals and the status: a booked plan's page shows its other terms as text (they are its own)."""
        for name in care_plans.TERMS:
            del self[name]
        self.terms_fixed = True
        return self


class DismissForm(ClinicForm):
    """Why a combined screening needs no plan."""

    reason = StringField("Reason", filters=[stripped], validators=[
        DataRequired("Say why this screening needs no care plan."),
        Length(max=care_plans.REASON_LENGTH, message=f"Keep the reason under {care_plans.REASON_LENGTH} characters.")])


class BookCourseForm(ClinicForm):
    """The course shown (its digest) and the patient's details, when no earlier booking gives them."""

    course = HiddenField()
    # One key for the whole course: the form sent twice (a double tap, a retry) books it once.
    idempotency_key = HiddenField(validators=[Length(max=KEY_LENGTH)])
    name = StringField("Patient's full name", filters=[stripped], validators=[Length(max=NAME_LENGTH)])
    email = EmailField("Patient's email", filters=[stripped], validators=[Length(max=EMAIL_LENGTH)])
    phone = TelField("Patient's phone", filters=[stripped], validators=[Length(max=PHONE_LENGTH)])


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
    return render_template("staff/admin/care_plans_new.html", screening=screening,
                           form=form or PlanForm(formdata=None, **NEW_PLAN).offer(),
                           dismiss_form=dismiss_form or DismissForm(formdata=None),
                           patient=plan_queue.screening_patient(screening))


def _change_form(plan: CarePlan, booked: bool, *, sent: bool = True) -> ChangePlanForm:
    """The form changing the plan (what was ``sent``, else the plan as it stands). Once its course is booked, only
    its goals and status, unless its terms were sent (from a page shown before the booking: they are refused)."""
    form = (ChangePlanForm(obj=plan) if sent else ChangePlanForm(formdata=None, obj=plan)).offer(plan)
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
    return render_template("staff/admin/care_plans_plan.html", plan=plan, visits=visits, proposal=proposal,
                           form=form or _change_form(plan, bool(visits), sent=False), book_form=book_form,
                           patient=care_plans.earlier_patient(plan), problem=problem,
                           upcoming=len(plan_work.sessions_of(visits).upcoming),
                           final=not CarePlanStatus(plan.status).next)


@bp.route("/care-plans", endpoint="care_plans")
@staff_required("admin")
def care_plans_queue() -> str:
    """The combined screenings that need a care plan, and the plans made."""
    waiting = plan_queue.queue()
    audit.viewed("care_plan_queue", None, f"{len(waiting)} screenings waiting")
    return render_template("staff/admin/care_plans.html", waiting=waiting, plans=plan_work.plans_of(current_user))


@bp.route("/care-plans/new/<uuid:screening_id>", methods=["GET", "POST"])
@staff_required("admin")
def new_care_plan(screening_id: object) -> str | Response:
    """Make a plan for a queued combined screening."""
    screening = _queued(screening_id)
    form = PlanForm(**NEW_PLAN).offer()
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
@staff_required("admin")
def dismiss_care_plan(screening_id: object) -> str | Response:
    """Take a queued screening off the queue with a reason."""
    screening = _queued(screening_id)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            care_plans.dismiss(screening, form.reason.data, current_user)
        except InvalidPlan as refusal:
            form.reason.errors = [refusal.errors["reason"]]
        else:
            flash("The screening was taken off the queue.")
            return redirect(url_for(".care_plans"), code=303)
    return _new_page(screening, dismiss_form=form)


@bp.route("/care-plans/<int:id>", methods=["GET", "POST"])
@staff_required("admin")
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
@staff_required("admin")
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
