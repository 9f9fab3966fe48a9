"""The questionnaire before a visit: its secret link, what it asks, and its answers, taken once.

A visit of a care plan, or a physiotherapy assessment, has one questionnaire (``booking.questionnaires``
says which). It is made when it is first needed: when its email is sent, or when the therapist hands
the clinic's tablet over in the waiting room. Its link's token is derived from its random id as a
manage link's is (``visits.tokens``), and only its hash is stored. It can be answered until its visit
ends, once; the answers make a measurement, numbered in its care plan's course: the first names
the PSFS activities, the later ones rate the same (and the therapist may add one).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from booking import policy
from booking.clinic.clock import moment
from booking.extensions import db
from booking.measures import Measure, asked_at
from booking.models import (
    AnsweredIn,
    Appointment,
    AppointmentStatus,
    CarePlan,
    Measurement,
    Questionnaire,
    StaffUser,
)
from booking.outbox import relay
from booking.questionnaires.answers import Reading, read
from booking.questionnaires.timing import is_asked
from booking.services import audit
from booking.services.care_plans import progress
from booking.services.visits.tokens import derive_token, token_hash

PURPOSE = "questionnaire"


class QuestionnaireClosed(Exception):
    """The questionnaire can no longer be answered: it was answered, or its visit ended or was cancelled."""


@dataclass(frozen=True)
class Asking:
    """What a questionnaire asks: its measurement's number in the course and the activities named before."""

    questionnaire: Questionnaire
    number: int
    activities: list[str]

    @property
    def measures(self) -> tuple[Measure, ...]:
        """The measures asked."""
        return asked_at(self.number)

    @property
    def first(self) -> bool:
        """Whether the activities are named now (none were named before)."""
        return not self.activities


def asks(visit: Appointment) -> bool:
    """Whether the visit is preceded by a questionnaire."""
    return is_asked(visit.care_plan_id, visit.service.therapy_type, visit.service.name)


def questionnaire_token(questionnaire: Questionnaire) -> str:
    """The token of the questionnaire's link, derived again from its id."""
    return derive_token(PURPOSE, questionnaire.id)


def of_visit(visit: Appointment) -> Questionnaire | None:
    """The visit's questionnaire, if it has one yet."""
    return db.session.scalar(select(Questionnaire).where(Questionnaire.appointment_id == visit.id))


def questionnaire_for(visit: Appointment) -> Questionnaire:
    """The visit's questionnaire, made now if it has none (in a savepoint: another process may make it too)."""
    found = of_visit(visit)
    if found is not None:
        return found
    questionnaire_id = uuid.uuid4()
    made = Questionnaire(id=questionnaire_id, appointment_id=visit.id,
                         token_hash=token_hash(derive_token(PURPOSE, questionnaire_id)))
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except IntegrityError:  # made meanwhile by the other side (the email's sending, the waiting room)
        return db.session.scalars(select(Questionnaire).where(Questionnaire.appointment_id == visit.id)).one()
    return made


def link_to_send(visit: Appointment, *, now: datetime) -> str | None:
    """The token to email for the visit's questionnaire (marked sent); None once it is answered.

    Called while its email is made; the sending's own commit stores the questionnaire.
    """
    questionnaire = questionnaire_for(visit)
    if questionnaire.answered_at is not None:
        return None
    if questionnaire.sent_at is None:
        questionnaire.sent_at = now
    return questionnaire_token(questionnaire)


def find(token: str) -> Questionnaire | None:
    """The questionnaire this token opens, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Questionnaire).where(Questionnaire.token_hash == token_hash(token)))


def is_open(questionnaire: Questionnaire, *, now: datetime | None = None) -> bool:
    """Whether it can be answered now: not yet answered, and its visit booked and not yet ended."""
    visit = questionnaire.appointment
    return (questionnaire.answered_at is None and visit.status == AppointmentStatus.BOOKED
            and moment(now) < visit.ends_at)


def asking(questionnaire: Questionnaire) -> Asking:
    """What the questionnaire asks: a care plan's n-th measurement rates the activities of its latest one."""
    plan_id = questionnaire.appointment.care_plan_id
    if plan_id is None:
        return Asking(questionnaire, 1, [])
    earlier = select(Measurement).where(Measurement.care_plan_id == plan_id)
    count = db.session.scalar(select(func.count()).select_from(earlier.subquery())) or 0
    latest = db.session.scalars(earlier.order_by(Measurement.taken_at.desc(), Measurement.id.desc()).limit(1)).first()
    return Asking(questionnaire, count + 1, list(latest.activities) if latest else [])


def answer(questionnaire: Questionnaire, typed: Mapping[str, str], *, by: StaffUser | None = None,
           now: datetime | None = None) -> Reading:
    """Take the answers typed (by the patient, or on the tablet ``by`` hands over), once; the reading.

    An answer that flags its care plan (``care_plans.progress``) writes the notices to both therapists in its
    own transaction, once per kind of flag; they are handed to the worker after the commit.

    With errors in the reading nothing is stored. Raises ``QuestionnaireClosed`` when it can no
    longer be answered (also when another answer was stored first).
    """
    if by is not None:
        policy.require_write_on_visit(by, questionnaire.appointment)
    now = moment(now)
    if not is_open(questionnaire, now=now):
        raise QuestionnaireClosed("These questions are closed.")
    asked = asking(questionnaire)
    reading = read(typed, asked.number, asked.activities, may_add=by is not None)
    if reading.errors:
        return reading
    visit = questionnaire.appointment
    plan = None if visit.care_plan_id is None else db.session.scalars(
        select(CarePlan).where(CarePlan.id == visit.care_plan_id).with_for_update()).one()  # one flag notice
    questionnaire.answered_at = now
    db.session.add(Measurement(
        questionnaire_id=questionnaire.id, patient_id=visit.patient_id, care_plan_id=visit.care_plan_id,
        number=asked.number, answers=reading.answers, activities=reading.activities, taken_at=now,
        answered_in=AnsweredIn.HOME if by is None else AnsweredIn.WAITING_ROOM,
        recorded_by_id=by.id if by is not None else None))
    if by is not None:
        audit.record("recorded", "questionnaire", questionnaire.id, actor=by, at=now)
    try:
        notices = [] if plan is None else progress.notices_of_flag(plan, now=now)
        db.session.commit()
    except IntegrityError:  # answered at the same moment elsewhere: the first answer stands
        db.session.rollback()
        raise QuestionnaireClosed("These questions were already answered.") from None
    relay.hand_over(notices)
    return reading


def for_waiting_room(by: StaffUser, visit: Appointment) -> Questionnaire | None:
    """The visit's questionnaire for the therapist's tablet (made now if need be); None when the visit has none."""
    policy.require_write_on_visit(by, visit)
    if not asks(visit):
        return None
    questionnaire = questionnaire_for(visit)
    db.session.commit()
    return questionnaire
