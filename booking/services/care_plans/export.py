"""The clinic's outcomes for its own audit: every plan's scores, one row each, with no names.

Each row is a plan (an opaque number: not its id, but derived from it with the app's secret, so the same in
every export and not traceable to a page), a measure, the item (a PSFS activity by its number, never by the
words the patient typed; empty for the measure's score), the session's number in the plan, its day and the
score. No names, no contact details, no free text. Each export is audited.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from sqlalchemy import select

from booking import policy
from booking.clinic.clock import moment
from booking.extensions import db
from booking.measures import score_text
from booking.models import CarePlan, Measurement, StaffUser
from booking.services import audit
from booking.services.care_plans.measures import Course, course_of
from booking.services.care_plans.work import visits_of

COLUMNS = ("plan", "measure", "item", "session", "date", "score")
PLAN_DIGITS = 12  # an opaque plan number of at most 12 digits

Row = tuple[int, str, str, int, str, str]


def opaque_plan(plan_id: int) -> int:
    """The plan's number in exports: derived from its id with the app's secret, the same in every export."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    digest = hmac.new(key, f"outcomes-plan:{plan_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % 10 ** PLAN_DIGITS


def _rows(number: int, course: Course) -> list[Row]:
    """A measure's scores at each session, then (a PSFS) each activity's rating by its number."""
    code = course.measure.code
    rows: list[Row] = [(number, code, "", point.session, point.day.isoformat(), score_text(point.score))
                       for point in course.points]
    days = {point.session: point.day.isoformat() for point in course.points}
    rows += [(number, code, str(item), session, days[session], str(rating))
             for session, given in course.ratings for item, rating in enumerate(given, 1) if rating is not None]
    return rows


def outcome_rows(by: StaffUser) -> list[Row]:
    """Every plan's outcome rows (COLUMNS), by plan, measure and session; audited. Refused but for an admin."""
    policy.require_export_outcomes(by)
    measured = select(Measurement.care_plan_id).where(Measurement.care_plan_id.is_not(None)).distinct()
    plans = db.session.scalars(select(CarePlan).where(CarePlan.id.in_(measured)).order_by(CarePlan.id))
    rows: list[Row] = []
    for plan in plans:
        number = opaque_plan(plan.id)
        for course in course_of(visits_of(plan), plan.id):
            rows += _rows(number, course)
    audit.record("exported", "outcomes", None, f"{len(rows)} rows", actor=by, at=moment())
    db.session.commit()
    return rows
