"""A care plan's course: the plan finder's proposal over both therapists' calendars, and booking it in one step.

A course is booked through ``book_course``, all visits or none; the plan's notices to
both therapists and each visit's ``care_plan_id`` are written in that booking's own
transaction (``CourseRequest.also``). One Idempotency-Key covers the whole course.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

from booking import scheduling
from booking.clinic.clock import moment
from booking.clinic.times import clinic_zone
from booking.database import lock
from booking.extensions import db
from booking.models import Appointment, CarePlan, CarePlanEvent, CarePlanStatus, Notification, Service, StaffUser
from booking.policy import require_run_care_plans
from booking.scheduling.plans import MASSAGE, PHYSIOTHERAPY, Course, PlanProposal, PlanRequest, propose_plan
from booking.services import audit
from booking.services.care_plans import plans as care_plans
from booking.services.care_plans.work import visits_of
from booking.services.visits import (
    Booked,
    CourseRequest,
    PatientDetails,
    VisitRequest,
    availability,
    book_course,
    manage_token,
)
from booking.services.visits.calendars import load_calendars, window


def _course(plan: CarePlan, service: Service, therapist_id: int, sessions: int, cadence: int,
            last_day: date) -> Course:
    """One discipline of the plan with its therapist's calendar loaded from the plan's start to ``last_day``."""
    span = window(service, plan.starts_on, last_day)
    found = load_calendars(service.therapy_type, span, therapist_id=therapist_id)
    calendar = found[0] if found else scheduling.TherapistCalendar(therapist_id, [], [], [])
    return Course(calendar, service.duration, service.buffer, sessions, cadence)


def propose(plan: CarePlan, now: datetime | None = None) -> PlanProposal:
    """The plan's course as the plan finder proposes it over both therapists' calendars as they stand."""
    now = moment(now)
    rules = availability.slot_rules()
    # Each session's target is a cadence after the day the one before was proposed on, itself up to the
    # tolerance after its target: the finder may look at days up to sessions * (cadence + tolerance) on.
    reach = max(sessions * (cadence + plan.tolerance_days) for sessions, cadence in (
        (plan.physio_sessions, plan.physio_cadence_days), (plan.massage_sessions, plan.massage_cadence_days)))
    last_day = min(plan.starts_on + timedelta(days=reach), rules.latest(now).astimezone(clinic_zone()).date())
    last_day = max(last_day, plan.starts_on)
    return propose_plan(PlanRequest(
        physiotherapy=_course(plan, plan.physio_service, plan.physiotherapist_id, plan.physio_sessions,
                              plan.physio_cadence_days, last_day),
        massage=_course(plan, plan.massage_service, plan.massage_therapist_id, plan.massage_sessions,
                        plan.massage_cadence_days, last_day),
        start=plan.starts_on, tolerance_days=plan.tolerance_days, back_to_back=plan.back_to_back, now=now,
        tz=clinic_zone(), rules=rules))


def course_digest(proposal: PlanProposal) -> str:
    """A digest of the proposed visits (kind, therapist, start): a booking must be of the course shown."""
    visits = [[visit.discipline, visit.therapist_id, visit.starts_at.isoformat()] for visit in proposal.visits]
    return hashlib.sha256(json.dumps(visits).encode()).hexdigest()


def replay(plan: CarePlan, idempotency_key: str | None) -> list[Booked] | None:
    """The plan's visits if its course was booked with this Idempotency-Key (the same booking sent again), else None."""
    visits = visits_of(plan) if idempotency_key else []
    if not any(visit.idempotency_key == idempotency_key for visit in visits):
        return None
    return [Booked(visit, manage_token(visit), replayed=True) for visit in visits]


def unbookable(plan: CarePlan) -> str | None:
    """Why the plan's course cannot be booked now (not active, or booked already), or None."""
    if plan.status != CarePlanStatus.ACTIVE:
        return f"This plan is {plan.status}: make it active to book its course."
    if visits_of(plan):
        return "This plan's course is already booked."
    return None


def book_plan(plan: CarePlan, proposal: PlanProposal, patient: PatientDetails, by: StaffUser, *,
              idempotency_key: str | None = None, now: datetime | None = None) -> list[Booked]:
    """Book every proposed visit in one transaction, all or none, with the plan's notices to both therapists.

    One Idempotency-Key covers the whole course: sent again, it answers the
    course it booked (``replay``), nothing booked twice. The course goes on the plan's patient record when it
    has one (the screening's earlier booking), not on a new one. Raises the errors of
    ``book_course`` (InvalidBooking, SlotTaken), InvalidPlan when nothing is proposed and
    Refused for anyone but an admin.
    """
    require_run_care_plans(by)
    now = moment(now)
    replayed = replay(plan, idempotency_key)
    if replayed:
        return replayed
    if not proposal.visits:
        raise care_plans.InvalidPlan({"course": "The plan finder proposed no visits: change the plan first."})
    lock(plan)  # a change of the plan's status waits for the booking, or the booking for it
    problem = unbookable(plan)
    if problem:
        db.session.rollback()
        raise care_plans.InvalidPlan({"course": problem})
    codes = {PHYSIOTHERAPY: plan.physio_service.code, MASSAGE: plan.massage_service.code}

    def tell_therapists(visits: list[Appointment]) -> list[Notification]:
        """The plan's audit row and notices, written in the booking's transaction (again on a retry)."""
        cause = audit.record("booked", "care_plan", plan.id, f"{len(visits)} visits", actor=by, at=now)
        return care_plans.tell_therapists(plan, CarePlanEvent.PLAN_CREATED, cause)

    request = CourseRequest(screening_id=str(plan.screening_id), patient=patient, booked_by=by,
                            visits=tuple(VisitRequest(codes[visit.discipline], visit.therapist_id, visit.starts_at)
                                         for visit in proposal.visits),
                            care_plan_id=plan.id, also=tell_therapists, idempotency_key=idempotency_key,
                            patient_id=plan.patient_id)
    booked = book_course(request, now=now)
    plan.patient_id = booked[0].appointment.patient_id
    db.session.commit()
    return booked
