"""Combined-care plans: dismissing a queued screening (the queue: ``plan_queue``), making and changing a plan
(its course: ``plan_course``).

Creating, changing and dismissing are an admin's (``booking.policy``; anyone else
raises Refused) and audited; the goals (health information) never reach the audit
detail, a log line or a notification.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from booking import outbox
from booking.clinic.clock import moment
from booking.clinic.limits import DISMISSAL_REASON_LENGTH
from booking.database import get_or_none, lock
from booking.extensions import db
from booking.models import (
    Appointment,
    AuditEvent,
    CarePlan,
    CarePlanDismissal,
    CarePlanEvent,
    CarePlanStatus,
    Notification,
    Patient,
    Screening,
    Service,
    StaffUser,
    Therapist,
)
from booking.outbox import relay
from booking.policy import require_run_care_plans
from booking.scheduling import qualifications
from booking.scheduling.plans import MASSAGE, PHYSIOTHERAPY
from booking.services import audit
from booking.services.care_plans.queue import details_of, earlier_patient_id, queued_screening
from booking.services.care_plans.work import sessions_of, visits_of
from booking.services.visits import ChangeNotAllowed, PatientDetails, availability, cancel_together
from booking.services.visits.requests import MAX_VISITS

MAX_SESSIONS = 12
MAX_CADENCE_DAYS = 28
NUMBERS = ("physio_sessions", "physio_cadence_days", "massage_sessions", "massage_cadence_days", "tolerance_days")
# Everything a plan says but its goals: who gives it and its schedule, fixed once the course is booked.
TERMS = ("physiotherapist_id", "massage_therapist_id", "physio_service_id", "massage_service_id", *NUMBERS,
         "back_to_back", "starts_on")
PLAN_CANCELLED = "The care plan was cancelled."
BOOKED_TERMS = ("The course is booked, so its therapists, services and schedule stay as they are: move or "
                "cancel its visits one by one instead.")


@dataclass(frozen=True)
class PlanDetails:
    """What a plan says, as the admin's form gives it."""

    physiotherapist_id: int
    massage_therapist_id: int
    physio_service_id: int
    massage_service_id: int
    goals: str
    physio_sessions: int
    physio_cadence_days: int
    massage_sessions: int
    massage_cadence_days: int
    tolerance_days: int
    back_to_back: bool
    starts_on: date


class InvalidPlan(ValueError):
    """A plan that cannot be stored as given; ``errors`` names each field's problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid care plan")
        self.errors = errors


def _decide(screening: Screening) -> None:
    """Lock the queued screening for this transaction, so that one decision is stored; NoLongerQueued if taken."""
    lock(screening)
    queued_screening(screening.id)


def dismiss(screening: Screening, reason: str, by: StaffUser) -> CarePlanDismissal:
    """Take a queued screening off the queue with a reason (audited).

    Raises InvalidPlan for a bad reason, NoLongerQueued when another admin decided the screening meanwhile.
    """
    require_run_care_plans(by)
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidPlan({"reason": "Say why this screening needs no care plan."})
    if len(reason) > DISMISSAL_REASON_LENGTH or not reason.isprintable():
        raise InvalidPlan({"reason": f"Give a reason of at most {DISMISSAL_REASON_LENGTH} printable characters."})
    _decide(screening)
    dismissal = CarePlanDismissal(screening_id=screening.id, reason=reason, dismissed_by_id=by.id,
                                  dismissed_at=moment())
    db.session.add(dismissal)
    audit.record("dismissed", "screening", screening.id, "taken off the care-plan queue", actor=by)
    db.session.commit()
    return dismissal


def therapist_problem(therapist_id: int, therapy_type: str, cautions: Collection[str]) -> str | None:
    """Why this therapist cannot take this side of the plan (for a patient with the screening's ``cautions``:
    booking.scheduling.qualifications), or None."""
    therapist = get_or_none(Therapist, therapist_id)
    if therapist is None or not therapist.active or therapist.therapy_type != therapy_type:
        return f"Choose one of our active {therapy_type} therapists."
    if not qualifications.trained(therapy_type, cautions, therapist.qualifications):
        return (f"This patient's screening calls for a {therapy_type} therapist trained in "
                f"{qualifications.in_words(therapy_type, cautions)}, and {therapist.name} is not. Choose one who is.")
    return None


def _service_problem(service_id: int, therapy_type: str) -> str | None:
    """Why this service cannot be this side of the plan, or None."""
    service = get_or_none(Service, service_id)
    if service is None or not service.active or service.therapy_type != therapy_type:
        return f"Choose one of our active {therapy_type} services."
    return None


def _number_problems(details: PlanDetails) -> dict[str, str]:
    """The sessions', cadences' and tolerance's problems, by field (they are checked together)."""
    errors: dict[str, str] = {}
    for name in ("physio_sessions", "massage_sessions"):
        if not 0 <= getattr(details, name) <= MAX_SESSIONS:
            errors[name] = f"Enter from 0 to {MAX_SESSIONS} sessions."
    for name in ("physio_cadence_days", "massage_cadence_days"):
        if not 1 <= getattr(details, name) <= MAX_CADENCE_DAYS:
            errors[name] = f"Enter a cadence of 1 to {MAX_CADENCE_DAYS} days."
    if details.physio_sessions + details.massage_sessions == 0:
        errors["physio_sessions"] = "Plan at least one session."
    elif details.physio_sessions + details.massage_sessions > MAX_VISITS:
        errors["physio_sessions"] = f"Plan at most {MAX_VISITS} sessions in all."
    longest = (availability.slot_rules().max_range_days - 1) // 2
    shortest = min([cadence for sessions, cadence in ((details.physio_sessions, details.physio_cadence_days),
                                                      (details.massage_sessions, details.massage_cadence_days))
                    if sessions > 1] or [longest + 1])
    if not 0 <= details.tolerance_days <= min(longest, shortest - 1):
        errors["tolerance_days"] = (f"Enter a tolerance of 0 to {min(longest, shortest - 1)} days, "
                                    "shorter than each cadence.")
    return errors


def _start_problem(starts_on: date, now: datetime) -> str | None:
    """Why a plan cannot start on this day (before today, or past the booking horizon), or None."""
    today, last_day = availability.bookable_days(now)
    if starts_on < today:
        return "Choose a start date from today on."
    if starts_on > last_day:
        return (f"Choose a start date up to {last_day.isoformat()}: we take bookings "
                f"{availability.slot_rules().horizon_days} days ahead.")
    return None


def _problems(details: PlanDetails, now: datetime, terms: Collection[str], cautions: Collection[str]) -> dict[str, str]:
    """Each field's problem: the goals', and those of the terms named in ``terms`` (the ones that change), for a
    patient with the screening's ``cautions``.

    A plan that has started, or whose therapist or service is no longer active, can
    still change its status or goals: its start date, therapists and services are
    checked only when they change.
    """
    problems: dict[str, str | None] = {}
    if "starts_on" in terms:
        problems["starts_on"] = _start_problem(details.starts_on, now)
    for name, kind in (("physiotherapist_id", PHYSIOTHERAPY), ("massage_therapist_id", MASSAGE)):
        if name in terms:
            problems[name] = therapist_problem(getattr(details, name), kind, cautions)
    for name, kind in (("physio_service_id", PHYSIOTHERAPY), ("massage_service_id", MASSAGE)):
        if name in terms:
            problems[name] = _service_problem(getattr(details, name), kind)
    errors = _number_problems(details) if any(name in terms for name in NUMBERS) else {}
    errors.update({name: problem for name, problem in problems.items() if problem})
    if not details.goals.strip():
        errors["goals"] = "Write the plan's goals in plain words."
    return errors


def _tidied(details: PlanDetails) -> PlanDetails:
    """The details with the goals stripped."""
    return PlanDetails(**{**_values(details), "goals": details.goals.strip()})


def check_details(details: PlanDetails, now: datetime, cautions: Collection[str]) -> PlanDetails:
    """A new plan's details (for a screening with these cautions) with the goals tidied; raises InvalidPlan naming
    every field's problem."""
    errors = _problems(details, now, TERMS, cautions)
    if errors:
        raise InvalidPlan(errors)
    return _tidied(details)


def _values(details: PlanDetails) -> dict[str, Any]:
    """The details as a dict of field name to value."""
    return {field.name: getattr(details, field.name) for field in fields(details)}


def create_plan(screening: Screening, details: PlanDetails, by: StaffUser, *,
                now: datetime | None = None) -> CarePlan:
    """Make the plan of a queued screening (audited "created"); the patient from its earlier booking, if any.

    Raises InvalidPlan naming each field's problem, NoLongerQueued when another admin decided the screening meanwhile.
    """
    require_run_care_plans(by)
    now = moment(now)
    details = check_details(details, now, screening.caution_codes)
    _decide(screening)
    plan = CarePlan(screening_id=screening.id, patient_id=earlier_patient_id(screening), created_by_id=by.id,
                    created_at=now, **_values(details))
    db.session.add(plan)
    db.session.flush()
    audit.record("created", "care_plan", plan.id, actor=by, at=now)
    db.session.commit()
    return plan


def tell_therapists(plan: CarePlan, event: CarePlanEvent, cause: AuditEvent) -> list[Notification]:
    """Notices of the plan's event to both its therapists, one occurrence per audited change."""
    db.session.flush()
    return outbox.for_care_plan(plan.id, event, f"audit-{cause.id}",
                                plan.therapist_ids, now=cause.at)


def upcoming_visits(plan: CarePlan, now: datetime | None = None) -> list[Appointment]:
    """The plan's visits still booked and to come, in order of their start."""
    return sessions_of(visits_of(plan), now).upcoming


def _status_problem(plan: CarePlan, status: str) -> str | None:
    """Why the plan cannot move to this status (an unknown one, or out of a final one), or None."""
    if status not in set(CarePlanStatus):
        return "Choose active, paused, completed or cancelled."
    if status == plan.status:
        return None
    if status not in CarePlanStatus(plan.status).next:
        return f"This plan is {plan.status.label.lower()}, which is final: its status can no longer change."
    return None


def change_plan(plan: CarePlan, details: PlanDetails, status: str, by: StaffUser, *,
                now: datetime | None = None) -> int:
    """Change a plan's terms, goals and status (audited "changed"), telling both its therapists.

    Only the terms that change are checked, and they cannot change once the course
    is booked; the status moves as ``CarePlanStatus.next`` allows. Cancelling the plan
    cancels its visits still to come in the same transaction (the patient gets one
    email of them all). Returns how many visits were cancelled with it; raises InvalidPlan
    naming each field's problem.
    """
    require_run_care_plans(by)
    now = moment(now)
    lock(plan)  # one change or booking at a time decides on the plan's status and course
    changed = [name for name in TERMS if getattr(details, name) != getattr(plan, name)]
    booked = bool(changed) and bool(visits_of(plan))
    errors = _problems(details, now, () if booked else changed, plan.screening.caution_codes)
    if booked:
        errors.update(dict.fromkeys(changed, BOOKED_TERMS))
    problem = _status_problem(plan, status)
    if problem:
        errors["status"] = problem
    if errors:
        db.session.rollback()
        raise InvalidPlan(errors)
    for name, value in _values(_tidied(details)).items():
        setattr(plan, name, value)
    detail = f"status {plan.status} to {status}" if status != plan.status else "terms"
    plan.status = CarePlanStatus(status)
    cause = audit.record("changed", "care_plan", plan.id, detail, actor=by, at=now)
    notices = tell_therapists(plan, CarePlanEvent.PLAN_CHANGED, cause)
    upcoming = upcoming_visits(plan, now) if status == CarePlanStatus.CANCELLED else []
    if not upcoming:
        db.session.commit()
        relay.hand_over(notices)
        return 0
    try:
        cancel_together(upcoming, reason=PLAN_CANCELLED, by_staff=by, now=now, also=notices)
    except ChangeNotAllowed as exc:  # one of them changed meanwhile: nothing was changed
        raise InvalidPlan({"status": f"Nothing was changed. {exc.message}"}) from exc
    return len(upcoming)


def find_plan(plan_id: int) -> CarePlan | None:
    """The plan, or None."""
    return get_or_none(CarePlan, plan_id)


def earlier_patient(plan: CarePlan) -> PatientDetails | None:
    """The plan's patient's details (from the screening's earlier booking or the course), or None."""
    return details_of(db.session.get(Patient, plan.patient_id)) if plan.patient_id else None
