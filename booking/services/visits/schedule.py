"""A therapist's schedule: their visits of a local day or week, each with the screening behind it.

A day or a week loads in one query whatever the number of visits: the visits
joined to their patient, service and screening (the screening's answers are
left out: the schedule shows the recommendation, not the answers). The stored
recommendation gives the pathway, the reasons and the cautions, these in the
staff's clinical words (``booking.services.screenings.staff_recommendation``). Cancelled visits
are not on a schedule: the time is free again.

A schedule is read only by the therapist's own login, and one visit is found
for a staff member (``visit_for``) only when ``booking.policy`` lets them open
it (its own therapist, or an admin); anyone else is refused, or told it does
not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from booking.clinic.clock import moment
from booking.clinic.times import FIRST_DAY, LAST_DAY, accepted_day, clinic_zone, local_midnight
from booking.clinic.validators import parse_uuid
from booking.extensions import db
from booking.models import Appointment, AppointmentStatus, Screening, StaffUser
from booking.policy import may_open_visit, require_keep_diary
from booking.routing import QUESTIONS, Recommendation
from booking.services.screenings import staff_recommendation

VIEWS = ("day", "week")


class ScheduleError(ValueError):
    """A schedule asked for with a day or view that cannot be read; the message says what to send."""


@dataclass(frozen=True)
class ScheduledVisit:
    """A visit as the schedule shows it, with the recommendation of its screening."""

    appointment: Appointment
    recommendation: Recommendation


@dataclass(frozen=True)
class ScheduleDay:
    """One local day of a schedule and its visits, earliest first."""

    day: date
    visits: list[ScheduledVisit]


@dataclass(frozen=True)
class Schedule:
    """The local days shown (one, or Monday to Sunday), and where the previous and next pages start."""

    view: str
    days: list[ScheduleDay]
    previous: date
    next: date

    @property
    def first_day(self) -> date:
        """The first day shown."""
        return self.days[0].day

    @property
    def last_day(self) -> date:
        """The last day shown."""
        return self.days[-1].day

    @property
    def visit_count(self) -> int:
        """How many visits the schedule shows."""
        return sum(len(day.visits) for day in self.days)


def parse_view(value: str | None) -> str:
    """The view asked for ("day" unless given); raises ScheduleError for anything else."""
    if not value:
        return "day"
    if value not in VIEWS:
        raise ScheduleError("Choose to see a day (view=day) or a week (view=week).")
    return value


def parse_day(value: str | None, today: date) -> date:
    """The day asked for as YYYY-MM-DD (today unless given); raises ScheduleError when it is not one."""
    if not value:
        return today
    try:
        day = date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ScheduleError("We could not read that day. Give it as YYYY-MM-DD, like 2026-12-02.")
    if not accepted_day(day):
        raise ScheduleError(f"Choose a day between {FIRST_DAY} and {LAST_DAY}.")
    return day


def clinic_today() -> date:
    """Today's date in the clinic's zone."""
    return moment().astimezone(clinic_zone()).date()


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def visits_between(therapist_id: int, start: datetime, end: datetime) -> list[Appointment]:
    """The therapist's visits starting in [start, end), not cancelled, with patient, service and screening."""
    query = (select(Appointment)
             .options(joinedload(Appointment.patient), joinedload(Appointment.service),
                      joinedload(Appointment.screening).options(defer(Screening.answers)))
             .where(Appointment.therapist_id == therapist_id, Appointment.starts_at >= start,
                    Appointment.starts_at < end, Appointment.status != AppointmentStatus.CANCELLED)
             .order_by(Appointment.starts_at))
    return list(db.session.scalars(query))


def schedule_for(therapist_id: int, day: date, view: str, by: StaffUser) -> Schedule:
    """The therapist's schedule of the day, or of the week (Monday to Sunday) holding it, in one query; Refused
    unless ``by`` is the therapist's own login."""
    require_keep_diary(by, therapist_id)
    first = day if view == "day" else week_of(day)
    length = 1 if view == "day" else 7
    days = [first + timedelta(days=offset) for offset in range(length)]
    by_day: dict[date, list[ScheduledVisit]] = {shown: [] for shown in days}
    zone = clinic_zone()
    for visit in visits_between(therapist_id, local_midnight(days[0]), local_midnight(days[-1] + timedelta(days=1))):
        by_day[visit.starts_at.astimezone(zone).date()].append(
            ScheduledVisit(visit, staff_recommendation(visit.screening)))
    step = timedelta(days=length)
    return Schedule(view=view, days=[ScheduleDay(shown, by_day[shown]) for shown in days],
                    previous=max(first - step, FIRST_DAY), next=min(first + step, LAST_DAY))


def visit_for(user: StaffUser, visit_id: object) -> Appointment | None:
    """The visit with this id if the policy lets ``user`` open it; None otherwise (also for an unknown id)."""
    key = parse_uuid(visit_id)
    if key is None:
        return None
    query = (select(Appointment)
             .options(joinedload(Appointment.patient), joinedload(Appointment.service),
                      joinedload(Appointment.therapist), joinedload(Appointment.screening))
             .where(Appointment.id == key))
    visit = db.session.scalars(query).first()
    return visit if visit is not None and may_open_visit(user, visit) else None


def _answer_words(question: dict[str, Any], value: Any) -> str:
    """One answer in the words of its question's options (or the number with its unit)."""
    options = {option["code"]: option["text"] for option in question.get("options", [])}
    if question["kind"] == "multi":
        return "; ".join(options.get(code, code) for code in value) if value else "None of these"
    if question["kind"] == "single":
        return str(options.get(value, value))
    unit = question.get("unit")
    return f"{value} {unit}" if unit else str(value)


def answers_in_words(screening: Screening) -> list[tuple[str, str]]:
    """The screening's answers as (question, answer) in the questions' own words, in asking order."""
    answers = screening.answers
    return [(str(question["text"]), _answer_words(question, answers[str(question["key"])]))
            for question in QUESTIONS if str(question["key"]) in answers]
