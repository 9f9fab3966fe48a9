"""The plan page, for admins and the plan's two therapists: its sessions, one timeline, pain over the course.

Who may open a plan or hand off on it is ``booking.policy``'s: a therapist
opens only the plans they share (any other answers 404, as an unknown one
does); an admin opens any, and changes or books it on the admin page. Every view writes an audit row, stored once the page is rendered.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from booking import policy
from booking.clinic.clock import moment
from booking.clinic.times import local_time
from booking.flows.charts import plan_figures
from booking.forms import ClinicForm, required
from booking.forms.fields import listed_choice
from booking.models import Appointment, AppointmentStatus, CarePlan
from booking.services import audit
from booking.services.care_plans import progress
from booking.services.care_plans import work as plan_work
from booking.services.care_plans.notes import HANDOFF, NOTE_LENGTH, NoteError, write_note
from booking.services.privacy import corrections
from booking.staff import bp
from booking.staff.access import staff_required


class HandoffForm(ClinicForm):
    """A handoff note for the plan's other therapist, written on one of the writer's own sessions."""

    visit = SelectField("About your session", validate_choice=False,
                        validators=[listed_choice("Choose one of your sessions of this plan.")])
    body = TextAreaField("Handoff note", validators=[
        DataRequired("Write the note before saving it."),
        Length(max=NOTE_LENGTH, message=f"A note can be at most {NOTE_LENGTH} characters long.")])

    def offer(self, visits: list[Appointment]) -> HandoffForm:
        """Offer the signed-in therapist's sessions that took or will take place; the latest begun one first."""
        own = [visit for visit in visits if policy.may_write_on_visit(current_user, visit)
               and visit.status != AppointmentStatus.CANCELLED]
        self.visit.choices = [SelectChoice(str(visit.id), f"{visit.service.name}, {local_time(visit.starts_at)}")
                              for visit in sorted(own, key=_latest_begun_first)]
        return self


def _latest_begun_first(visit: Appointment) -> tuple[bool, float]:
    """Sort key: sessions that have begun (latest first), then those to come (soonest first)."""
    begun = visit.status != AppointmentStatus.BOOKED or visit.starts_at <= moment()
    stamp = visit.starts_at.timestamp()
    return (not begun, -stamp if begun else stamp)


def _plan_or_404(plan_id: int) -> CarePlan:
    """The plan if the signed-in staff member may open it, or a 404 page."""
    return plan_work.plan_for(current_user, plan_id) or abort(404)


def _page(plan: CarePlan, form: HandoffForm | None = None, status: int = 200) -> tuple[str, int]:
    """The plan page, then its audit row."""
    visits = plan_work.visits_of(plan)
    shares = policy.may_hand_off(current_user, plan)
    form = form or HandoffForm(formdata=None)
    page = render_template(
        "staff/care_plan.html", plan=plan, sessions=plan_work.sessions_of(visits),
        timeline=plan_work.timeline(plan, visits), figures=plan_figures(plan, visits), flag=progress.flag_of(plan),
        form=form.offer(visits) if shares else None,
        other=plan.massage_therapist if current_user.therapist_id == plan.physiotherapist_id
        else plan.physiotherapist, marks=corrections.marks_of(plan.patient_id) if plan.patient_id else None)
    audit.viewed("care_plan", plan.id, "plan page")
    return page, status


@bp.route("/care-plans")
@staff_required(policy.is_therapist)
def care_plans() -> str:
    """The plans the signed-in therapist shares with another therapist, with their outcome flags."""
    plans = plan_work.plans_of(current_user)
    flags = progress.flags(plan.id for plan in plans)
    audit.viewed_each("care_plan", flags, "outcome flag on the list of plans")
    return render_template("staff/care_plans.html", plans=plans, flags=flags)


@bp.route("/care-plans/<int:id>")
@staff_required(policy.may_use_staff_pages)
def care_plan(id: int) -> tuple[str, int]:  # noqa: A002 (the access test's name for a record's id)
    """A plan's sessions, timeline and outcomes."""
    return _page(_plan_or_404(id))


@bp.route("/care-plans/<int:id>/handoff", methods=["POST"])
@staff_required(policy.is_therapist)
def handoff(id: int) -> Response | tuple[str, int]:  # noqa: A002
    """Write a handoff note for the plan's other therapist; what was typed is kept on an error."""
    plan = _plan_or_404(id)
    if not policy.may_hand_off(current_user, plan):
        abort(404)
    visits = plan_work.visits_of(plan)
    form = HandoffForm().offer(visits)
    if form.validate():
        visit = next(visit for visit in visits if str(visit.id) == form.visit.data)
        try:
            write_note(visit, current_user, required(form.body.data), kind=HANDOFF)
        except NoteError as error:
            form.body.errors = [str(error)]
        else:
            flash("Your handoff note is saved; the other therapist is told.")
            return redirect(url_for("staff.care_plan", id=plan.id, _anchor="timeline"), 303)
    return _page(plan, form, status=400)
