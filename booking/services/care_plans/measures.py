"""A course's measurements: each measure's scores over the plan's sessions, and its change since the first.

The patients' answers (``Measurement``) are scored by the measures' own rules (``booking.measures``); each
score stands at its visit's session, numbered in the plan's order of both disciplines (a cancelled visit is
no session, unless it was answered for). Everything here reads; the pages that show it audit the view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.clinic.times import clinic_zone
from booking.extensions import db
from booking.measures import Change, Measure, Registry, change, item_changes, with_clinic_measures
from booking.models import Appointment, AppointmentStatus, CarePlan, Measurement, Questionnaire
from booking.services.care_plans.work import visits_of


@dataclass(frozen=True)
class Point:
    """One score at one session: the session's number in the plan, its day, its discipline, the score."""

    session: int
    day: date
    discipline: str
    score: float


@dataclass(frozen=True)
class Activity:
    """One PSFS activity: its name, its latest rating and its change since first rated (None until rated twice)."""

    name: str
    rating: int | None
    change: Change | None


@dataclass(frozen=True)
class Course:
    """One measure over a course: its scores at each session, oldest first, and its change since the first score."""

    measure: Measure
    points: list[Point]
    change: Change | None
    activities: list[Activity] = field(default_factory=list)
    # A measure of named items (the PSFS): each session's ratings, in the order the activities were named.
    ratings: list[tuple[int, list[int | None]]] = field(default_factory=list)

    @property
    def baseline(self) -> float | None:
        """The first score; None for a measure that rates the change itself (the GROC)."""
        return None if self.measure.rates_change or not self.points else self.points[0].score

    @property
    def latest(self) -> Point:
        """The latest score."""
        return self.points[-1]


def clinic_measures() -> Registry:
    """The measures the clinic asks (the built-in ones and its own, ``MEASURES_DIR``)."""
    return with_clinic_measures(current_app.config.get("MEASURES_DIR"))


def session_numbers(visits: Sequence[Appointment], answered: Iterable[object] = ()) -> dict[object, int]:
    """Each visit's session number in its plan (from 1, both disciplines, in order of start): a cancelled visit is
    no session, unless it is among ``answered`` (the visits whose questions were answered)."""
    kept = set(answered)
    counted = [visit for visit in visits if visit.status != AppointmentStatus.CANCELLED or visit.id in kept]
    return {visit.id: place for place, visit in enumerate(counted, 1)}


def _answered(plan_id: int | None, *, visit: Appointment | None = None, until: datetime | None = None
              ) -> list[tuple[Measurement, Appointment]]:
    """A plan's measurements (or, outside a plan, the visit's own) with their visits, oldest first."""
    query = (select(Measurement, Appointment).join(Questionnaire, Questionnaire.id == Measurement.questionnaire_id)
             .join(Appointment, Appointment.id == Questionnaire.appointment_id)
             .options(joinedload(Appointment.service)).order_by(Measurement.taken_at, Measurement.id))
    if plan_id is not None:
        query = query.where(Measurement.care_plan_id == plan_id)
    elif visit is not None:
        query = query.where(Questionnaire.appointment_id == visit.id)
    if until is not None:
        query = query.where(Measurement.taken_at <= until)
    return [(row[0], row[1]) for row in db.session.execute(query)]


def _activities(measure: Measure, answered: list[Measurement]) -> list[Activity]:
    """Each activity of the latest measurement: its rating then, and its change from its first rating to its last."""
    ratings: dict[str, list[int]] = {}
    for measurement in answered:
        for name, rating in zip(measurement.activities, measurement.answers.get(measure.code) or [], strict=False):
            if rating is not None:
                ratings.setdefault(name, []).append(rating)
    twice = {name: found for name, found in ratings.items() if len(found) > 1}
    changes = item_changes(measure, {name: found[0] for name, found in twice.items()},
                           {name: found[-1] for name, found in twice.items()})
    latest = answered[-1]
    given = dict(zip(latest.activities, latest.answers.get(measure.code) or [], strict=False))
    return [Activity(name, given.get(name), changes.get(name)) for name in latest.activities]


def _courses(answered: list[tuple[Measurement, Appointment]], numbers: dict[object, int]) -> list[Course]:
    """Each measure answered, with its scores at their sessions and its change since its first score."""
    courses = []
    for measure in clinic_measures().values():
        points, ratings = [], []
        for measurement, visit in answered:
            given = measurement.answers.get(measure.code)
            score = measure.score(given) if given is not None else None
            if score is not None:
                session = numbers.get(visit.id, measurement.number)
                points.append(Point(session, visit.starts_at.astimezone(clinic_zone()).date(),
                                    visit.service.therapy_type, score))
                if measure.named_items:
                    ratings.append((session, list(given or [])))
        if not points:
            continue
        moved = (change(measure, points[0].score, points[-1].score)
                 if measure.rates_change or len(points) > 1 else None)
        activities = (_activities(measure, [measurement for measurement, _ in answered])
                      if measure.item_mcid is not None else [])
        courses.append(Course(measure, points, moved, activities, ratings))
    return courses


def course_of(visits: Sequence[Appointment], plan_id: int) -> list[Course]:
    """Every measure answered over a plan's course (``visits``: the plan's, in order of start)."""
    answered = _answered(plan_id)
    return _courses(answered, session_numbers(visits, (visit.id for _, visit in answered)))


def before_visit(visit: Appointment, visits: Sequence[Appointment] = ()) -> list[Course]:
    """The answers up to a visit (its own, if given, or the latest before it), each measure's change since the
    course's first; ``visits``: its plan's, for the session numbers (none outside a plan: the visit's own answers)."""
    answered = _answered(visit.care_plan_id, visit=visit, until=visit.ends_at)
    return _courses(answered, session_numbers(visits, (each.id for _, each in answered)))


def patients_course(visit: Appointment) -> list[Course]:
    """The patient's own course, for their manage page: every measure over the plan of this visit (none outside one)."""
    plan = db.session.get(CarePlan, visit.care_plan_id) if visit.care_plan_id is not None else None
    return course_of(visits_of(plan), plan.id) if plan is not None else []
