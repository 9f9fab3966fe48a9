"""A therapist's schedule: the day or week asked for, and one visit with the screening behind it.

The schedule's days are read as the calendar's grid (``appointment_book``); here are what its pages share with
it (the day and view asked for, today in the clinic) and the visit page's reading: one visit is found for a staff
member (``visit_for``) only when ``booking.policy`` lets them open it (its own therapist, or an admin); anyone
else is told it does not exist. The stored recommendation gives the pathway, the reasons and the cautions, these
in the staff's clinical words (``booking.services.screenings.staff_recommendation``), on the visit's page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.clinic.clock import moment
from booking.clinic.times import FIRST_DAY, LAST_DAY, accepted_day, clinic_zone
from booking.clinic.validators import parse_uuid
from booking.extensions import db
from booking.models import Appointment, Screening, StaffUser
from booking.policy import may_open_visit
from booking.routing import QUESTIONS

VIEWS = ("day", "week")


class ScheduleError(ValueError):
    """A schedule asked for with a day or view that cannot be read; the message says what to send."""


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
