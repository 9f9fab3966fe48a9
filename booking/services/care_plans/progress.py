"""A care plan's progress on its outcome measures: its flag, worked out by ``booking.measures.steer`` (the one home
of the rule) from the plan's measurements and the sessions held before the latest of them.

The sessions counted are the plan's visits completed (of either discipline) before the visit whose questions the
latest measurement answered: the flag says what the evidence shows "after 4 sessions", and it changes only when a
new answer is stored, which is where its notice is written (``booking.services.questionnaires``). Lists load the
flags of all their plans in two queries, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from booking import outbox
from booking.clinic.settings import clinic_settings
from booking.extensions import db
from booking.measures import Flag, Measurement, Registry, steer
from booking.models import Appointment, AppointmentStatus, CarePlan, CarePlanEvent, Notification, Questionnaire
from booking.models import Measurement as MeasurementRecord
from booking.services.care_plans.measures import clinic_measures


@dataclass(frozen=True)
class Answered:
    """One measurement's stored answers and when the visit it came before began."""

    answers: Mapping[str, Any]
    before: datetime


def scores(answers: Mapping[str, Any], registry: Registry) -> Measurement:
    """The stored answers of one measurement as each measure's score (a measure no longer defined is left out)."""
    return {registry[code]: registry[code].score(given) for code, given in answers.items()
            if code in registry and given is not None}


def flag_from(answered: Sequence[Answered], completed: Iterable[datetime], after_sessions: int,
              registry: Registry) -> Flag | None:
    """The flag of a plan's measurements (oldest first) and the times its completed sessions began."""
    if not answered:
        return None
    latest = answered[-1].before
    sessions = sum(1 for starts_at in completed if starts_at < latest)
    return steer([scores(each.answers, registry) for each in answered], sessions, after_sessions)


def flags(plan_ids: Iterable[int]) -> dict[int, Flag]:
    """The flag of each of these plans that has one, in two queries whatever their number."""
    ids = list(set(plan_ids))
    if not ids:
        return {}
    answered: dict[int, list[Answered]] = defaultdict(list)
    for plan_id, answers, before in db.session.execute(
            select(MeasurementRecord.care_plan_id, MeasurementRecord.answers, Appointment.starts_at)
            .join(Questionnaire, Questionnaire.id == MeasurementRecord.questionnaire_id)
            .join(Appointment, Appointment.id == Questionnaire.appointment_id)
            .where(MeasurementRecord.care_plan_id.in_(ids))
            .order_by(MeasurementRecord.number, MeasurementRecord.id)):
        answered[plan_id].append(Answered(answers, before))
    if not answered:
        return {}
    completed: dict[int | None, list[datetime]] = defaultdict(list)
    for plan_id, starts_at in db.session.execute(
            select(Appointment.care_plan_id, Appointment.starts_at)
            .where(Appointment.care_plan_id.in_(list(answered)), Appointment.status == AppointmentStatus.COMPLETED)):
        completed[plan_id].append(starts_at)
    after_sessions, registry = clinic_settings().flag_after_sessions, clinic_measures()
    found = {plan_id: flag_from(each, completed[plan_id], after_sessions, registry)
             for plan_id, each in answered.items()}
    return {plan_id: flag for plan_id, flag in found.items() if flag is not None}


def flag_of(plan: CarePlan) -> Flag | None:
    """The plan's flag, if it has one."""
    return flags([plan.id]).get(plan.id)


def notices_of_flag(plan: CarePlan, *, now: datetime) -> list[Notification]:
    """The notices telling both therapists that the plan is flagged, written with the answer that raises the flag.

    Once per kind of flag ("not yet a meaningful change", "worse"): the notices' unique keys name the kind, and a
    plan that already has them gets none again (the caller holds the plan's row lock, so two answers at once do
    not both write them). No health detail: the notice says the plan was flagged; the plan page says why.
    """
    flag = flag_of(plan)
    if flag is None:
        return []
    event = CarePlanEvent.OUTCOME_FLAGGED
    keys = [outbox.care_plan_key(plan.id, event, flag.kind, therapist_id) for therapist_id in plan.therapist_ids]
    if db.session.scalar(select(Notification.id).where(Notification.key.in_(keys)).limit(1)) is not None:
        return []
    return outbox.for_care_plan(plan.id, event, flag.kind, plan.therapist_ids, now=now)
