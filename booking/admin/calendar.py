"""The appointment book for admins: the clinic's day, a column per therapist, and one therapist's week.

Both show the visits' cautions, so each view with a visit is audited (after rendering, as the schedule is: a commit
before would expire what was loaded). A free time links to booking a caller there; a visit to its page.
"""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from booking import policy
from booking.admin import bp
from booking.database import parse_id
from booking.services import audit
from booking.services.visits.appointment_book import clinic_day, therapist_days
from booking.services.visits.schedule import ScheduleError, clinic_today, parse_day
from booking.staff.access import staff_required

CHOOSE_THERAPISTS = "Choose therapists from the list on the calendar."
MOST_COLUMNS = 60  # therapists a day may show side by side when chosen (more than a clinic has)


def _therapist_ids(values: list[str]) -> list[int]:
    """The therapists asked for (``therapist``, repeated); 400 with a message for anything but their ids."""
    if len(values) > MOST_COLUMNS:
        abort(400, f"Choose at most {MOST_COLUMNS} therapists.")
    ids = [parse_id(value) for value in values]
    if None in ids:
        abort(400, CHOOSE_THERAPISTS)
    return [one for one in ids if one is not None]


def _day(today: date) -> date:
    """The day asked for (``day``, today by default); 400 with a message when it cannot be read."""
    try:
        return parse_day(request.args.get("day"), today)
    except ScheduleError as error:
        abort(400, str(error))


@bp.route("/calendar")
@staff_required(policy.may_see_patients)
def calendar() -> str:
    """The clinic's day: ``?day=YYYY-MM-DD`` (today by default), ``&therapist=<id>`` (repeated) for a chosen set,
    else every therapist working that day or holding a visit on it."""
    today = clinic_today()
    day = _day(today)
    chosen = _therapist_ids(request.args.getlist("therapist"))
    book = clinic_day(day, current_user, chosen)
    page = render_template("admin/calendar.html", book=book, day=day, today=today, chosen=set(chosen))
    if book.visit_count:
        audit.viewed("calendar", day.isoformat(), "day")
    return page


@bp.route("/calendar/week")
@staff_required(policy.may_see_patients)
def calendar_week() -> str:
    """One therapist's week, Monday to Sunday: ``?therapist=<id>&day=YYYY-MM-DD`` (the week holding the day)."""
    today = clinic_today()
    day = _day(today)
    chosen = _therapist_ids(request.args.getlist("therapist")[:1])
    if not chosen:
        abort(400, "Choose a therapist to see their week.")
    book = therapist_days(chosen[0], day, "week", current_user, everyone=True)
    if book is None:
        abort(404)
    page = render_template("admin/calendar_week.html", book=book, day=day, today=today, therapist_id=chosen[0])
    if book.visit_count:
        audit.viewed("calendar", chosen[0], f"week {book.days[0].isoformat()}")
    return page
