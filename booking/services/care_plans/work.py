"""Working a combined-care plan: who may open it, its sessions, one timeline of notes and changes, pain over time.

The plan page is for admins and the plan's two therapists (``booking.policy``
says so); anyone else is answered as if the plan did not exist. Everything here reads; the writes are
the notes service's (notes, handoff notes, outcomes) and the booking's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.database import get_or_none
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, AuditEvent, CarePlan, StaffUser, VisitNote, VisitOutcome
from booking.policy import may_open_plan, plans_visible_to

PLAN_EVENTS = {"created": "Plan made", "booked": "Course booked", "changed": "Plan changed"}
OUTCOME_EVENTS = {"status: completed": "Session completed", "status: no_show": "Session missed"}


@dataclass(frozen=True)
class Sessions:
    """The plan's visits by where they stand (each list in order of time)."""

    upcoming: list[Appointment] = field(default_factory=list)
    to_mark: list[Appointment] = field(default_factory=list)
    done: list[Appointment] = field(default_factory=list)
    missed: list[Appointment] = field(default_factory=list)
    cancelled: list[Appointment] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """One line of the plan's timeline: when, what, by whom, and the note's text or the change's words."""

    at: datetime
    what: str
    by: str
    text: str = ""
    visit: Appointment | None = None
    handoff: bool = False


@dataclass(frozen=True)
class PainPoint:
    """One recorded outcome: the session, its discipline, pain now and the function note."""

    visit: Appointment
    pain: int
    function_note: str


def plan_for(user: StaffUser, plan_id: int) -> CarePlan | None:
    """The plan if the policy lets ``user`` open it; None otherwise (also for an unknown id)."""
    plan = get_or_none(CarePlan, plan_id)
    return plan if plan is not None and may_open_plan(user, plan) else None


def visits_of(plan: CarePlan) -> list[Appointment]:
    """The plan's visits with their service and therapist, in order of their start."""
    return list(db.session.scalars(
        select(Appointment).options(joinedload(Appointment.service), joinedload(Appointment.therapist))
        .where(Appointment.care_plan_id == plan.id).order_by(Appointment.starts_at, Appointment.id)))


def sessions_of(visits: list[Appointment], now: datetime | None = None) -> Sessions:
    """The visits as upcoming, begun but not marked yet, done, missed and cancelled."""
    now = moment(now)
    sessions = Sessions()
    for visit in visits:
        if visit.status == AppointmentStatus.BOOKED:
            (sessions.upcoming if visit.starts_at > now else sessions.to_mark).append(visit)
        else:
            {AppointmentStatus.COMPLETED: sessions.done, AppointmentStatus.NO_SHOW: sessions.missed,
             AppointmentStatus.CANCELLED: sessions.cancelled}[AppointmentStatus(visit.status)].append(visit)
    return sessions


def _who(user: StaffUser | None) -> str:
    """A staff member as the timeline names them: the therapist's name, else the sign-in email."""
    if user is None:
        return "The patient"
    return user.therapist.name if user.therapist is not None else user.email


def _events(plan: CarePlan, visits: list[Appointment]) -> list[Entry]:
    """The plan's audited changes and its sessions' outcomes, as timeline entries."""
    by_id = {str(visit.id): visit for visit in visits}
    rows = db.session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor)).where(
        ((AuditEvent.subject_type == "care_plan") & (AuditEvent.subject_id == str(plan.id))
         & AuditEvent.action.in_(PLAN_EVENTS))
        | ((AuditEvent.subject_type == "appointment") & AuditEvent.subject_id.in_(by_id)
           & AuditEvent.detail.in_(OUTCOME_EVENTS))))
    return [Entry(row.at, PLAN_EVENTS[row.action] if row.subject_type == "care_plan" else OUTCOME_EVENTS[row.detail or ""],
                  _who(row.actor), row.detail if row.subject_type == "care_plan" and row.detail else "",
                  by_id.get(row.subject_id or "")) for row in rows]


def timeline(plan: CarePlan, visits: list[Appointment]) -> list[Entry]:
    """Everything that happened on the plan, newest first: both therapists' notes, handoffs, changes, cancellations."""
    ids = [visit.id for visit in visits]
    notes: Iterable[VisitNote] = db.session.scalars(
        select(VisitNote).options(joinedload(VisitNote.author).joinedload(StaffUser.therapist))
        .where(VisitNote.appointment_id.in_(ids))) if ids else []
    by_id = {visit.id: visit for visit in visits}
    entries = [Entry(note.created_at, "Handoff note" if note.kind == "handoff" else "Session note",
                     _who(note.author), note.body, by_id[note.appointment_id], note.kind == "handoff")
               for note in notes]
    entries += [Entry(visit.cancelled_at, "Session cancelled", "", visit.cancellation_reason or "", visit)
                for visit in visits if visit.cancelled_at is not None]
    entries += _events(plan, visits)
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def pain_over_time(visits: list[Appointment]) -> list[PainPoint]:
    """The outcomes recorded at the plan's sessions, in order of the sessions."""
    by_id = {visit.id: visit for visit in visits}
    outcomes: Iterable[VisitOutcome] = db.session.scalars(
        select(VisitOutcome).where(VisitOutcome.appointment_id.in_(by_id))) if by_id else []
    points = [PainPoint(by_id[outcome.appointment_id], outcome.pain, outcome.function_note) for outcome in outcomes]
    return sorted(points, key=lambda point: point.visit.starts_at)


def plans_of(user: StaffUser) -> list[CarePlan]:
    """The plans the policy lets ``user`` open (those a therapist shares; every plan, for an admin), newest first."""
    return list(db.session.scalars(select(CarePlan).where(plans_visible_to(user))
                                   .order_by(CarePlan.created_at.desc(), CarePlan.id.desc())))
