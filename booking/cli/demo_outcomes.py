"""The demo's flagged care plan: four sessions done without a meaningful change, so the plan pages, the lists and
both therapists' inboxes show the flag at once.

Robin Ellis (knee surgery, tight muscles: a combined screening, as Casey's) began a course with Priya Raman and
Marcus Lee four weeks ago. Robin answered the questions before each of the first five visits and the first four
were completed: the pain stayed at 5 of 10 and the activities moved half a point, short of their MCIDs, so after 4
sessions the plan is flagged "not yet a meaningful change". Seeded once: the plan is kept when Robin has one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from booking.cli.demo_plan import answer_before, book_course, has_plan, login_of
from booking.models import StaffUser
from booking.services.care_plans.progress import flags
from booking.services.visits import PatientDetails
from booking.services.visits.outcomes import record_outcome

logger = logging.getLogger(__name__)

PATIENT = PatientDetails("Robin Ellis", "robin.ellis@example.com", "403-555-0108")
GOALS = "Sit through a workday and carry the groceries in without knee pain; loosen the thighs."
BEGAN_DAYS_AGO = 29
SESSIONS_DONE = 4
# Robin's answers before each of the first five visits: the first names the activities; pain 5 throughout.
ANSWERED = [
    {"nprs": "5", "activity_1": "Sitting through a workday", "rating_1": "4", "activity_2": "Carrying groceries",
     "rating_2": "5"},
    {"nprs": "6", "rating_1": "4", "rating_2": "5", "groc": "0"},
    {"nprs": "5", "rating_1": "5", "rating_2": "5", "groc": "1"},
    {"nprs": "5", "rating_1": "4", "rating_2": "6", "groc": "1"},
    {"nprs": "5", "rating_1": "5", "rating_2": "5", "groc": "1"},
]


def seed_flagged_plan(admin: StaffUser | None, now: datetime) -> str:
    """Seed the flagged plan unless Robin has one; what was done, in a few words."""
    if has_plan(PATIENT.email):
        return "already there"
    visits = book_course(admin, PATIENT, GOALS, BEGAN_DAYS_AGO, now)
    if isinstance(visits, str):
        return visits
    for number, (visit, typed) in enumerate(zip(visits, ANSWERED, strict=False)):
        answer_before(visit, typed)
        login = login_of(visit.therapist)
        if number < SESSIONS_DONE and login is not None:
            record_outcome(visit, "completed", by_staff=login, now=visit.ends_at)
    flag = flags([plan_id]).get(plan_id) if (plan_id := visits[0].care_plan_id) else None
    return f"booked ({len(visits)} visits), flagged: {flag.title if flag else 'not flagged'}"
