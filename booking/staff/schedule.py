"""A therapist's own day and week, in clinic time, as the calendar's time grid (each visit opens its screening)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from booking import policy
from booking.services import audit
from booking.services.visits.appointment_book import therapist_days
from booking.services.visits.schedule import ScheduleError, clinic_today, parse_day, parse_view
from booking.staff import bp
from booking.staff.access import staff_required


@bp.route("/schedule")
@staff_required(policy.is_therapist)
def schedule() -> str:
    """The signed-in therapist's schedule: ``?day=YYYY-MM-DD`` (today by default), ``&view=day|week``.

    A schedule showing visits shows their cautions: one audit row per page view, stored
    once the page is rendered (a commit before would expire the visits just loaded).
    """
    today = clinic_today()
    try:
        view = parse_view(request.args.get("view"))
        day = parse_day(request.args.get("day"), today)
    except ScheduleError as error:
        abort(400, str(error))
    shown = therapist_days(current_user.therapist_id, day, view, current_user)
    if shown is None:
        abort(404)
    page = render_template("staff/schedule.html", book=shown, view=view, day=day, today=today)
    if shown.visit_count:
        audit.viewed("schedule", current_user.therapist_id, f"{view} {shown.days[0].isoformat()}")
    return page
